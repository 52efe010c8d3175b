/** AG107: a Workload Identity on the namespace's `default` ServiceAccount. */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { knownValue, presenceOf } from "../env.js";
import { federatedCredentialCommand, podServiceAccountYaml, serviceAccountYaml } from "../fix-text.js";
import { WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "../inventory.js";
import type { WorkloadView } from "../workloads.js";
import { at, podLabelsLine, targetOf, type RuleContext } from "./rule-context.js";

function dedicatedServiceAccountFix(w: WorkloadView | undefined, namespace: string, clientId: string | undefined): string {
  const sa = w ? w.name : "<app-name>";
  return [
    `Create a dedicated ServiceAccount and federate the identity with it (not with ${namespace}/default, which every pod without a serviceAccountName uses):`,
    serviceAccountYaml(namespace, sa, clientId),
    ...(w ? ["", podServiceAccountYaml(w, sa)] : []),
    "",
    federatedCredentialCommand(namespace, sa),
    `Then remove the ${WI_CLIENT_ID_ANNOTATION} annotation from ServiceAccount default and delete the federated credential for system:serviceaccount:${namespace}:default.`,
  ].join("\n");
}

export function ag107(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const sa of ctx.model.inventory.serviceAccounts.values()) {
    if (sa.name !== "default" || !sa.clientId) continue;
    const user = ctx.model.workloads.find((w) => w.namespace === sa.namespace && w.serviceAccountName === "default" && w.wiLabelled);
    out.push(
      raise("AG107", {
        target: { kind: "ServiceAccount", namespace: sa.namespace, name: sa.name },
        location: at(sa.file, sa.clientIdLine ?? sa.line),
        evidence: `ServiceAccount ${sa.namespace}/default is annotated ${WI_CLIENT_ID_ANNOTATION}: ${sa.clientId}: every pod in ${sa.namespace} that names no ServiceAccount (and carries the label) runs as that identity`,
        fix: dedicatedServiceAccountFix(user, sa.namespace, sa.clientId),
      }),
    );
  }
  for (const w of ctx.model.workloads) {
    if (!w.wiLabelled || w.serviceAccountName !== "default" || w.serviceAccount?.clientId) continue;
    // Bound to default only if an identity can be named: the container's own id, or an SA we cannot see.
    const ownIds = w.containers.map((c) => presenceOf(c.env, "AZURE_CLIENT_ID"));
    if (w.serviceAccount && !ownIds.includes("present")) continue;
    const clientId = w.containers.map((c) => knownValue(c.env.effective.get("AZURE_CLIENT_ID"))).find(Boolean);
    out.push(
      raise("AG107", {
        target: targetOf(w),
        location: at(w.file, w.locations.serviceAccountName ?? podLabelsLine(w)),
        evidence: `${formatTarget(w)} is labelled ${WI_USE_LABEL}: "true" and runs as the namespace's default ServiceAccount${w.serviceAccountExplicit ? "" : " (no serviceAccountName set)"}: the federated credential must then name system:serviceaccount:${w.namespace}:default, which every other pod in ${w.namespace} can use`,
        fix: dedicatedServiceAccountFix(w, w.namespace, clientId),
      }),
    );
  }
  return out;
}
