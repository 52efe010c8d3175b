/**
 * AG103: AAD Pod Identity (deprecated) — the `aadpodidbinding` pod label, or its CRDs. The fix maps the
 * binding to its Workload Identity equivalent, with the identity's client id and resource group when
 * the AzureIdentity is in the manifests.
 */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { federatedCredentialCommand, podIdentityYaml, serviceAccountFor, serviceAccountYaml } from "../fix-text.js";
import { AAD_POD_IDENTITY_LABEL as BINDING_LABEL } from "../inventory.js";
import { POD_IDENTITY_KINDS } from "../parse.js";
import { bindingFor, identityOfBinding, identityRef, type IdentityRef } from "../pod-identity.js";
import { child, entry, mapAt, textAt } from "../yaml-tree.js";
import { at, targetOf, type RuleContext } from "./rule-context.js";
import { sh } from "../../shell.js";

function migrationSteps(namespace: string, sa: string, ref: IdentityRef): string[] {
  return [
    serviceAccountYaml(namespace, sa, ref.clientId),
    "",
    federatedCredentialCommand(namespace, sa, ref.identityName, ref.resourceGroup),
  ];
}

export function ag103(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const objects = ctx.set.objects.filter((o) => POD_IDENTITY_KINDS.has(o.kind));
  for (const w of ctx.model.workloads) {
    const selector = w.podLabels[BINDING_LABEL];
    if (selector === undefined) continue;
    const binding = bindingFor(objects, w.namespace, selector);
    const ref = identityRef(identityOfBinding(objects, binding));
    const sa = serviceAccountFor(w);
    out.push(
      raise("AG103", {
        target: targetOf(w),
        location: at(w.file, w.podLabelLines[BINDING_LABEL] ?? w.locations.template),
        evidence: `${formatTarget(w)} carries the AAD Pod Identity label ${BINDING_LABEL}: ${selector}${binding ? ` (AzureIdentityBinding ${binding.name})` : ""}; AAD Pod Identity is deprecated in favour of Workload Identity`,
        fix: [
          `Replace the ${BINDING_LABEL} label with Workload Identity:`,
          podIdentityYaml(w, sa),
          "",
          ...migrationSteps(w.namespace, sa, ref),
          `Then delete the AzureIdentityBinding/AzureIdentity once no pod uses them, and uninstall aad-pod-identity (MIC/NMI).`,
        ].join("\n"),
      }),
    );
  }
  for (const o of objects) {
    const spec = mapAt(o.root, "spec");
    const ref =
      o.kind === "AzureIdentity" ? identityRef(o) : o.kind === "AzureIdentityBinding" ? identityRef(identityOfBinding(objects, o)) : {};
    const selector = o.kind === "AzureIdentityBinding" ? textAt(spec, "selector") : undefined;
    const fix =
      o.kind === "AzurePodIdentityException"
        ? `Delete AzurePodIdentityException ${o.namespace}/${o.name} when you remove AAD Pod Identity: Workload Identity needs no NMI exception (\`kubectl -n ${sh(o.namespace)} delete azurepodidentityexception ${sh(o.name)}\`).`
        : [
            `Move the identity to Workload Identity: a ServiceAccount annotated with its client id, a federated credential for that ServiceAccount, and the pod label azure.workload.identity/use: "true"${selector ? ` on the pods now labelled ${BINDING_LABEL}: ${selector}` : ""}:`,
            ...migrationSteps(o.namespace, "<service-account>", ref),
            `Then \`kubectl -n ${sh(o.namespace)} delete ${sh(o.kind.toLowerCase())} ${sh(o.name)}\`.`,
          ].join("\n");
    out.push(
      raise("AG103", {
        target: targetOf(o),
        location: at(o.file, entry(o.root, "kind")?.keyLine ?? o.line),
        evidence: `${formatTarget(o)} (${o.apiVersion || "aadpodidentity.k8s.io"}) is an AAD Pod Identity object; AAD Pod Identity is deprecated in favour of Workload Identity${child(spec, "type") && textAt(spec, "type") === "1" ? " (and this one is a service principal with a secret)" : ""}`,
        fix,
      }),
    );
  }
  return out;
}
