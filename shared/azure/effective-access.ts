/**
 * The product's own effective-access evaluator. No Azure API answers "what may ANOTHER principal do
 * here?" (…/permissions answers for the caller only), so the gate computes it from the principal's
 * role assignments, their role definitions and the deny assignments, as Azure documents RBAC:
 *
 * - an assignment at scope S applies to S and everything below it (container → account → resource
 *   group → subscription → management group → root); ARM ids compare case-insensitively;
 * - a permission block grants `dataActions` minus its own `notDataActions` (`actions` minus
 *   `notActions` on the control plane); `*` is a wildcard that may span `/`, case-insensitive;
 * - deny assignments win: they apply at their scope and below (unless doNotApplyToChildScopes), to the
 *   listed principals or Everyone, minus excludePrincipals;
 * - an assignment with an ABAC `condition` is reported as conditional, never evaluated (AG215);
 * - vaults in the access-policy model ignore RBAC data actions: see `accessPolicyPermits`.
 * Whatever could not be read (a listing, a role definition) is returned as `unknown`, so callers
 * fail closed instead of concluding "no access".
 */
import { isAtOrBelow, isManagementGroupScope, lastSegment, sameArmId, subscriptionOf } from "./arm-id.js";
import type {
  DenyAssignmentFact,
  PermissionBlock,
  PrincipalRbacFacts,
  RoleAssignmentFact,
  RoleDefinitionFact,
  Unreadable,
  VaultFact,
} from "./facts/types.js";

export const EVERYONE = "00000000-0000-0000-0000-000000000000";

export type Plane = "control" | "data";

const patternCache = new Map<string, RegExp>();

/** Azure's action wildcard: `*` matches any run of characters (including `/`), case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${body}$`, "i");
    patternCache.set(pattern, re);
  }
  return re.test(action);
}

/** One block covers the action when an allow pattern matches and no "not" pattern of the SAME block does. */
export function blockCovers(block: PermissionBlock, action: string, plane: Plane): boolean {
  const allow = plane === "data" ? block.dataActions : block.actions;
  const except = plane === "data" ? block.notDataActions : block.notActions;
  return allow.some((p) => actionMatches(p, action)) && !except.some((p) => actionMatches(p, action));
}

export function roleGrants(role: RoleDefinitionFact, action: string, plane: Plane): boolean {
  return role.permissions.some((b) => blockCovers(b, action, plane));
}

/** Does an assignment/deny at `scope` (returned by the listing of subscription `listedIn`) reach `target`? */
export function scopeCovers(scope: string, target: string, listedIn: string): boolean {
  if (isAtOrBelow(scope, target)) return true;
  // The management-group hierarchy is not visible to the gate; ARM only returns a management-group
  // assignment in a subscription's listing when the subscription lies below that group.
  return isManagementGroupScope(scope) && subscriptionOf(target) === listedIn.toLowerCase();
}

export interface Grant {
  assignment: RoleAssignmentFact;
  role: RoleDefinitionFact;
  /** Carries an ABAC condition: the control plane cannot decide it. */
  conditional: boolean;
}

export interface AccessResult {
  /** An unconditional grant exists and no deny assignment removes the action. */
  allowed: boolean;
  grants: Grant[];
  unconditional: Grant[];
  conditional: Grant[];
  denies: DenyAssignmentFact[];
  /** Facts that could not be read and could change the answer. */
  unknown: Unreadable[];
  /** Deny listings that could not be read (only matter when a grant exists). */
  unknownDenies: Unreadable[];
}

function denyApplies(d: DenyAssignmentFact, principalId: string, target: string, action: string, plane: Plane): boolean {
  const pid = principalId.toLowerCase();
  if (d.excludePrincipals.some((p) => p.toLowerCase() === pid)) return false;
  if (!d.principals.some((p) => p.toLowerCase() === pid || p === EVERYONE)) return false;
  const reaches = d.doNotApplyToChildScopes ? sameArmId(d.scope, target) : scopeCovers(d.scope, target, d.listedIn);
  return reaches && d.permissions.some((b) => blockCovers(b, action, plane));
}

/** Effective access of `rbac.principalId` to `action` at the resource (or sub-resource) `target`. */
export function evaluateAccess(rbac: PrincipalRbacFacts, target: string, action: string, plane: Plane = "data"): AccessResult {
  const sub = subscriptionOf(target) ?? "";
  const result: AccessResult = {
    allowed: false,
    grants: [],
    unconditional: [],
    conditional: [],
    denies: [],
    unknown: [],
    unknownDenies: [],
  };
  const listing = rbac.assignments.get(sub);
  if (!listing) {
    result.unknown.push({
      what: `role assignments in subscription ${sub}`,
      error: { message: "not listed (subscription not in the config's subscriptions)" },
    });
  } else if (!listing.ok) {
    result.unknown.push({ what: `role assignments in subscription ${sub}`, error: listing.error });
  } else {
    for (const a of listing.value) {
      if (a.principalId.toLowerCase() !== rbac.principalId.toLowerCase()) continue;
      if (!scopeCovers(a.scope, target, a.listedIn)) continue;
      const def = rbac.definitions.get(lastSegment(a.roleDefinitionId));
      if (!def || !def.ok) {
        result.unknown.push({
          what: `role definition ${lastSegment(a.roleDefinitionId)}`,
          error: def && !def.ok ? def.error : { message: "not fetched" },
        });
        continue;
      }
      if (!roleGrants(def.value, action, plane)) continue;
      const grant: Grant = { assignment: a, role: def.value, conditional: Boolean(a.condition && a.condition.trim()) };
      result.grants.push(grant);
      (grant.conditional ? result.conditional : result.unconditional).push(grant);
    }
  }
  const denies = rbac.denies.get(sub);
  if (!denies || !denies.ok) {
    result.unknownDenies.push({
      what: `deny assignments in subscription ${sub}`,
      error: denies && !denies.ok ? denies.error : { message: "not listed" },
    });
  } else {
    result.denies = denies.value.filter((d) => denyApplies(d, rbac.principalId, target, action, plane));
  }
  result.allowed = result.unconditional.length > 0 && result.denies.length === 0;
  return result;
}

/** Access-policy vaults: does the principal's own policy (not a compound identity's) allow `permission`? */
export function accessPolicyPermits(vault: VaultFact, principalId: string, permission: string): boolean {
  const pid = principalId.toLowerCase();
  return vault.accessPolicies.some(
    (p) =>
      p.objectId.toLowerCase() === pid && !p.applicationId && (p.secrets.includes(permission.toLowerCase()) || p.secrets.includes("all")),
  );
}

/** Roles that are over-broad for a pod identity (AG209), by built-in GUID. */
export const BROAD_ROLES: Readonly<Record<string, string>> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
};

/** A role is over-broad when it is one of BROAD_ROLES or allows every control-plane action (`*`). */
export function isBroadRole(role: RoleDefinitionFact): boolean {
  if (BROAD_ROLES[role.name.toLowerCase()]) return true;
  if (["owner", "contributor", "user access administrator"].includes(role.roleName.toLowerCase())) return true;
  return role.permissions.some((b) => b.actions.includes("*"));
}
