/** AG204 — a federated credential exists for the issuer but its subject names another namespace or ServiceAccount. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { describeIdentity, identityTarget } from "./common.js";
import { federationContext } from "./federation-context.js";
import { azCommand, ficPlan, newFicName, withFixVariants } from "./fix-commands.js";

export function ag204(facts: TargetFacts): Finding[] {
  const ctx = federationContext(facts);
  if (!ctx || !ctx.fics.ok || ctx.verdict?.kind !== "AG204") return [];
  const { nearest, difference } = ctx.verdict;
  const { issuer, subject, audience } = ctx.presented;
  const caseOnly = nearest.subject.toLowerCase() === subject.toLowerCase();
  const plan = caseOnly
    ? ficPlan(ctx.identity, { name: nearest.name, issuer, subject, audience }, true)
    : ficPlan(ctx.identity, {
        name: newFicName(facts.target.namespace, facts.target.serviceAccount, ctx.fics.value),
        issuer,
        subject,
        audience,
      });
  return [
    withFixVariants(
      raise("AG204", {
        target: identityTarget(ctx.identity),
        evidence:
          `federated credential '${nearest.name}' subject is '${nearest.subject}'; the pod runs as '${subject}' ` +
          `(${difference}) — ${facts.target.kind} ${facts.target.namespace}/${facts.target.name}, ${describeIdentity(ctx.identity)}; ` +
          `Entra answers ${caseOnly ? "AADSTS7002138" : "AADSTS700213"}`,
        fix: azCommand(plan),
      }),
      plan,
    ),
  ];
}
