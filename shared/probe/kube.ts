/**
 * The probe's connection to the cluster: a kubeconfig file (the CLI's `--kubeconfig`, else KUBECONFIG,
 * else ~/.kube/config — never a file the repository under check names: a kubeconfig's `exec` plugin runs
 * commands), optionally one of its contexts. A private CA travels inside the
 * kubeconfig as `certificate-authority-data` (client-node's `caData`). Problems are InputErrors naming
 * the file or field, found when the probe layer is created — before any Job is started.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { ApiException, KubeConfig } from "@kubernetes/client-node";
import { errorLine } from "../azure/fetch-failure.js";
import { InputError } from "../errors.js";

export interface KubeconfigChoice {
  /** Explicit file (the CLI's `--kubeconfig`). */
  file?: string;
  context?: string;
  /** Environment to read KUBECONFIG and HOME from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

function defaultFile(env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = (env.KUBECONFIG ?? "").split(path.delimiter).find((f) => f.trim() !== "");
  if (fromEnv) return fromEnv;
  const home = path.join(env.HOME ?? homedir(), ".kube", "config");
  return existsSync(home) ? home : undefined;
}

export function loadKubeConfig(choice: KubeconfigChoice): KubeConfig {
  const env = choice.env ?? process.env;
  const file = choice.file ?? defaultFile(env);
  if (!file)
    throw new InputError(
      "the probe needs a kubeconfig: set KUBECONFIG (azure/aks-set-context does), or pass --kubeconfig FILE to the CLI",
      { field: "kubeconfig" },
    );
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new InputError(`cannot read the kubeconfig: ${errorLine(err)}`, { file });
  }
  if (choice.context) {
    if (!kc.getContextObject(choice.context)) {
      throw new InputError(
        `context '${choice.context}' is not in ${file} (it has: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(", ") || "none"
        })`,
        { field: "probe.context" },
      );
    }
    kc.setCurrentContext(choice.context);
  }
  if (!kc.getCurrentCluster())
    throw new InputError("the kubeconfig has no current context with a cluster", { file, field: "probe.context" });
  return kc;
}

/** "HTTP 403 Forbidden: jobs.batch is forbidden: …" from a client-node error (never a token or header). */
export function describeKubeError(err: unknown): { status?: number; text: string } {
  if (err instanceof ApiException) {
    const body: unknown = typeof err.body === "string" ? safeJson(err.body) : err.body;
    const status = err.code;
    const b = body && typeof body === "object" ? (body as { reason?: unknown; message?: unknown }) : undefined;
    const reason = typeof b?.reason === "string" ? b.reason : undefined;
    const message = typeof b?.message === "string" ? b.message : undefined;
    return { status, text: [`HTTP ${status}`, reason].filter(Boolean).join(" ") + (message ? `: ${message}` : "") };
  }
  return { text: errorLine(err) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
