/**
 * What counts as a credential in a manifest (AG101, AG108, AG111), from the one table in
 * credential-knowledge.ts. Detection returns a description of the kind of credential, never the value
 * or any part of it: callers put that description in evidence.
 */
import { credentialVariable, isSecretVariable, valueShape, type CredentialRole } from "./credential-knowledge.js";

/** Whose key it is, for the fix: an identity's secret is rotated in Entra ID, a key on its resource. */
export type CredentialFamily = "identity" | "storage" | "messaging" | "cosmos";

/** Describes the credential a name/value pair carries, or undefined. Empty values carry nothing. */
export function credentialKind(name: string, value: string): string | undefined {
  if (value.trim() === "") return undefined;
  if (isSecretVariable(name)) return "a credential";
  return valueShape(value)?.what;
}

/** What part of a credential the pair carries: by the variable's name, else by the value's shape. */
export function credentialRole(name: string, value: string): CredentialRole | undefined {
  if (isSecretVariable(name)) return credentialVariable(name)?.role;
  return valueShape(value)?.role;
}

/** The family of the credential a pair carries (undefined when it carries none). */
export function credentialFamily(name: string, value: string): CredentialFamily | undefined {
  const role = credentialRole(name, value);
  if (role === undefined) return undefined;
  if (role === "clientSecret" || role === "certificatePassword" || role === "privateKey" || role === "password") return "identity";
  const reader = isSecretVariable(name) ? credentialVariable(name)?.reader : undefined;
  if (reader === "messaging" || /SharedAccessKey=/i.test(value)) return "messaging";
  if (reader === "cosmos") return "cosmos";
  return "storage";
}

/** "40 characters, redacted": the only thing evidence ever says about a secret value. */
export function redactedLength(value: string): string {
  const n = [...value].length;
  return `${n} character${n === 1 ? "" : "s"}, redacted`;
}
