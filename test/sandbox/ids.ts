/**
 * Deterministic identifiers and dates for the sandbox: every GUID a scenario produces (tenant,
 * subscriptions, client/principal ids, role assignment names…) is a name-based UUID (RFC 4122
 * version 5: SHA-1 of a namespace and the name), so the same scenario always yields the same ids
 * and tests can compute them; relative dates ("-1d", "+30d", "-5m") count from the sandbox clock.
 */
import { createHash } from "node:crypto";

/** The sandbox's own UUID namespace (random once, fixed forever). */
const NAMESPACE = Buffer.from("3b0e5f0c9d2a4c7e8f1a6b5d4c3e2f1a", "hex");

/** Name-based UUID (v5) of the parts, joined with NUL so ("a","bc") ≠ ("ab","c"). */
export function nameGuid(...parts: string[]): string {
  const hash = createHash("sha1").update(NAMESPACE).update(parts.join("\0")).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** 32 hex characters, the shape of a Key Vault secret version. */
export function nameHex32(...parts: string[]): string {
  return nameGuid(...parts).replace(/-/g, "");
}

/** A stable positive integer (GitHub owner/repository ids). */
export function nameNumber(min: number, span: number, ...parts: string[]): number {
  return min + (createHash("sha256").update(parts.join("\0")).digest().readUInt32BE(0) % span);
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/**
 * "-1d", "+30d", "-5m", "+2h", "90s", "1y" relative to `origin`, or an ISO date. Returns undefined
 * for anything else (the resolver turns that into an error naming the field).
 */
export function parseWhen(value: string, origin: Date): Date | undefined {
  const rel = /^([+-]?)(\d+)([smhdwy])$/.exec(value.trim());
  if (rel) {
    const ms = Number(rel[2]) * UNIT_MS[rel[3]!]!;
    return new Date(origin.getTime() + (rel[1] === "-" ? -ms : ms));
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
