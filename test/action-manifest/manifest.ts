/**
 * Reads action.yml with GitHub's own parser and schema (@actions/workflow-parser, action-root-strict), the code the
 * runner's language services use, so a manifest that GitHub would refuse fails here too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NoOperationTraceWriter } from "@actions/workflow-parser";
import { convertActionTemplate, parseAction, type ActionTemplate } from "@actions/workflow-parser/actions/index";

export const repoRoot = join(import.meta.dirname, "..", "..");
export const actionYmlPath = join(repoRoot, "action.yml");

export interface ParsedManifest {
  errors: string[];
  template: ActionTemplate | undefined;
}

export function parseActionManifest(content: string, name = "action.yml"): ParsedManifest {
  const result = parseAction({ name, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((error) => error.message);
  const template = result.value && errors.length === 0 ? convertActionTemplate(result.context, result.value) : undefined;
  return { errors, template };
}

/** The shipped action.yml, parsed; throws with GitHub's messages when it does not load. */
export function loadActionManifest(): ActionTemplate {
  const parsed = parseActionManifest(readFileSync(actionYmlPath, "utf8"));
  if (!parsed.template) throw new Error(`action.yml does not load: ${parsed.errors.join("; ")}`);
  return parsed.template;
}

/** INPUT_* variables exactly as the runner sets them from action.yml's own defaults (expressions resolved by `resolve`). */
export function runnerInputEnv(
  template: ActionTemplate,
  overrides: Record<string, string>,
  resolve: (expression: string) => string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const input of template.inputs ?? []) {
    const raw = input.default?.toString() ?? "";
    const value = input.id in overrides ? overrides[input.id]! : resolveExpressions(raw, resolve);
    // The runner upper-cases the name and replaces spaces with underscores; dashes stay.
    env[`INPUT_${input.id.replace(/ /g, "_").toUpperCase()}`] = value;
  }
  for (const id of Object.keys(overrides)) {
    if (!(template.inputs ?? []).some((input) => input.id === id)) throw new Error(`action.yml has no input '${id}'`);
  }
  return env;
}

function resolveExpressions(raw: string, resolve: (expression: string) => string): string {
  return raw.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_match, expression: string) => resolve(expression));
}
