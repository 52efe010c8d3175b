/** Every finding → its plan: intents (mechanical), or a TODO with the reason (and guidance for literal secrets). */
import type { Finding } from "../findings/model.js";
import { planCredentialGuidance } from "./guidance.js";
import type { Plan, PlanContext } from "./plan-context.js";
import { planAg104, planAg105, planAg109 } from "./plan-identity.js";
import { planAg102, planAg110 } from "./plan-migration.js";
import { planPodIdentity } from "./plan-pod-identity.js";

const PLANNERS: Readonly<Record<string, (ctx: PlanContext, f: Finding) => Plan>> = {
  AG102: planAg102,
  AG104: planAg104,
  AG105: planAg105,
  AG109: planAg109,
  AG110: planAg110,
};

/** The finding ids `fix` can change in the manifests (the others are TODOs or guidance). */
export const MECHANICAL_FIXES: readonly string[] = [...Object.keys(PLANNERS), "AG103"].sort();

export function planAll(ctx: PlanContext, findings: readonly Finding[]): Map<Finding, Plan> {
  const out = planPodIdentity(ctx, findings.filter((f) => f.id === "AG103"));
  for (const f of findings) {
    if (out.has(f)) continue;
    const planner = PLANNERS[f.id];
    out.set(f, planner ? planner(ctx, f) : (planCredentialGuidance(ctx, f) ?? { todo: "no mechanical fix: apply the finding's fix by hand" }));
  }
  return out;
}
