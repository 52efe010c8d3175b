/**
 * AG103: AAD Pod Identity → Workload Identity. For each pod labelled `aadpodidbinding: X` whose
 * AzureIdentityBinding (selector X) and AzureIdentity are in the manifests, the fix swaps the label
 * for `azure.workload.identity/use: "true"`, runs the pod as a ServiceAccount annotated with the
 * AzureIdentity's `spec.clientID` (an existing one, or a new document beside the workload), and
 * deletes the binding and identity once every pod using them here is migrated. Without the
 * AzureIdentity the client id is unknown: nothing is changed (a half migration would be an outage).
 */
import { GUID } from "../config/schema.js";
import { formatTarget, type Finding } from "../findings/model.js";
import { sameClientId } from "../static/token-injection.js";
import { AAD_POD_IDENTITY_LABEL, nsKey, WI_CLIENT_ID_ANNOTATION } from "../static/inventory.js";
import { federatedCredentialCommand, serviceAccountFor } from "../static/fix-text.js";
import type { KObject } from "../static/parse.js";
import { bindingFor, identityOfBinding, identityRef } from "../static/pod-identity.js";
import type { WorkloadView } from "../static/workloads.js";
import { mapAt, textAt } from "../static/yaml-tree.js";
import { doubleQuoted } from "./edits.js";
import type { Intent } from "./intents.js";
import { isWholeDocument, namespaceExplicit, podRef, type Plan, type PlanContext } from "./plan-context.js";

/** The client id AAD Pod Identity gives pods labelled `aadpodidbinding: selector`, when the manifests show it. */
export function podIdentityClientId(
  ctx: PlanContext,
  namespace: string,
  selector: string,
): { clientId: string; identity: string; object: KObject } | undefined {
  const identity = identityOfBinding(ctx.set.objects, bindingFor(ctx.set.objects, namespace, selector));
  const clientId = identityRef(identity).clientId?.trim();
  return identity && clientId && GUID.test(clientId) ? { clientId, identity: identity.name, object: identity } : undefined;
}

function serviceAccountDocument(name: string, namespace: string | undefined, clientId: string): string[] {
  return [
    "apiVersion: v1",
    "kind: ServiceAccount",
    "metadata:",
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    "  annotations:",
    `    ${WI_CLIENT_ID_ANNOTATION}: ${doubleQuoted(clientId)}`,
  ];
}

function ficFollowUp(identity: KObject, namespace: string, sa: string): string {
  const { identityName: name, resourceGroup: rg } = identityRef(identity);
  return `Before rolling out, federate identity ${name ?? identity.name} with ServiceAccount ${namespace}/${sa}:\n${federatedCredentialCommand(namespace, sa, name, rg)}`;
}

/** Remembered across passes: the pods labelled `aadpodidbinding: selector` in this namespace were migrated. */
function migratedKey(namespace: string, selector: string): string {
  return `${AAD_POD_IDENTITY_LABEL}:${namespace}/${selector}`;
}

