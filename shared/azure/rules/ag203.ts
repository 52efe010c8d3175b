/** AG203 — the identity has no federated credential for the cluster's issuer and the pod's subject. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { couldNotVerify, describeIdentity, describeWorkload, identityTarget } from "./common.js";
import { federationContext } from "./federation-context.js";
import { azCommand, ficPlan, newFicName, withFixVariants } from "./fix-commands.js";

export function ag203(facts: TargetFacts): Finding[] {
  const ctx = federationContext(facts);
  if (!ctx) return [];
  const target = identityTarget(ctx.identity);
  if (!ctx.fics.ok) {
    return [
      couldNotVerify("AG203", target, `reading the federated credentials of ${describeIdentity(ctx.identity)}`, [
        { what: "federated identity credentials", error: ctx.fics.error },
      ]),
    ];
  }
  if (ctx.verdict?.kind !== "AG203") return [];
  const { issuer, subject, audience } = ctx.presented;
  const all = ctx.fics.value;
  const nearest = ctx.verdict.nearest;
  const seen =
    all.length === 0
      ? "it has no federated credentials at all"
      : `it has ${all.length} federated credential(s), none for this issuer and subject; nearest: '${nearest?.name ?? ""}' (issuer '${nearest?.issuer ?? ""}', subject '${nearest?.subject ?? ""}')`;
  const plan = ficPlan(ctx.identity, {
    name: newFicName(facts.target.namespace, facts.target.serviceAccount, all),
    issuer,
    subject,
    audience,
  });
  return [
    withFixVariants(
      raise("AG203", {
        target,
        evidence: `${describeWorkload(facts.target)} presents issuer '${issuer}' and subject '${subject}' to ${describeIdentity(ctx.identity)}; ${seen} (Entra answers AADSTS70021)`,
        fix: azCommand(plan),
      }),
      plan,
    ),
  ];
}
