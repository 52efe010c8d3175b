/**
 * Loads `azure-auth-gate.yml`: YAML → strict schema → resolved cloud profile. Every problem is one
 * InputError naming the file, the 1-based line and the field path (`targets[0].blob[1].access`).
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Document, LineCounter } from "yaml";
import { customCloudRefusal, isBuiltInCloud, resolveCloudProfile, type CloudProfile } from "../cloud/profile.js";
import { InputError } from "../errors.js";
import { gateConfigSchema, type GateConfig } from "./schema.js";
import { describeConfigIssue, type ConfigProblem } from "./issues.js";
import { documentToJs, parseConfigDocument } from "./yaml.js";

export interface LoadedConfig {
  config: GateConfig;
  /** The config file as given (or "<inline>"), for messages. */
  file: string;
  profile: CloudProfile;
}

/** `targets[0].blob[1].access` from a zod path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `${out ? "." : ""}${String(p)}`;
  return out;
}

function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && Array.isArray(node.range)) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

function issueToError(problem: ConfigProblem, file: string, doc: Document, counter: LineCounter): InputError {
  const { path, message } = problem;
  const line = lineOf(doc, counter, path);
  return new InputError(message, { file, ...(line !== undefined ? { line } : {}), field: fieldPath(path) || "(top level)" });
}

/**
 * Keys the config no longer reads because they let the repository under check decide what runs with the
 * user's credentials; each error names what replaces it (the user's own environment or flag).
 */
const REMOVED_KEYS: readonly { path: readonly [string, string]; message: string }[] = [
  {
    path: ["probe", "kubeconfig"],
    message:
      "'probe.kubeconfig' is no longer read from the config (a repository must not choose the cluster credentials or their exec plugins): set KUBECONFIG in the job's environment, or pass --kubeconfig FILE to the CLI",
  },
  {
    path: ["probe", "command"],
    message:
      "'probe.command' is no longer read: the probe always runs the gate's own program; choose its interpreter with probe.runtime (python or node) and probe.image",
  },
  {
    path: ["probe", "enabled"],
    message:
      "'probe.enabled' is no longer read: the probe runs only when the person running the gate asks for it, with --probe (CLI) or mode: probe (Action)",
  },
];

function refuseRemovedKeys(raw: object, file: string, doc: Document, counter: LineCounter): void {
  for (const { path, message } of REMOVED_KEYS) {
    const parent = (raw as Record<string, unknown>)[path[0]];
    if (parent && typeof parent === "object" && path[1] in parent) {
      const line = lineOf(doc, counter, path);
      throw new InputError(message, { file, ...(line !== undefined ? { line } : {}), field: path.join(".") });
    }
  }
}

export interface ParseConfigOptions {
  /**
   * Values for top-level keys the text leaves out (the Action's `subscription-id` input), applied to
   * the parsed object before the schema check; the text itself is never rewritten, so every error's
   * line number is the user's line and any YAML form (block, flow, JSON) works.
   */
  defaults?: { subscriptions?: readonly string[] };
  /**
   * The user running the gate allowed a custom cloud profile (`--allow-custom-cloud`, the Action's
   * `allow-custom-cloud: true`). Without it the config, which comes from the repository under check, may
   * name a built-in cloud only.
   */
  allowCustomCloud?: boolean;
  /** Leave the cloud unresolved (loadConfigSettings): `profile` is then the public cloud, never used. */
  skipCloud?: boolean;
}

/**
 * Parses config text. `file` names it in errors; relative cloud profile paths resolve against
 * `baseDir` (default: the file's directory).
 */
export function parseConfigText(
  text: string,
  file = "<inline>",
  baseDir = file === "<inline>" ? process.cwd() : dirname(file),
  options: ParseConfigOptions = {},
): LoadedConfig {
  const { doc, counter } = parseConfigDocument(text, file);
  const raw: unknown = documentToJs(doc, file) ?? {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new InputError("the config must be a YAML mapping", { file });
  refuseRemovedKeys(raw, file, doc, counter);
  const subscriptions = options.defaults?.subscriptions;
  const withDefaults = subscriptions && !("subscriptions" in raw) ? { ...raw, subscriptions: [...subscriptions] } : raw;
  const parsed = gateConfigSchema.safeParse(withDefaults);
  if (!parsed.success) {
    const problem = describeConfigIssue(parsed.error.issues, withDefaults);
    throw problem ? issueToError(problem, file, doc, counter) : new InputError("invalid config", { file });
  }
  const config = parsed.data;
  if (config.subscriptions.length === 0 && !(config.cluster && "subscription" in config.cluster)) {
    throw new InputError("list the subscriptions to search (or name the cluster by subscription/resourceGroup/name)", {
      file,
      field: "subscriptions",
    });
  }
  if (options.skipCloud) return { config, file, profile: resolveCloudProfile(undefined) };
  if (!isBuiltInCloud(config.cloud) && !options.allowCustomCloud) {
    const line = lineOf(doc, counter, ["cloud"]);
    throw new InputError(customCloudRefusal(`cloud '${config.cloud}'`), { file, ...(line !== undefined ? { line } : {}), field: "cloud" });
  }
  return { config, file, profile: resolveConfigCloud(config.cloud, baseDir, file, options.allowCustomCloud === true) };
}

/**
 * A built-in cloud name, or (only with `allowCustomCloud`) a profile file resolved relative to the config
 * file's directory. The Function's sweep config is the operator's own deployment, so it passes true.
 */
export function resolveConfigCloud(cloud: string, baseDir: string, file: string, allowCustomCloud: boolean): CloudProfile {
  if (isBuiltInCloud(cloud)) return resolveCloudProfile(cloud);
  if (!allowCustomCloud) throw new InputError(customCloudRefusal(`cloud '${cloud}'`), { file, field: "cloud" });
  const path = isAbsolute(cloud) ? cloud : resolve(baseDir, cloud);
  try {
    return resolveCloudProfile(path, { allowCustomCloud });
  } catch (err) {
    if (err instanceof InputError) {
      throw new InputError(`cloud '${cloud}': ${err.message}`, { file, field: err.field ? `cloud → ${err.field}` : "cloud" });
    }
    throw err;
  }
}

/** The config file's text; `notFound` is the message when it does not exist (hosts name their option). */
export function readConfigFile(file: string, notFound = "config file not found"): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === "ENOENT" ? notFound : `cannot read config: ${(err as Error).message}`, { file });
  }
}

/** Reads and validates `azure-auth-gate.yml`. */
export function loadConfig(file: string, options: Pick<ParseConfigOptions, "allowCustomCloud"> = {}): LoadedConfig {
  return parseConfigText(readConfigFile(file), file, undefined, options);
}

/**
 * The config's settings without its cloud, for commands that talk to no cloud (`fix`): a custom profile is
 * neither refused nor read, since nothing is sent anywhere.
 */
export function loadConfigSettings(file: string): GateConfig {
  return parseConfigText(readConfigFile(file), file, undefined, { skipCloud: true }).config;
}
