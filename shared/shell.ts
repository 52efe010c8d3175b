/**
 * The one way a name reaches a printed shell command. Every az / kubectl / npx line the gate prints
 * interpolates names from manifests, config, Azure or the pull request (a ServiceAccount called
 * `x;curl …|sh;#` is valid YAML): each such name goes through `sh`, so pasting the command runs
 * exactly that command and nothing else. shell-quote does the quoting; plain names stay readable.
 */
import { quote } from "shell-quote";
import { TOOL } from "./tool.js";

/** Characters no POSIX shell treats specially anywhere in a word. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A command substitution the gate itself wrote (`$(az … -o tsv)`), spliced in unquoted on purpose. */
export interface Substitution {
  readonly substitution: string;
}

/** `$(command)`; `command` must already be built with `sh` for every name in it. */
export function substitution(command: string): Substitution {
  return { substitution: `$(${command})` };
}

/**
 * `value` as one shell word: unchanged when plain; in single quotes (fully literal in POSIX shells,
 * and readable: `'<resource-group>'`) when it has no quote of its own; otherwise shell-quote's form.
 */
export function sh(value: string | Substitution): string {
  if (typeof value !== "string") return `"${value.substitution}"`;
  if (PLAIN.test(value)) return value;
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  return quote([value]);
}

/** Several values as shell words, space-separated. */
export function shWords(values: readonly string[]): string {
  return values.map(sh).join(" ");
}

/** The CLI as a user runs it from anywhere, pinned to this version so the advice matches the gate that gave it. */
export const NPX_COMMAND = `npx ${TOOL.name}@${TOOL.version}`;
