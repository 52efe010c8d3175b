/**
 * AG208 — the identity cannot read the needed secrets: RBAC vault without getSecret at the secret's
 * scope, or access-policy vault without `get` (and `list`, when listing) in the identity's policy.
 */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import { accessPolicyPermits } from "../effective-access.js";
import type { IdentityFact, KeyVaultNeedFacts, TargetFacts } from "../facts/types.js";
import { azureTarget, couldNotVerify, describeIdentity, describeWorkload } from "./common.js";
import { missingGrants } from "./ag207.js";
import { azCommand, withFixVariants } from "./fix-commands.js";
import type { AzureFixPlan } from "../iac.js";
import { nearMisses } from "./needs.js";

function accessPolicyFinding(facts: TargetFacts, identity: IdentityFact, k: KeyVaultNeedFacts): Finding[] {
  const vault = k.vault.resource;
  if (!vault || vault.enableRbacAuthorization) return [];
  const wanted = k.need.access === "list" ? ["get", "list"] : ["get"];
  const lacking = wanted.filter((p) => !accessPolicyPermits(vault, identity.principalId, p));
  if (lacking.length === 0) return [];
  const own = vault.accessPolicies.find((p) => p.objectId.toLowerCase() === identity.principalId.toLowerCase() && !p.applicationId);
  const seen = own
    ? `its access policy grants secret permissions [${own.secrets.join(", ")}]`
    : `no access policy names its object id (${vault.accessPolicies.length} policies for other principals)`;
  const plan: AzureFixPlan = {
    kind: "accessPolicy",
    vault: { id: vault.id, name: vault.name },
    principalId: identity.principalId,
    ...(identity.tenantId ? { tenantId: identity.tenantId } : {}),
    permissions: [...new Set([...(own?.secrets.filter((p) => p !== "all") ?? []), ...wanted])],
    existing: own !== undefined,
  };
  return [
    withFixVariants(
      raise("AG208", {
        target: azureTarget(vault.id),
        evidence: `vault '${vault.name}' uses access policies (enableRbacAuthorization is false; Key Vault RBAC roles are ignored there) and ${describeIdentity(identity)} lacks secret permission ${lacking.map((p) => `'${p}'`).join(" and ")}: ${seen} — ${describeWorkload(facts.target)} needs ${k.need.secrets.map((s) => `'${s}'`).join(", ") || "its secrets"}`,
        fix: azCommand(plan),
      }),
      plan,
    ),
  ];
}

export function ag208(facts: TargetFacts): Finding[] {
  const identity = facts.identity.identity;
  if (!identity) return [];
  const out: Finding[] = facts.keyVault.flatMap((k) => accessPolicyFinding(facts, identity, k));
  for (const [targetId, missing] of missingGrants(facts, "AG208")) {
    const first = missing[0];
    if (!first) continue;
    const unknown = missing.flatMap((m) => m.access.unknown);
    const labels = missing.map((m) => m.req.label);
    if (unknown.length > 0) {
      out.push(couldNotVerify("AG208", azureTarget(targetId), `${describeWorkload(facts.target)} needs ${labels.join(", ")}`, unknown));
      continue;
    }
    const near = [...new Set(missing.flatMap((m) => nearMisses(facts, m.req)))];
    // Narrowest scope: the one secret when only one is missing, else the vault.
    const scope = missing.length === 1 ? first.req.scope : first.req.resource.id;
    const plan: AzureFixPlan = { kind: "roleAssignment", principalId: identity.principalId, role: first.req.role, scope };
    out.push(
      withFixVariants(
        raise("AG208", {
          target: azureTarget(targetId),
          evidence: `${describeIdentity(identity)} has no role granting ${missing
            .map((m) => m.req.action.split("/").slice(-2).join("/"))
            .filter((v, i, a) => a.indexOf(v) === i)
            .join(
              " and ",
            )} for ${labels.join(", ")} (RBAC vault)${near.length > 0 ? `; ${near.slice(0, 3).join("; ")}` : ""} — ${describeWorkload(facts.target)}`,
          fix: azCommand(plan),
        }),
        plan,
      ),
    );
  }
  return out;
}
