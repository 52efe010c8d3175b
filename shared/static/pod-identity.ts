/**
 * AAD Pod Identity's objects, looked up the way aad-pod-identity's MIC does: a pod labelled
 * `aadpodidbinding: X` is bound by the AzureIdentityBinding of its namespace whose `spec.selector` is X,
 * which names (`spec.azureIdentity`) an AzureIdentity of the same namespace. Used by the AG103 check
 * (to name the identity in its fix) and by its fix (to migrate the pod to that identity).
 */
import type { KObject } from "./parse.js";
import { mapAt, textAt } from "./yaml-tree.js";

/** What an AzureIdentity tells about its user-assigned identity (each part only when the manifest gives it). */
export interface IdentityRef {
  clientId?: string;
  identityName?: string;
  resourceGroup?: string;
}

/** The AzureIdentityBinding that binds pods labelled `aadpodidbinding: selector` in `namespace`. */
export function bindingFor(objects: readonly KObject[], namespace: string, selector: string): KObject | undefined {
  return objects.find(
    (o) => o.kind === "AzureIdentityBinding" && o.namespace === namespace && textAt(mapAt(o.root, "spec"), "selector") === selector,
  );
}

/** The AzureIdentity `name` of `namespace` (undefined name: none). */
export function identityNamed(objects: readonly KObject[], namespace: string, name: string | undefined): KObject | undefined {
  return objects.find((o) => o.kind === "AzureIdentity" && o.namespace === namespace && o.name === name);
}

/** The identity of a binding: its `spec.azureIdentity`, looked up in the binding's namespace. */
export function identityOfBinding(objects: readonly KObject[], binding: KObject | undefined): KObject | undefined {
  return binding ? identityNamed(objects, binding.namespace, textAt(mapAt(binding.root, "spec"), "azureIdentity")) : undefined;
}

export function identityRef(identity: KObject | undefined): IdentityRef {
  if (!identity) return {};
  const spec = mapAt(identity.root, "spec");
  const clientId = textAt(spec, "clientID") ?? textAt(spec, "clientId");
  const resourceId = textAt(spec, "resourceID") ?? textAt(spec, "resourceId") ?? "";
  // /subscriptions/…/resourceGroups/RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME
  const rg = /\/resourceGroups\/([^/]+)\//i.exec(resourceId)?.[1];
  const name = /\/userAssignedIdentities\/([^/]+)$/i.exec(resourceId)?.[1];
  return { ...(clientId ? { clientId } : {}), ...(name ? { identityName: name } : {}), ...(rg ? { resourceGroup: rg } : {}) };
}
