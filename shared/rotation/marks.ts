/**
 * The marks the protocol leaves in Graph and Key Vault: they ARE its state. A managed password's
 * displayName says this tool created it; the Key Vault version's tags say which app and keyId its
 * value belongs to, when it was rotated, and (once a token was obtained with it) when it was verified.
 */
import type { PasswordInfo, VaultVersion } from "./ports.js";

export const ROTATED_BY = "azure-auth-gate";
export const MANAGED_PREFIX = "azure-auth-gate managed";
export const CONTENT_TYPE = "application/vnd.azure-auth-gate.client-secret";

export const TAG = {
  appId: "appId",
  keyId: "keyId",
  rotatedBy: "rotatedBy",
  rotatedAt: "rotatedAt",
  verifiedAt: "verifiedAt",
  replaces: "replacesKeyId",
} as const;

/** `azure-auth-gate managed [<deployment>] <time>`: which gate deployment made it, so two deployments never touch each other's. */
export function managedDisplayName(deployment: string, at: Date): string {
  return `${MANAGED_PREFIX} [${deployment}] ${at.toISOString()}`;
}

/** Made by THIS deployment (its exact marker), never judged by dates a user can set. */
export function isManaged(p: PasswordInfo, deployment: string): boolean {
  return p.displayName.startsWith(`${MANAGED_PREFIX} [${deployment}] `);
}

/** Whether a vault version was written by this tool for this app. */
export function belongsTo(v: VaultVersion, appId: string): boolean {
  return (
    v.tags[TAG.rotatedBy] === ROTATED_BY && (v.tags[TAG.appId] ?? "").toLowerCase() === appId.toLowerCase() && Boolean(v.tags[TAG.keyId])
  );
}

export function dateTag(v: VaultVersion, tag: string): Date | undefined {
  const raw = v.tags[tag];
  if (!raw) return undefined;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
