/** AG210 — a deny assignment removes a data action the target needs. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { azureTarget, couldNotVerify, describeIdentity, describeWorkload } from "./common.js";
import { sh } from "../../shell.js";
import { evaluateRequirements, shortAction } from "./needs.js";

export function ag210(facts: TargetFacts): Finding[] {
  const identity = facts.identity.identity;
  if (!identity) return [];
  const out: Finding[] = [];
  for (const { req, access } of evaluateRequirements(facts)) {
    // Without a grant there is nothing for a deny to remove; AG207/AG208 already report it.
    if (access.grants.length === 0) continue;
    if (access.denies.length === 0 && access.unknownDenies.length > 0) {
      out.push(
        couldNotVerify(
          "AG210",
          azureTarget(req.targetId),
          `deny assignments that could remove ${shortAction(req.action)} on ${req.label}`,
          access.unknownDenies,
        ),
      );
      continue;
    }
    for (const d of access.denies) {
      out.push(
        raise("AG210", {
          target: azureTarget(req.targetId),
          evidence: `deny assignment '${d.name}' at ${d.scope} removes ${req.action} on ${req.label} for ${describeIdentity(identity)} (it wins over the granting role) — ${describeWorkload(facts.target)}`,
          fix:
            `Deny assignments are managed by what created them (deployment stack, blueprint, managed application): exclude principal ${identity.principalId} there, e.g. ` +
            `az stack group create … --deny-settings-excluded-principals ${sh(identity.principalId)}, or move ${req.label} out of ${d.scope}.`,
        }),
      );
    }
  }
  return out;
}
