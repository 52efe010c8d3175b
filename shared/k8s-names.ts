/**
 * Kubernetes' own name rules, applied when the manifests are read: a name the API server would refuse
 * is an input error (exit 2) here, never text that reaches a printed kubectl command. Object names
 * and ServiceAccount names are RFC 1123 subdomains (≤253, lowercase alphanumerics, `-` and `.`);
 * namespaces are RFC 1123 labels (≤63, no `.`) — apimachinery's IsDNS1123Subdomain / IsDNS1123Label.
 */
import { InputError } from "./errors.js";

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export type NameRule = "label" | "subdomain" | "generateName";

/** Why `value` is not a valid name under `rule`, or undefined when it is. */
export function invalidName(value: string, rule: NameRule): string | undefined {
  if (rule === "label") {
    if (value.length > 63) return "must be at most 63 characters (an RFC 1123 label)";
    return LABEL.test(value)
      ? undefined
      : "must be an RFC 1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
  }
  // generateName is a prefix: the API server appends 5 characters, so a trailing '-' is fine.
  const name = rule === "generateName" ? `${value}x` : value;
  if (name.length > 253) return "must be at most 253 characters (an RFC 1123 subdomain)";
  return SUBDOMAIN.test(name)
    ? undefined
    : "must be an RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
}

/** Throws the one-line input error for an invalid name; the name itself is shown JSON-quoted (no control characters). */
export function requireName(value: string, rule: NameRule, where: { file: string; line: number; field: string }): void {
  const why = invalidName(value, rule);
  if (why) throw new InputError(`${JSON.stringify(value.slice(0, 80))} ${why}`, where);
}
