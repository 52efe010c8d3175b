/**
 * A config's first schema problem as the user should read it: the key or the value at fault, in words,
 * instead of zod's own wording ("Invalid input: expected string, received undefined" for a key that is
 * missing because it was misspelled two lines up). Shared by the gate config and the sweep config.
 */
import type { z } from "zod";

export interface ConfigProblem {
  /** Where it is: the unknown key itself, or the key whose value is wrong or missing. */
  path: PropertyKey[];
  message: string;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Longest string value an error repeats. */
const ECHO_MAX = 24;

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  // A short value is echoed so the user sees what was read; a long string might be a secret pasted into the
  // wrong key (an Entra client secret is 40 characters), so only its length is said.
  if (typeof value === "string" && value.length > ECHO_MAX) return `a string of ${value.length} characters`;
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

const KINDS: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

/** How zod's own messages begin; only those are reworded. */
const ZOD_WORDING = /^(Invalid input|Invalid option|Too big|Too small)\b/;

const samePath = (a: readonly PropertyKey[], b: readonly PropertyKey[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/** A required key the config leaves out: the issue's path ends at it and nothing is there. */
function isMissing(issue: z.core.$ZodIssue, raw: unknown): boolean {
  return issue.code === "invalid_type" && issue.path.length > 0 && valueAt(raw, issue.path) === undefined;
}

/** What a bound counts, by zod's `origin`, singular and plural. */
const UNITS: Record<string, [string, string]> = {
  string: ["character", "characters"],
  array: ["entry", "entries"],
  set: ["entry", "entries"],
};

function bound(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const exact = issue.inclusive !== false;
  const [words, limit] =
    issue.code === "too_big" ? [exact ? "at most" : "less than", issue.maximum] : [exact ? "at least" : "more than", issue.minimum];
  const unit = UNITS[issue.origin];
  return `must be ${words} ${String(limit)}${unit ? ` ${Number(limit) === 1 ? unit[0] : unit[1]}` : ""}`;
}

export function describeConfigIssue(issues: readonly z.core.$ZodIssue[], raw: unknown): ConfigProblem | undefined {
  // An unknown key is usually a misspelling, and the "missing" key beside it the same word spelled right:
  // name the unknown key (the line to fix), and the missing one with it.
  const unknown = issues.find((i): i is z.core.$ZodIssueUnrecognizedKeys => i.code === "unrecognized_keys");
  if (unknown) {
    const [key = "", ...more] = unknown.keys;
    const missing = issues
      .filter((i) => isMissing(i, raw) && samePath(i.path.slice(0, -1), unknown.path))
      .map((i) => `'${String(i.path[i.path.length - 1])}'`);
    const others = more.length > 0 ? ` (and ${more.map((k) => `'${k}'`).join(", ")})` : "";
    const hint = missing.length > 0 ? `; this entry lacks ${missing.join(", ")}: misspelled?` : "";
    return { path: [...unknown.path, key], message: `unknown key '${key}'${others}${hint}` };
  }
  const issue = issues[0];
  if (!issue) return undefined;
  const path = [...issue.path];
  // A message the schema wrote itself ("at least one scope", "a GUID") already says it best.
  if (!ZOD_WORDING.test(issue.message)) return { path, message: issue.message };
  switch (issue.code) {
    case "invalid_type": {
      const expected = KINDS[issue.expected] ?? issue.expected;
      if (isMissing(issue, raw)) return { path, message: `required: ${expected}` };
      return { path, message: `must be ${expected}, not ${kindOf(valueAt(raw, issue.path))}` };
    }
    case "too_big":
    case "too_small":
      return { path, message: bound(issue) };
    case "invalid_value":
      return { path, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` };
    default:
      return { path, message: issue.message };
  }
}
