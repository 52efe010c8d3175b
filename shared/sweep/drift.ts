/**
 * What changed since the previous sweep of the same scope: findings that are new, fixed or still
 * open (by finding id + target), and bindings that changed (AG406): federated credentials added,
 * removed or edited (issuer / subject = ServiceAccount / audiences) and role assignments of the
 * bound identities added or removed.
 */
import { raise } from "../findings/raise.js";
import { targetKey, type Finding, type Target } from "../findings/model.js";
import { azureTarget } from "../azure/rules/common.js";
import type { Binding, Inventory, RoleAssignmentEntry } from "./discover.js";

export interface FindingRef {
  id: string;
  target: Target;
  title: string;
}

export interface FindingDrift {
  /** The run compared with (undefined on the first sweep of a scope). */
  previousRunId?: string;
  new: FindingRef[];
  fixed: FindingRef[];
  stillOpen: FindingRef[];
}

// Events, not conditions: a rotation or a binding change happens once and is never "still open".
const EVENTS = new Set(["AG404", "AG406"]);

const ref = (f: Finding): FindingRef => ({ id: f.id, target: f.target, title: f.title });
const key = (f: { id: string; target: Target }) => `${f.id}|${targetKey(f.target)}`;

export function findingDrift(previous: readonly Finding[] | undefined, current: readonly Finding[], previousRunId?: string): FindingDrift {
  const live = (fs: readonly Finding[]) => fs.filter((f) => !f.waived && !EVENTS.has(f.id));
  const before = new Map(live(previous ?? []).map((f) => [key(f), f]));
  const now = new Map(live(current).map((f) => [key(f), f]));
  return {
    ...(previousRunId ? { previousRunId } : {}),
    new: [...now].filter(([k]) => previous !== undefined && !before.has(k)).map(([, f]) => ref(f)),
    fixed: [...before].filter(([k]) => !now.has(k)).map(([, f]) => ref(f)),
    stillOpen: [...now].filter(([k]) => before.has(k)).map(([, f]) => ref(f)),
  };
}

function describeBinding(b: Binding): string {
  return `federated credential '${b.ficName}' (issuer ${b.issuer}, subject ${b.subject}, audiences ${b.audiences.join(",")})`;
}

function roleGuid(ra: RoleAssignmentEntry): string {
  return ra.roleDefinitionId.split("/").pop() ?? ra.roleDefinitionId;
}

/** AG406 for every binding change; nothing on the first sweep (there is no baseline to compare with). */
export function bindingChanges(previous: Inventory | undefined, current: Inventory): Finding[] {
  if (!previous) return [];
  const out: Finding[] = [];
  const before = new Map(previous.bindings.map((b) => [b.key, b]));
  const after = new Map(current.bindings.map((b) => [b.key, b]));
  const review =
    "Review the change in the identity's federated credentials (az identity federated-credential list); if it was intended, nothing to do.";
  for (const [k, b] of after) {
    const old = before.get(k);
    if (!old) out.push(raise("AG406", { target: azureTarget(b.identityId), evidence: `added: ${describeBinding(b)}`, fix: review }));
    else if (old.issuer !== b.issuer || old.subject !== b.subject || old.audiences.join(",") !== b.audiences.join(",")) {
      out.push(
        raise("AG406", {
          target: azureTarget(b.identityId),
          evidence: `changed: ${describeBinding(old)} → ${describeBinding(b)}`,
          fix: review,
        }),
      );
    }
  }
  for (const [k, b] of before) {
    if (!after.has(k))
      out.push(raise("AG406", { target: azureTarget(b.identityId), evidence: `removed: ${describeBinding(b)}`, fix: review }));
  }
  const identityOf = (principalId: string, inv: Inventory) =>
    inv.bindings.find((b) => b.principalId.toLowerCase() === principalId.toLowerCase())?.identityId ?? principalId;
  const rasBefore = new Map(previous.roleAssignments.map((r) => [r.id.toLowerCase(), r]));
  const rasAfter = new Map(current.roleAssignments.map((r) => [r.id.toLowerCase(), r]));
  const rbacFix = "Review the role assignment (az role assignment list --assignee <principalId> --all); if it was intended, nothing to do.";
  for (const [k, r] of rasAfter) {
    if (!rasBefore.has(k))
      out.push(
        raise("AG406", {
          target: azureTarget(identityOf(r.principalId, current)),
          evidence: `role assignment added: role ${roleGuid(r)} at ${r.scope}`,
          fix: rbacFix,
        }),
      );
  }
  for (const [k, r] of rasBefore) {
    if (!rasAfter.has(k))
      out.push(
        raise("AG406", {
          target: azureTarget(identityOf(r.principalId, previous)),
          evidence: `role assignment removed: role ${roleGuid(r)} at ${r.scope}`,
          fix: rbacFix,
        }),
      );
  }
  return out;
}