function migrateWorkload(ctx: PlanContext, w: WorkloadView, selector: string, createdServiceAccounts: Set<string>): Plan {
  const binding = bindingFor(ctx.set.objects, w.namespace, selector);
  const found = podIdentityClientId(ctx, w.namespace, selector);
  if (!binding || !found) {
    return {
      todo: `the AzureIdentityBinding for selector '${selector}' or its AzureIdentity (with spec.clientID) is not in the manifests: the client id to federate is unknown`,
    };
  }
  const sa = serviceAccountFor(w);
  const intents: Intent[] = [{ kind: "dropPodIdentityLabel", ...podRef(w) }];
  if (sa !== w.serviceAccountName) intents.push({ kind: "serviceAccount", name: sa, ...podRef(w) });
  const existing = ctx.model.inventory.serviceAccounts.get(nsKey(w.namespace, sa));
  if (existing?.clientId && !sameClientId(existing.clientId, found.clientId)) {
    return {
      todo: `ServiceAccount ${w.namespace}/${sa} already names client id ${existing.clientId}, not the AzureIdentity's ${found.clientId}: choose one by hand`,
    };
  }
  if (existing && !existing.clientId)
    intents.push({ kind: "clientIdAnnotation", file: existing.file, objectLine: existing.line, clientId: found.clientId });
  if (!existing && !createdServiceAccounts.has(nsKey(w.namespace, sa))) {
    if (!isWholeDocument(ctx, w.file, w.locations.object))
      return { todo: "the workload is an item of a kind: List; add the ServiceAccount by hand" };
    createdServiceAccounts.add(nsKey(w.namespace, sa));
    const ns = namespaceExplicit(ctx, w.file, w.locations.object) ? w.namespace : undefined;
    intents.push({
      kind: "newDocument",
      id: `ServiceAccount/${w.namespace}/${sa}`,
      file: w.file,
      objectLine: w.locations.object,
      lines: serviceAccountDocument(sa, ns, found.clientId),
    });
  }
  return { intents, followUps: [ficFollowUp(found.object, w.namespace, sa)], remember: [migratedKey(w.namespace, selector)] };
}

/**
 * Plans every AG103 finding. Pods first; their AzureIdentityBinding and AzureIdentity are deleted on
 * the next pass, once no pod here still carries the label and the pods using them were migrated by
 * this fix (a binding nobody here uses may serve pods elsewhere: that stays a TODO).
 */
export function planPodIdentity(ctx: PlanContext, findings: readonly Finding[]): Map<Finding, Plan> {
  const out = new Map<Finding, Plan>();
  const created = new Set<string>();
  const labelled = (ns: string, selector: string | undefined) =>
    ctx.model.workloads.some((w) => w.namespace === ns && selector !== undefined && w.podLabels[AAD_POD_IDENTITY_LABEL] === selector);
  const bindingDeletable = (b: KObject) => {
    const selector = textAt(mapAt(b.root, "spec"), "selector");
    return selector !== undefined && ctx.memory.has(migratedKey(b.namespace, selector)) && !labelled(b.namespace, selector);
  };
  for (const f of findings) {
    const w = ctx.model.workloads.find(
      (x) => x.file === f.location?.file && x.kind === f.target.kind && x.namespace === f.target.namespace && x.name === f.target.name,
    );
    const selector = w?.podLabels[AAD_POD_IDENTITY_LABEL];
    if (w && selector !== undefined) out.set(f, migrateWorkload(ctx, w, selector, created));
  }
  const bindings = ctx.set.objects.filter((x) => x.kind === "AzureIdentityBinding");
  for (const f of findings) {
    if (out.has(f)) continue;
    const o = ctx.set.objects.find(
      (x) => x.file === f.location?.file && x.kind === f.target.kind && x.namespace === f.target.namespace && x.name === f.target.name,
    );
    if (!o) continue;
    let ok = false;
    if (o.kind === "AzureIdentityBinding") ok = bindingDeletable(o);
    else if (o.kind === "AzureIdentity") {
      const users = bindings.filter((b) => b.namespace === o.namespace && textAt(mapAt(b.root, "spec"), "azureIdentity") === o.name);
      ok = users.length > 0 && users.every(bindingDeletable);
    } else if (o.kind === "AzurePodIdentityException") {
      ok =
        ctx.memory.size > 0 &&
        !ctx.model.workloads.some((w) => w.podLabels[AAD_POD_IDENTITY_LABEL] !== undefined) &&
        bindings.every(bindingDeletable);
    }
    if (ok && isWholeDocument(ctx, o.file, o.line)) out.set(f, { intents: [{ kind: "deleteDocument", file: o.file, objectLine: o.line }] });
    else
      out.set(f, {
        todo: `${formatTarget(o)} may still serve pods these manifests do not migrate: delete it (and uninstall aad-pod-identity) by hand once nothing uses it`,
      });
  }
  return out;
}
