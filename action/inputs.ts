/**
 * The Action's inputs (action.yml), read through @actions/core (INPUT_* variables) and validated into
 * one typed object. A bad value is an InputError naming the input, which `run()` turns into one
 * `core.setFailed` line.
 */
import * as core from "@actions/core";
import { GUID } from "../shared/config/schema.js";
import { InputError } from "../shared/errors.js";
import { reporter } from "./reporter.js";
import { FAIL_ON, type FailOn } from "../shared/findings/model.js";

export type Mode = "static" | "azure" | "probe";
/** What happens to an existing sticky comment when the verdict turns `pass`. */
export type CommentOnPass = "update" | "collapse" | "delete";

export interface ActionInputs {
  clientId: string | undefined;
  tenantId: string | undefined;
  subscriptionId: string | undefined;
  /** Config file path ('' = none given). */
  config: string;
  manifests: string[];
  mode: Mode;
  failOn: FailOn;
  /** undefined = the default (comment on pull requests). */
  comment: boolean | undefined;
  commentOnPass: CommentOnPass;
  commentKey: string | undefined;
  /** One-click fixes as PR review suggestions (with the comment; default true). */
  suggestions: boolean;
  sarif: string | undefined;
  githubToken: string | undefined;
  cloud: string | undefined;
  /** The workflow allows a custom cloud profile (input or config): the repository alone never can. */
  allowCustomCloud: boolean;
  /** `mode: probe` also on pull-request events (off by default: the PR chooses the config and manifests). */
  probeOnPullRequest: boolean;
}

function optional(name: string): string | undefined {
  const value = core.getInput(name);
  return value === "" ? undefined : value;
}

function guidInput(name: string): string | undefined {
  const value = optional(name);
  if (value !== undefined && !GUID.test(value))
    throw new InputError(`must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got '${value}'`, { field: `input ${name}` });
  return value;
}

function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = optional(name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new InputError(`must be one of ${allowed.join(", ")}, got '${value}'`, { field: `input ${name}` });
  return value as T;
}

function booleanInput(name: string): boolean | undefined {
  const value = optional(name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new InputError(`must be true or false, got '${value}'`, { field: `input ${name}` });
}

/** `manifests`: newline- or comma-separated paths and globs. */
export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.startsWith("#"));
}

export function readInputs(): ActionInputs {
  const clientId = guidInput("client-id");
  const mode = oneOf<Mode>("mode", ["static", "azure", "probe"], clientId ? "azure" : "static");
  if (mode !== "static" && !clientId)
    throw new InputError(`mode '${mode}' signs in to Azure: set client-id (the gate's own identity, federated with this repository)`, {
      field: "input client-id",
    });
  const githubToken = optional("github-token");
  // Masked before anything can print it.
  if (githubToken) reporter.secret(githubToken);
  return {
    clientId,
    tenantId: guidInput("tenant-id"),
    subscriptionId: guidInput("subscription-id"),
    config: core.getInput("config"),
    manifests: splitList(core.getInput("manifests")),
    mode,
    failOn: oneOf<FailOn>("fail-on", FAIL_ON, "error"),
    comment: booleanInput("comment"),
    commentOnPass: oneOf<CommentOnPass>("comment-on-pass", ["update", "collapse", "delete"], "update"),
    commentKey: optional("comment-key"),
    suggestions: booleanInput("suggestions") ?? true,
    sarif: optional("sarif"),
    githubToken,
    cloud: optional("cloud"),
    allowCustomCloud: booleanInput("allow-custom-cloud") ?? false,
    probeOnPullRequest: booleanInput("probe-on-pull-request") ?? false,
  };
}
