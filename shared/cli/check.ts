/**
 * `azure-auth-gate check`: the gate's plan (`planRun`) for what the user asked — `--mode`, else static
 * without `--config`, azure with it, probe with `--probe` — carried out by `executePlan` exactly as the
 * Action and the Function carry theirs out. A static check applies the config's severity overrides and
 * waivers when `--config` is given, and never signs in. The Azure side (check-azure.ts), the config loader
 * (zod) and the probe are dynamic imports: a static check without a config loads none of them (start-up is
 * most of a static check's time; the static-path test reads the bundle's module graph).
 */
import type { LoadedConfig } from "../config/load.js";
import { InputError } from "../errors.js";
import type { Report } from "../findings/model.js";
import { executePlan } from "../gate/execute-plan.js";
import { planRun, type GateMode, type PlanHints } from "../gate/plan-run.js";
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
  /** `--mode`: static, azure or probe (default: static without --config, azure with it, probe with --probe). */
  mode?: GateMode;
  /** `--probe`: run the live probe (the only way the CLI runs it, with `--mode probe`). */
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
  const { sources, skipped, refused } = await collectManifests(input.paths, () => readAll(io.stdin), {
    render: { helm, searchPath: io.env.PATH ?? "" },
  });
  return parseManifestSet(sources, skipped, refused);
}

const CLI_HINTS: PlanHints = {
  manifests: { field: "PATH", hint: "give a PATH (file, directory or - for stdin)" },
  config: { field: "--config", hint: "give --config FILE" },
};

/** The mode the user asked for: `--mode`, else what `--config` and `--probe` imply. */
export function checkMode(input: Pick<CheckInput, "mode" | "config" | "probe">): GateMode {
  return input.mode ?? (input.probe ? "probe" : input.config !== undefined ? "azure" : "static");
}

/** `--config`: loaded (a custom cloud only with --allow-custom-cloud), its cloud described when it is a custom one. */
async function loadCheckConfig(file: string, allowCustomCloud: boolean, io: CliIo): Promise<LoadedConfig & { custom: boolean }> {
  const [{ loadConfig }, { describeCustomCloud, isCustomCloud }] = await Promise.all([
    import("../config/load.js"),
    import("../cloud/profile.js"),
  ]);
  const loaded = loadConfig(file, { allowCustomCloud });
  const custom = isCustomCloud(loaded.profile);
  // Before any token is requested: where tokens would go, on the user's say-so.
  if (custom) for (const line of describeCustomCloud(loaded.profile)) io.stderr.write(`${line}\n`);
  return { ...loaded, custom };
}

export async function runCheck(input: CheckInput, io: CliIo): Promise<Report> {
  const manifests = await readManifests(input, io);
  const mode = checkMode(input);
  const allowCustomCloud = input.allowCustomCloud === true;
  const loaded = input.config !== undefined ? await loadCheckConfig(input.config, allowCustomCloud, io) : undefined;
  const plan = planRun({
    mode,
    ...(loaded
      ? { config: loaded.config, cloud: { name: loaded.profile.name, custom: loaded.custom, allowedByUser: allowCustomCloud } }
      : {}),
    manifests: manifests !== undefined,
    hints: CLI_HINTS,
  });
  const azure =
    loaded && plan.controlPlane.run
      ? (await import("./check-azure.js")).cliAzureAccess(loaded, input.kubeconfig !== undefined ? { kubeconfig: input.kubeconfig } : {})
      : undefined;
  const { report, notices } = await executePlan({
    plan,
    ...(loaded ? { config: loaded.config, configFile: loaded.file } : {}),
    ...(manifests ? { manifests } : {}),
    ...(azure ? { azure } : {}),
  });
  for (const line of notices) io.stderr.write(`${line}\n`);
  // SARIF anchors Azure findings (no line in any manifest) to the config file that asked for them.
  if (loaded) report.metadata.config = loaded.file;
  return report;
}
