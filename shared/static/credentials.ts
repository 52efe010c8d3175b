/**
 * What counts as a credential in a manifest (AG101, AG108, AG111). Detection returns a description of
 * the kind of credential, never the value or any part of it: callers put that description in evidence.
 */

/** Variables whose value is a credential by definition. */
export const CREDENTIAL_VARS: ReadonlySet<string> = new Set([
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_STORAGE_KEY",
  "AZURE_STORAGE_CONNECTION_STRING",
]);

/** Value shapes that are credentials whatever the variable is called (connection strings, SAS URLs). */
const VALUE_PATTERNS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /AccountKey=/i, what: "a storage account key" },
  { pattern: /SharedAccessSignature=/i, what: "a shared access signature" },
  { pattern: /\bsig=/i, what: "a SAS token signature" },
];

/** Describes the credential a name/value pair carries, or undefined. Empty values carry nothing. */
export function credentialKind(name: string, value: string): string | undefined {
  if (value.trim() === "") return undefined;
  const upper = name.toUpperCase();
  if (CREDENTIAL_VARS.has(upper)) return "a credential";
  for (const { pattern, what } of VALUE_PATTERNS) if (pattern.test(value)) return what;
  return undefined;
}

/** "40 characters, redacted": the only thing evidence ever says about a secret value. */
export function redactedLength(value: string): string {
  const n = [...value].length;
  return `${n} character${n === 1 ? "" : "s"}, redacted`;
}
