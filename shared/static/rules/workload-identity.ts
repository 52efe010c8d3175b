/**
 * Workload Identity wiring: AG104 (annotated ServiceAccount, unlabelled pod template), AG105 (label but
 * no client id), AG106 (ServiceAccount not in the manifests), AG107 (identity on the `default`
 * ServiceAccount), AG109 (container AZURE_CLIENT_ID ≠ ServiceAccount client id).
 */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { knownValue, presenceOf } from "../env.js";
import { CLIENT_ID_PLACEHOLDER, federatedCredentialCommand, podLabelYaml, podLabelsPath, podServiceAccountYaml, serviceAccountYaml } from "../fixes.js";
import { sameClientId } from "../identity.js";
import { WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "../inventory.js";
import type { WorkloadView } from "../workloads.js";
import { at, podLabelsLine, targetOf, type RuleContext } from "./context.js";
import { sh } from "../../shell.js";

export function ag104(ctx: RuleContext): Finding[] {
  return ctx.model.workloads.flatMap((w) => {
    const sa = w.serviceAccount;
    if (!sa?.clientId || w.wiLabelled) return [];
    const wrongValue = w.podLabels[WI_USE_LABEL] !== undefined ? ` (it is "${w.podLabels[WI_USE_LABEL]}")` : "";
    const onOwner = w.locations.ownerWiLabel
      ? `; the label is on the ${w.kind}'s own metadata.labels (line ${w.locations.ownerWiLabel}), which the webhook does not read`
      : "";
    const isPod = w.templatePath.length === 0;
    return [
      raise("AG104", {
        target: targetOf(w),
        location: at(w.file, podLabelsLine(w)),
        evidence: `${formatTarget(w)} runs as ServiceAccount ${sa.name}, annotated ${WI_CLIENT_ID_ANNOTATION}: ${sa.clientId} (${sa.file}:${sa.clientIdLine ?? sa.line}), but its pod template has no label ${WI_USE_LABEL}: "true"${wrongValue}${onOwner}. The webhook injects no AZURE_FEDERATED_TOKEN_FILE, so Workload Identity never starts`,
        fix: [
          `Add the label to the pod template at ${podLabelsPath(w)}${isPod ? "" : ` — a label on the ${w.kind}'s own metadata does not count: the webhook reads the pod's labels`}:`,
          podLabelYaml(w),
          isPod ? `Recreate the Pod afterwards: the webhook mutates pods only when they are created.` : `The pods are recreated on the next rollout and get the token volume and AZURE_* variables then.`,
        ].join("\n"),
      }),
    ];
  });
}

export function ag105(ctx: RuleContext): Finding[] {
  return ctx.model.workloads.flatMap((w) => {
    const sa = w.serviceAccount;
    if (!w.wiLabelled || !sa || sa.clientId) return [];
    if (w.containers.some((c) => presenceOf(c.env, "AZURE_CLIENT_ID") !== "absent")) return [];
    return [
      raise("AG105", {
        target: targetOf(w),
        location: at(w.file, podLabelsLine(w)),
        evidence: `${formatTarget(w)} is labelled ${WI_USE_LABEL}: "true" but ServiceAccount ${sa.namespace}/${sa.name} (${sa.file}:${sa.line}) has no ${WI_CLIENT_ID_ANNOTATION} annotation and no container sets AZURE_CLIENT_ID: the SDK does not know which identity to federate`,
        fix: [
          `Annotate ServiceAccount ${sa.name} with the user-assigned identity's client id (\`az identity show -g <resource-group> -n <identity-name> --query clientId -o tsv\`):`,
          `kubectl -n ${sh(sa.namespace)} annotate serviceaccount ${sh(sa.name)} ${WI_CLIENT_ID_ANNOTATION}=${sh(CLIENT_ID_PLACEHOLDER)}`,
          `and in the manifest:`,
          serviceAccountYaml(sa.namespace, sa.name, undefined),
        ].join("\n"),
      }),
    ];
  });
}

export function ag106(ctx: RuleContext): Finding[] {
  return ctx.model.workloads.flatMap((w) => {
    // The `default` ServiceAccount exists in every namespace; an unnamed one is AG107's business.
    if (!w.serviceAccountExplicit || w.serviceAccountName === "default" || w.serviceAccount) return [];
    const line = w.locations.serviceAccountName ?? w.locations.podSpec;
    return [
      raise("AG106", {
        target: targetOf(w),
        location: at(w.file, line),
        evidence: `${formatTarget(w)} runs as ServiceAccount ${w.serviceAccountName}, which none of the manifests defines: its ${WI_CLIENT_ID_ANNOTATION} annotation cannot be checked offline`,
        fix: [
          `Check the ServiceAccount together with the workload: \`kubectl -n ${sh(w.namespace)} get serviceaccount ${sh(w.serviceAccountName)} -o yaml > ${sh(`serviceaccount-${w.serviceAccountName}.yaml`)}\` and pass that file too, or define it:`,
          serviceAccountYaml(w.namespace, w.serviceAccountName, undefined),
        ].join("\n"),
      }),
    ];
  });
}

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

export function ag109(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const w of ctx.model.workloads) {
    const sa = w.serviceAccount;
    if (!sa?.clientId) continue;
    for (const c of w.containers) {
      const own = c.env.effective.get("AZURE_CLIENT_ID");
      const value = knownValue(own)?.trim();
      if (!own || own.presence !== "present" || !value || sameClientId(value, sa.clientId)) continue;
      out.push(
        raise("AG109", {
          target: targetOf(w),
          location: at(w.file, own.line),
          evidence: `container ${c.name} of ${formatTarget(w)} sets AZURE_CLIENT_ID=${value}${own.source.kind === "configMap" ? ` (from ConfigMap ${own.source.name})` : ""}, but ServiceAccount ${sa.name} names ${sa.clientId} (${sa.file}:${sa.clientIdLine ?? sa.line}); the projected token is federated with the ServiceAccount's identity, so Entra answers AADSTS70021 / AADSTS700213`,
          fix: [
            `Delete the AZURE_CLIENT_ID env entry from container ${c.name} (the webhook injects ${sa.clientId} from the ServiceAccount), or make them equal:`,
            `- name: AZURE_CLIENT_ID`,
            `  value: "${sa.clientId}"`,
            `If ${value} is the identity you meant, put it in the ServiceAccount instead: \`kubectl -n ${sh(sa.namespace)} annotate serviceaccount ${sh(sa.name)} --overwrite ${WI_CLIENT_ID_ANNOTATION}=${sh(value)}\`.`,
          ].join("\n"),
        }),
      );
    }
  }
  return out;
}
