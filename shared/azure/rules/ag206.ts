/** AG206 — a federated credential's audience is not api://AzureADTokenExchange. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { describeIdentity, identityTarget } from "./common.js";
import { federationContext } from "./federation-context.js";
import { azCommand, ficPlan, withFixVariants } from "./fix-commands.js";

export function ag206(facts: TargetFacts): Finding[] {
  const ctx = federationContext(facts);
  if (!ctx || ctx.verdict?.kind !== "AG206") return [];
  const { nearest } = ctx.verdict;
  const { issuer, subject, audience } = ctx.presented;
  const plan = ficPlan(ctx.identity, { name: nearest.name, issuer, subject, audience }, true);
  return [
    withFixVariants(
      raise("AG206", {
        target: identityTarget(ctx.identity),
        evidence: `federated credential '${nearest.name}' matches the issuer and subject but its audiences are [${nearest.audiences.map((a) => `'${a}'`).join(", ")}]; the projected token carries '${audience}' (${describeIdentity(ctx.identity)})`,
        fix: azCommand(plan),
      }),
      plan,
    ),
  ];
}
