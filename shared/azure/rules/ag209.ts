/** AG209 — the identity holds Owner, Contributor, User Access Administrator or a `*` action at subscription or resource-group scope (or above). */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import { lastSegment, scopeLevel, subscriptionOf } from "../arm-id.js";
import { isBroadRole } from "../effective-access.js";
import type { TargetFacts } from "../facts/types.js";
import { azureTarget, couldNotVerify, describeIdentity } from "./common.js";
import { sh } from "../../shell.js";

const BROAD_LEVELS = new Set(["root", "managementGroup", "subscription", "resourceGroup"]);

/** Subscriptions whose listing another rule already depends on (AG207/AG208 fail closed there). */
function subscriptionsWithNeeds(facts: TargetFacts): Set<string> {
  const ids = [...facts.blob.map((b) => b.account.resource?.id), ...facts.keyVault.map((k) => k.vault.resource?.id)];
  return new Set(ids.flatMap((id) => (id ? [subscriptionOf(id) ?? ""] : [])));
}

export function ag209(facts: TargetFacts): Finding[] {
  const identity = facts.identity.identity;
  const rbac = facts.rbac;
  if (!identity || !rbac) return [];
  const out: Finding[] = [];
  const covered = subscriptionsWithNeeds(facts);
  for (const [sub, listing] of rbac.assignments) {
    if (!listing.ok) {
      if (!covered.has(sub))
        out.push(
          couldNotVerify("AG209", azureTarget(`/subscriptions/${sub}`), `listing the role assignments of ${describeIdentity(identity)}`, [
            { what: `role assignments in subscription ${sub}`, error: listing.error },
          ]),
        );
      continue;
    }
    for (const a of listing.value) {
      if (!BROAD_LEVELS.has(scopeLevel(a.scope))) continue;
      const def = rbac.definitions.get(lastSegment(a.roleDefinitionId));
      if (!def || !def.ok || !isBroadRole(def.value)) continue;
      out.push(
        raise("AG209", {
          target: azureTarget(a.id),
          evidence: `${describeIdentity(identity)} holds '${def.value.roleName}' at ${scopeLevel(a.scope)} scope ${a.scope}: a pod identity needs only data roles on its own containers and vaults`,
          fix: `az role assignment delete --ids ${sh(a.id)}`,
        }),
      );
    }
  }
  return out;
}
