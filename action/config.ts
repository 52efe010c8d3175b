/**
 * The config the Action runs with: `azure-auth-gate.yml` (the `config` input, or that name in the
 * workspace), with the Action's `subscription-id` filling in `subscriptions` when the file has none, and
 * the `cloud` input overriding the file's cloud.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { resolveCloudProfile, type CloudProfile } from "../shared/cloud/profile.js";
import { parseConfigText, readConfigFile, type LoadedConfig } from "../shared/config/load.js";
import { InputError } from "../shared/errors.js";

export const DEFAULT_CONFIG = "azure-auth-gate.yml";

/** Which config file to read: the input as given (it must exist), else the default name if present. */
export function configFileFor(input: string, workspace: string): string | undefined {
  if (input) return resolve(workspace, input);
  const fallback = join(workspace, DEFAULT_CONFIG);
  return existsSync(fallback) ? fallback : undefined;
}

export interface CloudChoice {
  /** Input allow-custom-cloud: the workflow (not the repository's config) allows a custom cloud profile. */
  allowCustomCloud: boolean;
  /** Input cloud is set: it replaces the config's `cloud`, which is then neither refused nor read. */
  cloudInput: boolean;
}

/**
 * Loads the config. `subscription-id` fills in `subscriptions` when the file lists none (given to the
 * parser as a default, so the file's text and its error line numbers are the user's own). The config comes
 * from the checked-out repository (on a pull request: the PR's), so it may name a built-in cloud only
 * unless the workflow allows custom clouds.
 */
export function loadActionConfig(
  file: string | undefined,
  subscriptionId: string | undefined,
  workspace: string,
  cloud: CloudChoice,
): LoadedConfig | undefined {
  if (!file && !subscriptionId) return undefined;
  const text = file ? readConfigFile(file, "config file not found (input config)") : "";
  const options = {
    allowCustomCloud: cloud.allowCustomCloud,
    skipCloud: cloud.cloudInput,
    ...(subscriptionId ? { defaults: { subscriptions: [subscriptionId] } } : {}),
  };
  return file ? parseConfigText(text, file, undefined, options) : parseConfigText(text, "<inputs>", workspace, options);
}

export function cloudFor(
  input: string | undefined,
  loaded: LoadedConfig | undefined,
  workspace: string,
  allowCustomCloud: boolean,
): CloudProfile {
  if (!input) return loaded?.profile ?? resolveCloudProfile(undefined);
  try {
    return resolveCloudProfile(/^Azure[A-Za-z]+$/.test(input) ? input : resolve(workspace, input), { allowCustomCloud });
  } catch (err) {
    if (err instanceof InputError)
      throw new InputError(err.message, {
        ...(err.file ? { file: err.file } : {}),
        field: `input cloud${err.field ? ` → ${err.field}` : ""}`,
      });
    throw err;
  }
}
