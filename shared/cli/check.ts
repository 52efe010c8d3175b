/**
 * `azure-auth-gate check`: manifests only (static layer, no Azure), or with `--config` the whole gate
 * (check-gate.ts: static + control plane) against the cloud the config names, signed in as whoever runs it.
 * The gate path is a dynamic import: a static check never loads an Azure SDK, the probe's Kubernetes client
 * or zod (start-up is most of a static check's time; the static-path test reads the bundle's module graph).
 */
import { InputError } from "../errors.js";
import type { Report } from "../findings/model.js";
import { staticLayer } from "../gate/static-layer.js";
import { buildReport, runMetadata } from "../report/build.js";
import { readManifests as parseManifestSet, type ManifestSet } from "../static/index.js";
import { collectManifests } from "../static/sources.js";
import type { HelmSettings } from "../static/render.js";
import type { HelmFlags } from "./args.js";
import { MAX_STDIN_BYTES, type CliIo } from "./io.js";

export interface CheckInput {
  paths: string[];
  config?: string;
  /** `--helm-*` flags (win over the config's `helm`). */
  helm?: HelmFlags;
  /** `--allow-custom-cloud`: the config may name a cloud profile file. */
  allowCustomCloud?: boolean;
  /** `--probe`: run the live probe (the only way the CLI runs it). */
  probe?: boolean;
  /** `--kubeconfig`: the probe's cluster (default: KUBECONFIG, then ~/.kube/config). */
  kubeconfig?: string;
}

/** Reads all of stdin as UTF-8 (refusing binary input and anything over MAX_STDIN_BYTES). */
export async function readAll(stdin: CliIo["stdin"]): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    size += buf.length;
    if (size > MAX_STDIN_BYTES) throw new InputError(`input is larger than ${MAX_STDIN_BYTES / 1024 / 1024} MiB`, { file: "<stdin>" });
    chunks.push(buf);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new InputError("input is not UTF-8 text (binary data?)", { file: "<stdin>" });
  }
}

/** The config's `helm` (values resolved against its directory, which they may not leave), under the flags. */
async function helmSettings(input: CheckInput): Promise<HelmSettings> {
  const fromConfig = input.config !== undefined ? await (await import("./helm-config.js")).configHelm(input.config) : {};
  return { ...fromConfig, ...input.helm };
}

async function readManifests(input: CheckInput, io: CliIo): Promise<ManifestSet | undefined> {
  if (input.paths.length === 0) return undefined;
  const helm = await helmSettings(input);
  // Renderers are looked up on the PATH of the environment the CLI was given (tests pass their own).
  const { sources, skipped, refused } = await collectManifests(input.paths, () => readAll(io.stdin), { render: { helm, searchPath: io.env.PATH ?? "" } });
  return parseManifestSet(sources, skipped, refused);
}

export async function runCheck(input: CheckInput, io: CliIo): Promise<Report> {
  const manifests = await readManifests(input, io);
  if (input.config === undefined) {
    if (!manifests) throw new InputError("nothing to check: give a PATH or --config", { field: "PATH" });
    const stat = staticLayer(manifests);
    return buildReport(stat.findings, runMetadata(["static"], { inputs: stat.inputs, ...stat.inputNotes }));
  }
  const { runGateCheck } = await import("./check-gate.js");
  return runGateCheck({ config: input.config, allowCustomCloud: input.allowCustomCloud === true, probe: input.probe === true, ...(input.kubeconfig !== undefined ? { kubeconfig: input.kubeconfig } : {}), ...(manifests ? { manifests } : {}) }, io);
}
