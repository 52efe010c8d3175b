/** AG207 — the identity's effective permissions at the container's scope lack the Blob data action the target needs. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { azureTarget, couldNotVerify, describeIdentity, describeWorkload } from "./common.js";
import { azCommand, withFixVariants } from "./fix-commands.js";
import type { AzureFixPlan } from "../iac.js";
import { evaluateRequirements, nearMisses, shortAction, type EvaluatedRequirement } from "./needs.js";

/** Groups the AG207 or AG208 requirements that lack any grant, per finding target. */
export function missingGrants(facts: TargetFacts, rule: "AG207" | "AG208"): Map<string, EvaluatedRequirement[]> {
  const groups = new Map<string, EvaluatedRequirement[]>();
  for (const e of evaluateRequirements(facts)) {
    if (e.req.rule !== rule || e.access.grants.length > 0) continue;
    const list = groups.get(e.req.targetId) ?? [];
    list.push(e);
    groups.set(e.req.targetId, list);
  }
  return groups;
}

export function ag207(facts: TargetFacts): Finding[] {
  const identity = facts.identity.identity;
  if (!identity) return [];
  const out: Finding[] = [];
  for (const [targetId, missing] of missingGrants(facts, "AG207")) {
    const first = missing[0];
    if (!first) continue;
    const unknown = missing.flatMap((m) => m.access.unknown);
    const subject = `${describeWorkload(facts.target)} needs ${missing.map((m) => shortAction(m.req.action)).join(" and ")} on ${first.req.label}`;
    if (unknown.length > 0) {
      out.push(couldNotVerify("AG207", azureTarget(targetId), subject, unknown));
      continue;
    }
    const near = [...new Set(missing.flatMap((m) => nearMisses(facts, m.req)))];
    const plan: AzureFixPlan = { kind: "roleAssignment", principalId: identity.principalId, role: first.req.role, scope: first.req.scope };
    out.push(
      withFixVariants(
        raise("AG207", {
          target: azureTarget(targetId),
          evidence: `${describeIdentity(identity)} has no role granting ${missing.map((m) => shortAction(m.req.action)).join(" and ")} at ${first.req.label}${near.length > 0 ? `; ${near.slice(0, 3).join("; ")}` : "; it holds no role that covers this scope"} — ${describeWorkload(facts.target)}`,
          fix: azCommand(plan),
        }),
        plan,
      ),
    );
  }
  return out;
}
