/** AG215 — the only role assignments granting a needed data action carry an ABAC condition: the probe decides. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { azureTarget, describeWorkload } from "./common.js";
import { sh } from "../../shell.js";
import { evaluateRequirements, shortAction } from "./needs.js";

function clip(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function ag215(facts: TargetFacts): Finding[] {
  const identity = facts.identity.identity;
  if (!identity) return [];
  const out: Finding[] = [];
  for (const { req, access } of evaluateRequirements(facts)) {
    // An unconditional grant settles it; only condition-bound access is undecidable here.
    if (access.unconditional.length > 0 || access.conditional.length === 0) continue;
    const g = access.conditional[0];
    if (!g) continue;
    out.push(
      raise("AG215", {
        target: azureTarget(req.targetId),
        evidence: `${shortAction(req.action)} on ${req.label} is granted only by '${g.role.roleName}' at ${g.assignment.scope} with condition: ${clip(g.assignment.condition ?? "")} — ${describeWorkload(facts.target)}`,
        fix: `Run the live probe (azure-auth-gate check --probe) to decide; or assign '${req.role}' without a condition: az role assignment list --assignee ${sh(identity.principalId)} --scope ${sh(req.scope)} --query "[].condition"`,
      }),
    );
  }
  return out;
}
