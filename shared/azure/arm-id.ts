/**
 * ARM resource ids: ARM compares them case-insensitively, segment by segment; a scope covers itself
 * and everything below it (container → account → resource group → subscription → management group).
 */

function segments(id: string): string[] {
  return id
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => s.toLowerCase());
}

/** Same ARM id, ignoring case and duplicate or trailing slashes. */
export function sameArmId(a: string, b: string): boolean {
  return segments(a).join("/") === segments(b).join("/");
}

/** True when `target` is `scope` or lies below it. The root scope `/` covers everything. */
export function isAtOrBelow(scope: string, target: string): boolean {
  const s = segments(scope);
  const t = segments(target);
  if (s.length > t.length) return false;
  return s.every((seg, i) => seg === t[i]);
}

const MANAGEMENT_GROUP = /^\/providers\/microsoft\.management\/managementgroups\/[^/]+\/?$/i;

export function isManagementGroupScope(scope: string): boolean {
  return MANAGEMENT_GROUP.test(scope.replace(/\/{2,}/g, "/"));
}

/** The subscription id in an ARM id, lower-cased, or undefined (tenant-level and management-group ids). */
export function subscriptionOf(id: string): string | undefined {
  const s = segments(id);
  return s[0] === "subscriptions" ? s[1] : undefined;
}

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. Microsoft.Storage */
  provider: string;
  /** e.g. storageAccounts */
  type: string;
  name: string;
}

/** Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}` (original case kept). */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)/i.exec(id.replace(/\/{2,}/g, "/"));
  if (!m) return undefined;
  const [, subscriptionId, resourceGroup, provider, type, name] = m;
  if (!subscriptionId || !resourceGroup || !provider || !type || !name) return undefined;
  return { subscriptionId, resourceGroup, provider, type, name };
}

export function containerScope(accountId: string, container: string): string {
  return `${accountId.replace(/\/+$/, "")}/blobServices/default/containers/${container}`;
}

export function secretScope(vaultId: string, secret: string): string {
  return `${vaultId.replace(/\/+$/, "")}/secrets/${secret}`;
}

/** Kind of scope, for evidence and for AG209 (subscription / resource group are "broad"). */
export type ScopeLevel = "root" | "managementGroup" | "subscription" | "resourceGroup" | "resource";

export function scopeLevel(scope: string): ScopeLevel {
  const s = segments(scope);
  if (s.length === 0) return "root";
  if (isManagementGroupScope(scope)) return "managementGroup";
  if (s[0] === "subscriptions" && s.length === 2) return "subscription";
  if (s[0] === "subscriptions" && s[2] === "resourcegroups" && s.length === 4) return "resourceGroup";
  return "resource";
}

/** The last segment of an id (role definition GUID, assignment GUID …), lower-cased. */
export function lastSegment(id: string): string {
  return segments(id).pop() ?? "";
}
