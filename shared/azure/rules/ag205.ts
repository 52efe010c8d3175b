/** AG205 — a federated credential's issuer differs from the cluster's OIDC issuer URL. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { describeIdentity, identityTarget } from "./common.js";
import { federationContext } from "./federation-context.js";
import { azCommand, ficPlan, withFixVariants } from "./fix-commands.js";

export function ag205(facts: TargetFacts): Finding[] {
  const ctx = federationContext(facts);
  if (!ctx || ctx.verdict?.kind !== "AG205") return [];
  const { nearest, difference } = ctx.verdict;
  const { issuer, subject, audience } = ctx.presented;
  const plan = ficPlan(ctx.identity, { name: nearest.name, issuer, subject, audience }, true);
  return [
    withFixVariants(
      raise("AG205", {
        target: identityTarget(ctx.identity),
        evidence:
          `federated credential '${nearest.name}' (subject '${nearest.subject}') has issuer '${nearest.issuer}'; ` +
          `the cluster's issuer is '${issuer}' — it ${difference} (${describeIdentity(ctx.identity)}; Entra answers AADSTS700211/AADSTS70021)`,
        fix: azCommand(plan),
      }),
      plan,
    ),
  ];
}
