/**
 * AG103: AAD Pod Identity → Workload Identity. For each pod labelled `aadpodidbinding: X` whose
 * AzureIdentityBinding (selector X) and AzureIdentity are in the manifests, the fix swaps the label
 * for `azure.workload.identity/use: "true"`, runs the pod as a ServiceAccount annotated with the
 * AzureIdentity's `spec.clientID` (an existing one, or a new document beside the workload), and
 * deletes the binding and identity once every pod using them here is migrated. Without the
 * AzureIdentity the client id is unknown: nothing is changed (a half migration would be an outage).
 */
import type { Finding } from "../findings/model.js";
import { sameClientId } from "../static/identity.js";
import { nsKey, WI_CLIENT_ID_ANNOTATION } from "../static/inventory.js";
import { federatedCredentialCommand } from "../static/fixes.js";
import type { KObject } from "../static/parse.js";
import type { WorkloadView } from "../static/workloads.js";
import { mapAt, textAt } from "../static/yaml-tree.js";
import { doubleQuoted } from "./edits.js";
import type { Intent } from "./intents.js";
import { GUID, isWholeDocument, namespaceExplicit, podRef, type Plan, type PlanContext } from "./plan-context.js";

const LABEL = "aadpodidbinding";

function crds(ctx: PlanContext, kind: string, namespace: string): KObject[] {
  return ctx.set.objects.filter((o) => o.kind === kind && o.namespace === namespace);
}

function bindingFor(ctx: PlanContext, namespace: string, selector: string): KObject | undefined {
  return crds(ctx, "AzureIdentityBinding", namespace).find((b) => textAt(mapAt(b.root, "spec"), "selector") === selector);
}

function identityNamed(ctx: PlanContext, namespace: string, name: string | undefined): KObject | undefined {
  return crds(ctx, "AzureIdentity", namespace).find((i) => i.name === name);
}

/** The client id AAD Pod Identity gives pods labelled `aadpodidbinding: selector`, when the manifests show it. */
export function podIdentityClientId(ctx: PlanContext, namespace: string, selector: string): { clientId: string; identity: string; object: KObject } | undefined {
  const binding = bindingFor(ctx, namespace, selector);
  const identity = identityNamed(ctx, namespace, binding ? textAt(mapAt(binding.root, "spec"), "azureIdentity") : undefined);
  const spec = mapAt(identity?.root, "spec");
  const clientId = (textAt(spec, "clientID") ?? textAt(spec, "clientId"))?.trim();
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
  const resourceId = textAt(mapAt(identity.root, "spec"), "resourceID") ?? textAt(mapAt(identity.root, "spec"), "resourceId") ?? "";
  const rg = /\/resourceGroups\/([^/]+)\//i.exec(resourceId)?.[1];
  const name = /\/userAssignedIdentities\/([^/]+)$/i.exec(resourceId)?.[1];
  return `Before rolling out, federate identity ${name ?? identity.name} with ServiceAccount ${namespace}/${sa}:\n${federatedCredentialCommand(namespace, sa, name, rg)}`;
}

/** Remembered across passes: the pods labelled `aadpodidbinding: selector` in this namespace were migrated. */
function migratedKey(namespace: string, selector: string): string {
  return `aadpodidbinding:${namespace}/${selector}`;
}

function migrateWorkload(ctx: PlanContext, w: WorkloadView, selector: string, createdServiceAccounts: Set<string>): Plan {
  const binding = bindingFor(ctx, w.namespace, selector);
  const found = podIdentityClientId(ctx, w.namespace, selector);
  if (!binding || !found) {
    return { todo: `the AzureIdentityBinding for selector '${selector}' or its AzureIdentity (with spec.clientID) is not in the manifests: the client id to federate is unknown` };
  }
  const sa = w.serviceAccountExplicit && w.serviceAccountName !== "default" ? w.serviceAccountName : w.name;
  const intents: Intent[] = [{ kind: "dropPodIdentityLabel", ...podRef(w) }];
  if (sa !== w.serviceAccountName) intents.push({ kind: "serviceAccount", name: sa, ...podRef(w) });
  const existing = ctx.model.inventory.serviceAccounts.get(nsKey(w.namespace, sa));
  if (existing?.clientId && !sameClientId(existing.clientId, found.clientId)) {
    return { todo: `ServiceAccount ${w.namespace}/${sa} already names client id ${existing.clientId}, not the AzureIdentity's ${found.clientId}: choose one by hand` };
  }
  if (existing && !existing.clientId) intents.push({ kind: "clientIdAnnotation", file: existing.file, objectLine: existing.line, clientId: found.clientId });
  if (!existing && !createdServiceAccounts.has(nsKey(w.namespace, sa))) {
    if (!isWholeDocument(ctx, w.file, w.locations.object)) return { todo: "the workload is an item of a kind: List; add the ServiceAccount by hand" };
    createdServiceAccounts.add(nsKey(w.namespace, sa));
    const ns = namespaceExplicit(ctx, w.file, w.locations.object) ? w.namespace : undefined;
    intents.push({ kind: "newDocument", id: `ServiceAccount/${w.namespace}/${sa}`, file: w.file, objectLine: w.locations.object, lines: serviceAccountDocument(sa, ns, found.clientId) });
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
  const labelled = (ns: string, selector: string | undefined) => ctx.model.workloads.some((w) => w.namespace === ns && selector !== undefined && w.podLabels[LABEL] === selector);
  const bindingDeletable = (b: KObject) => {
    const selector = textAt(mapAt(b.root, "spec"), "selector");
    return selector !== undefined && ctx.memory.has(migratedKey(b.namespace, selector)) && !labelled(b.namespace, selector);
  };
  for (const f of findings) {
    const w = ctx.model.workloads.find((x) => x.file === f.location?.file && x.kind === f.target.kind && x.namespace === f.target.namespace && x.name === f.target.name);
    const selector = w?.podLabels[LABEL];
    if (w && selector !== undefined) out.set(f, migrateWorkload(ctx, w, selector, created));
  }
  const bindings = ctx.set.objects.filter((x) => x.kind === "AzureIdentityBinding");
  for (const f of findings) {
    if (out.has(f)) continue;
    const o = ctx.set.objects.find((x) => x.file === f.location?.file && x.kind === f.target.kind && x.namespace === f.target.namespace && x.name === f.target.name);
    if (!o) continue;
    let ok = false;
    if (o.kind === "AzureIdentityBinding") ok = bindingDeletable(o);
    else if (o.kind === "AzureIdentity") {
      const users = bindings.filter((b) => b.namespace === o.namespace && textAt(mapAt(b.root, "spec"), "azureIdentity") === o.name);
      ok = users.length > 0 && users.every(bindingDeletable);
    } else if (o.kind === "AzurePodIdentityException") {
      ok = ctx.memory.size > 0 && !ctx.model.workloads.some((w) => w.podLabels[LABEL] !== undefined) && bindings.every(bindingDeletable);
    }
    if (ok && isWholeDocument(ctx, o.file, o.line)) out.set(f, { intents: [{ kind: "deleteDocument", file: o.file, objectLine: o.line }] });
    else out.set(f, { todo: `${o.kind} ${o.namespace}/${o.name} may still serve pods these manifests do not migrate: delete it (and uninstall aad-pod-identity) by hand once nothing uses it` });
  }
  return out;
}
