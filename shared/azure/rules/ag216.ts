/** AG216 — the target's ServiceAccount names no client id (no annotation, no clientId in the config): nothing to prove. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { describeWorkload, workloadTarget } from "./common.js";
import { annotateClientIdCommand } from "./fix-commands.js";

export function ag216(facts: TargetFacts): Finding[] {
  const t = facts.target;
  if (facts.identity.clientId) return [];
  return [
    raise("AG216", {
      target: workloadTarget(t),
      ...(t.location ? { location: t.location } : {}),
      evidence: `${describeWorkload(t)}: ServiceAccount ${t.serviceAccount} has no azure.workload.identity/client-id annotation and the config sets no clientId, so there is no identity to federate and the pod gets no token`,
      fix: annotateClientIdCommand(t.namespace, t.serviceAccount, "<client id of the workload's user-assigned identity>"),
    }),
  ];
}
