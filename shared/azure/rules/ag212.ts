/** AG212 — a needed role assignment was created in the last 10 minutes (RBAC propagation may still be under way). */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { azureTarget } from "./common.js";
import { evaluateRequirements, shortAction } from "./needs.js";

export const PROPAGATION_MS = 10 * 60 * 1000;

export function ag212(facts: TargetFacts): Finding[] {
  const now = facts.now.getTime();
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const { req, access } of evaluateRequirements(facts)) {
    for (const g of access.grants) {
      const created = g.assignment.createdOn ? Date.parse(g.assignment.createdOn) : NaN;
      if (!Number.isFinite(created) || now - created >= PROPAGATION_MS || created > now + 60_000) continue;
      const key = `${g.assignment.id}|${req.targetId}`.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const minutes = Math.max(0, Math.round((now - created) / 60_000));
      out.push(
        raise("AG212", {
          target: azureTarget(req.targetId),
          evidence: `role assignment '${g.role.roleName}' at ${g.assignment.scope} (grants ${shortAction(req.action)} on ${req.label}) was created at ${g.assignment.createdOn ?? ""}, ${minutes} minute(s) ago`,
          fix: `Nothing to change: Azure RBAC can take up to 10 minutes to propagate. Re-run after ${new Date(created + PROPAGATION_MS).toISOString()} (or run the live probe).`,
        }),
      );
    }
  }
  return out;
}
