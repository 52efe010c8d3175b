/** Every finding → its plan: intents (mechanical), or a TODO with the reason (and guidance for literal secrets). */
import type { RuleIdOf } from "../findings/catalogue.js";
import type { Finding } from "../findings/model.js";
import { planCredentialGuidance } from "./guidance.js";
import type { Plan, PlanContext } from "./plan-context.js";
import { planAg104, planAg105, planAg109 } from "./plan-identity.js";
import { planAg102, planAg110 } from "./plan-migration.js";
import { planPodIdentity } from "./plan-pod-identity.js";

/**
 * What `fix` does for each finding it can change in the manifests, in README order. The one source for the
 * README's fix table (`npm run docs` generates it, `--check` catches drift) and for the planners below: an id
 * here without a planner, or a planner without a line here, does not compile.
 */
export const FIX_ACTIONS = {
  AG104: 'adds `azure.workload.identity/use: "true"` to the **pod template** labels',
  AG105: "annotates the ServiceAccount with the client id, when the config (`targets[].clientId`) or another object names it",
  AG109: "aligns the container's `AZURE_CLIENT_ID` with the ServiceAccount's annotation",
  AG110: "gives the migrate Job / hook the app's ServiceAccount and the pod label",
  AG102: "removes the leftover half-set `AZURE_TENANT_ID` / `AZURE_CLIENT_ID` once Workload Identity is wired",
  AG103:
    "replaces AAD Pod Identity (`aadpodidbinding`, `AzureIdentity`, `AzureIdentityBinding`) with an annotated ServiceAccount + the label, and prints the federated-credential command to run",
} as const satisfies Partial<Record<RuleIdOf<"static">, string>>;

export type MechanicalFixId = keyof typeof FIX_ACTIONS;

/** AG103 is planned for all its findings at once (bindings and identities are shared), the others one by one. */
const PLANNERS: { readonly [Id in Exclude<MechanicalFixId, "AG103">]: (ctx: PlanContext, f: Finding) => Plan } = {
  AG102: planAg102,
  AG104: planAg104,
  AG105: planAg105,
  AG109: planAg109,
  AG110: planAg110,
};

/** The finding ids `fix` can change in the manifests (the others are TODOs or guidance). */
export const MECHANICAL_FIXES: readonly MechanicalFixId[] = (Object.keys(FIX_ACTIONS) as MechanicalFixId[]).sort();

function plannerFor(id: string): ((ctx: PlanContext, f: Finding) => Plan) | undefined {
  return Object.hasOwn(PLANNERS, id) ? PLANNERS[id as keyof typeof PLANNERS] : undefined;
}

export function planAll(ctx: PlanContext, findings: readonly Finding[]): Map<Finding, Plan> {
  const out = planPodIdentity(
    ctx,
    findings.filter((f) => f.id === "AG103"),
  );
  for (const f of findings) {
    if (out.has(f)) continue;
    const planner = plannerFor(f.id);
    out.set(
      f,
      planner ? planner(ctx, f) : (planCredentialGuidance(ctx, f) ?? { todo: "no mechanical fix: apply the finding's fix by hand" }),
    );
  }
  return out;
}
