/**
 * Helpers shared by the AG2xx rules: targets, wording, and the fail-closed "could not verify"
 * finding used when a fact could not be read after retries.
 */
import type { RuleId } from "../../findings/catalogue.js";
import { raise } from "../../findings/raise.js";
import { markUnverified, type Finding, type SourceLocation, type Target } from "../../findings/model.js";
import type { FetchFailure, NetworkAclFact, ResolvedTarget, Unreadable } from "../facts/types.js";

export function azureTarget(resourceId: string): Target {
  return { kind: "azure", name: resourceId };
}

export function workloadTarget(t: ResolvedTarget): Target {
  return { kind: t.kind, namespace: t.namespace, name: t.name };
}

/** "Deployment production/backend (ServiceAccount backend)" */
export function describeWorkload(t: ResolvedTarget): string {
  return `${t.kind} ${t.namespace}/${t.name} (ServiceAccount ${t.serviceAccount})`;
}

export function subjectOf(t: ResolvedTarget): string {
  return `system:serviceaccount:${t.namespace}:${t.serviceAccount}`;
}

/** "HTTP 429 TooManyRequests" / "AuthorizationFailed" / the message. Never includes headers or bodies. */
export function describeFailure(e: FetchFailure): string {
  const parts = [e.status !== undefined ? `HTTP ${e.status}` : undefined, e.code].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : e.message;
}

export { isUnverified, markUnverified } from "../../findings/model.js";

function unreadableFix(e: FetchFailure): string {
  if (e.status === 401 || e.status === 403) {
    return "Give the gate's identity read access where it was refused (Reader on the subscriptions in the config; Graph Application.Read.All for app registrations; secret properties are ARM's `Microsoft.KeyVault/vaults/secrets/read`, which Reader includes — look for a deny assignment if Reader is there), then re-run.";
  }
  if (e.status === 429 || (e.status !== undefined && e.status >= 500)) {
    return "Azure throttled or failed the read even after honouring Retry-After; re-run the gate later or raise `retryBudgetSeconds` in azure-auth-gate.yml.";
  }
  return "Re-run the gate; if it persists, check the gate's network path and permissions to Azure.";
}

/**
 * The fail-closed finding: reuses the closest rule id, at error severity, with evidence
 * "could not verify: <status/code> reading <what>". Never a silent pass.
 */
export function couldNotVerify(
  id: RuleId,
  target: Target,
  subject: string,
  unreadable: readonly Unreadable[],
  location?: SourceLocation,
): Finding {
  const first = unreadable[0];
  const reasons = unreadable.map((u) => `${describeFailure(u.error)} reading ${u.what}`);
  return markUnverified(
    raise(id, {
      target,
      evidence: `could not verify: ${reasons.slice(0, 3).join("; ")}${reasons.length > 3 ? `; and ${reasons.length - 3} more` : ""} — ${subject}`,
      fix: first ? unreadableFix(first.error) : unreadableFix({ message: "" }),
      ...(location ? { location } : {}),
    }),
  );
}

/** Levenshtein distance, for picking the nearest near-miss. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/** A network rule set that refuses public access outright ("Disabled", "SecuredByPerimeter"…; undefined means Enabled). */
export function publicAccessOff(n: NetworkAclFact): boolean {
  return n.publicNetworkAccess !== undefined && n.publicNetworkAccess.toLowerCase() !== "enabled";
}

/** Findings about the identity: its ARM id (UAMI) or its app registration (client id). */
export function identityTarget(identity: { kind: "managedIdentity" | "application"; id: string; clientId: string }): Target {
  return identity.kind === "managedIdentity" ? { kind: "azure", name: identity.id } : { kind: "application", name: identity.clientId };
}

export function describeIdentity(identity: { kind: "managedIdentity" | "application"; name: string; principalId: string }): string {
  return `${identity.kind === "managedIdentity" ? "managed identity" : "app registration"} '${identity.name}' (principal ${identity.principalId})`;
}
