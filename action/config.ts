/**
 * The config the Action runs with: `azure-auth-gate.yml` (the `config` input, or that name in the
 * workspace), with the Action's `subscription-id` filling in `subscriptions` when the file has none, and
 * the `cloud` input overriding the file's cloud.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { resolveCloudProfile, type CloudProfile } from "../shared/cloud/profile.js";
import { parseConfigText, type LoadedConfig } from "../shared/config/load.js";
import { InputError } from "../shared/errors.js";

export const DEFAULT_CONFIG = "azure-auth-gate.yml";

/** Which config file to read: the input as given (it must exist), else the default name if present. */
export function configFileFor(input: string, workspace: string): string | undefined {
  if (input) return isAbsolute(input) ? input : resolve(workspace, input);
  const fallback = join(workspace, DEFAULT_CONFIG);
  return existsSync(fallback) ? fallback : undefined;
}

/**
 * Loads the config. `subscription-id` is appended as the last line when the file lists no
 * subscriptions, so the line numbers of every error in the user's file stay right.
 */
export function loadActionConfig(file: string | undefined, subscriptionId: string | undefined, workspace: string): LoadedConfig | undefined {
  let text = "";
  if (file) {
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(code === "ENOENT" ? "config file not found (input config)" : `cannot read config: ${(err as Error).message}`, { file });
    }
  } else if (!subscriptionId) {
    return undefined;
  }
  if (subscriptionId) {
    const doc = parseDocument(text);
    if (doc.errors.length === 0 && !doc.has("subscriptions")) text = `${text.replace(/\s*$/, "")}\nsubscriptions: ["${subscriptionId}"]\n`;
  }
  return file ? parseConfigText(text, file) : parseConfigText(text, "<inputs>", workspace);
}

export function cloudFor(input: string | undefined, loaded: LoadedConfig | undefined, workspace: string): CloudProfile {
  if (!input) return loaded?.profile ?? resolveCloudProfile(undefined);
  try {
    return resolveCloudProfile(/^Azure[A-Za-z]+$/.test(input) ? input : resolve(workspace, input));
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.message, { ...(err.file ? { file: err.file } : {}), field: `input cloud${err.field ? ` → ${err.field}` : ""}` });
    throw err;
  }
}
