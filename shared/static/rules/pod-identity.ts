/**
 * AG103: AAD Pod Identity (deprecated) — the `aadpodidbinding` pod label, or its CRDs. The fix maps the
 * binding to its Workload Identity equivalent, with the identity's client id and resource group when
 * the AzureIdentity is in the manifests.
 */
import type { Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { describe, federatedCredentialCommand, podIdentityYaml, serviceAccountYaml } from "../fixes.js";
import { POD_IDENTITY_KINDS, type KObject } from "../parse.js";
import { child, entry, mapAt, textAt } from "../yaml-tree.js";
import { at, targetOf, type RuleContext } from "./context.js";

const BINDING_LABEL = "aadpodidbinding";

interface IdentityRef {
  clientId?: string;
  identityName?: string;
  resourceGroup?: string;
}

function identityRef(identity: KObject | undefined): IdentityRef {
  if (!identity) return {};
  const spec = mapAt(identity.root, "spec");
  const clientId = textAt(spec, "clientID") ?? textAt(spec, "clientId");
  const resourceId = textAt(spec, "resourceID") ?? textAt(spec, "resourceId") ?? "";
  // /subscriptions/…/resourceGroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME
  const rg = /\/resourceGroups\/([^/]+)\//i.exec(resourceId)?.[1];
  const name = /\/userAssignedIdentities\/([^/]+)$/i.exec(resourceId)?.[1];
  return { ...(clientId ? { clientId } : {}), ...(name ? { identityName: name } : {}), ...(rg ? { resourceGroup: rg } : {}) };
}

function lookup(ctx: RuleContext) {
  const objects = ctx.set.objects.filter((o) => POD_IDENTITY_KINDS.has(o.kind));
  const identity = (ns: string, name: string | undefined) => objects.find((o) => o.kind === "AzureIdentity" && o.namespace === ns && o.name === name);
  const bindingFor = (ns: string, selector: string) => objects.find((o) => o.kind === "AzureIdentityBinding" && o.namespace === ns && textAt(mapAt(o.root, "spec"), "selector") === selector);
  return { objects, identity, bindingFor };
}

function migrationSteps(namespace: string, sa: string, ref: IdentityRef): string[] {
  return [
    serviceAccountYaml(namespace, sa, ref.clientId),
    "",
    federatedCredentialCommand(namespace, sa, ref.identityName, ref.resourceGroup),
  ];
}

export function ag103(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const { objects, identity, bindingFor } = lookup(ctx);
  for (const w of ctx.model.workloads) {
    const selector = w.podLabels[BINDING_LABEL];
    if (selector === undefined) continue;
    const binding = bindingFor(w.namespace, selector);
    const ref = identityRef(identity(w.namespace, binding ? textAt(mapAt(binding.root, "spec"), "azureIdentity") : undefined));
    const sa = w.serviceAccountExplicit && w.serviceAccountName !== "default" ? w.serviceAccountName : w.name;
    out.push(
      raise("AG103", {
        target: targetOf(w),
        location: at(w.file, w.podLabelLines[BINDING_LABEL] ?? w.locations.template),
        evidence: `${describe(w)} carries the AAD Pod Identity label ${BINDING_LABEL}: ${selector}${binding ? ` (AzureIdentityBinding ${binding.name})` : ""}; AAD Pod Identity is deprecated in favour of Workload Identity`,
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
    const ref = o.kind === "AzureIdentity" ? identityRef(o) : o.kind === "AzureIdentityBinding" ? identityRef(identity(o.namespace, textAt(spec, "azureIdentity"))) : {};
    const selector = o.kind === "AzureIdentityBinding" ? textAt(spec, "selector") : undefined;
    const fix =
      o.kind === "AzurePodIdentityException"
        ? `Delete AzurePodIdentityException ${o.namespace}/${o.name} when you remove AAD Pod Identity: Workload Identity needs no NMI exception (\`kubectl -n ${o.namespace} delete azurepodidentityexception ${o.name}\`).`
        : [
            `Move the identity to Workload Identity: a ServiceAccount annotated with its client id, a federated credential for that ServiceAccount, and the pod label azure.workload.identity/use: "true"${selector ? ` on the pods now labelled ${BINDING_LABEL}: ${selector}` : ""}:`,
            ...migrationSteps(o.namespace, "<service-account>", ref),
            `Then \`kubectl -n ${o.namespace} delete ${o.kind.toLowerCase()} ${o.name}\`.`,
          ].join("\n");
    out.push(
      raise("AG103", {
        target: targetOf(o),
        location: at(o.file, entry(o.root, "kind")?.keyLine ?? o.line),
        evidence: `${o.kind} ${o.namespace}/${o.name} (${o.apiVersion || "aadpodidentity.k8s.io"}) is an AAD Pod Identity object; AAD Pod Identity is deprecated in favour of Workload Identity${child(spec, "type") && textAt(spec, "type") === "1" ? " (and this one is a service principal with a secret)" : ""}`,
        fix,
      }),
    );
  }
  return out;
}
