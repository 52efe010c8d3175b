/**
 * Workload Identity wiring fixes: AG104 (label the pod template), AG105 (annotate the ServiceAccount
 * with a client id the config or another object names — never a guessed one), AG109 (align the
 * container's AZURE_CLIENT_ID with the ServiceAccount's annotation).
 */
import { GUID } from "../config/schema.js";
import { formatTarget, type Finding } from "../findings/model.js";
import { knownValue } from "../static/env.js";
import { sameClientId } from "../static/token-injection.js";
import { AAD_POD_IDENTITY_LABEL, type ServiceAccountView } from "../static/inventory.js";
import { podRef, workloadOf, type Plan, type PlanContext } from "./plan-context.js";
import { podIdentityClientId } from "./plan-pod-identity.js";

export function planAg104(ctx: PlanContext, f: Finding): Plan {
  const w = workloadOf(ctx, f);
  if (!w) return { todo: "the workload was not found in the manifests" };
  return { intents: [{ kind: "wiLabel", ...podRef(w) }] };
}

interface Candidate {
  clientId: string;
  from: string;
}

/** Client ids the config or other objects name for a ServiceAccount, each with where it comes from. */
function clientIdCandidates(ctx: PlanContext, sa: ServiceAccountView): Candidate[] {
  const out: Candidate[] = [];
  const users = ctx.model.workloads.filter((w) => w.namespace === sa.namespace && w.serviceAccountName === sa.name);
  ctx.config.targets.forEach((t, i) => {
    if (!t.clientId || !t.workload) return;
    const [ns, kind, name] = t.workload.split("/");
    const w = users.find((x) => x.namespace === ns && x.kind === kind && x.name === name);
    if (w || (ns === sa.namespace && t.serviceAccount === sa.name))
      out.push({ clientId: t.clientId, from: `azure-auth-gate.yml targets[${i}].clientId` });
  });
  for (const w of users) {
    for (const c of w.containers) {
      const v = knownValue(c.env.effective.get("AZURE_CLIENT_ID"))?.trim();
      if (v && GUID.test(v)) out.push({ clientId: v, from: `AZURE_CLIENT_ID of container ${c.name} in ${formatTarget(w)}` });
    }
    const selector = w.podLabels[AAD_POD_IDENTITY_LABEL];
    const fromPodIdentity = selector !== undefined ? podIdentityClientId(ctx, w.namespace, selector) : undefined;
    if (fromPodIdentity)
      out.push({ clientId: fromPodIdentity.clientId, from: `AzureIdentity ${w.namespace}/${fromPodIdentity.identity} spec.clientID` });
  }
  return out;
}

export function planAg105(ctx: PlanContext, f: Finding): Plan {
  const w = workloadOf(ctx, f);
  const sa = w?.serviceAccount;
  if (!w || !sa) return { todo: "the ServiceAccount was not found in the manifests" };
  const candidates = clientIdCandidates(ctx, sa);
  const distinct = [...new Map(candidates.map((c) => [c.clientId.toLowerCase(), c])).values()];
  const first = distinct[0];
  if (!first) {
    return {
      todo: `the client id of ServiceAccount ${sa.namespace}/${sa.name} is not known: add \`clientId\` to the target ${w.namespace}/${w.kind}/${w.name} in azure-auth-gate.yml and pass --config, or annotate it by hand`,
    };
  }
  if (distinct.length > 1)
    return {
      todo: `ServiceAccount ${sa.namespace}/${sa.name} could get several client ids (${distinct.map((c) => `${c.clientId} from ${c.from}`).join("; ")}): choose one by hand`,
    };
  return { intents: [{ kind: "clientIdAnnotation", file: sa.file, objectLine: sa.line, clientId: first.clientId }] };
}

export function planAg109(ctx: PlanContext, f: Finding): Plan {
  const w = workloadOf(ctx, f);
  const saId = w?.serviceAccount?.clientId;
  if (!w || !saId) return { todo: "the workload or its ServiceAccount was not found" };
  for (const c of w.containers) {
    const own = c.env.effective.get("AZURE_CLIENT_ID");
    if (!own || own.line !== f.location?.line) continue;
    const value = knownValue(own);
    if (value !== undefined && sameClientId(value, saId)) continue;
    if (own.via === "env" && own.source.kind === "literal") {
      return { intents: [{ kind: "envValue", ...podRef(w), init: c.init, container: c.name, name: "AZURE_CLIENT_ID", value: saId }] };
    }
    if (own.source.kind === "configMap") {
      return {
        todo: `AZURE_CLIENT_ID comes from ConfigMap ${own.source.name} (key ${own.source.key}), which other pods may read: change it there, or delete it and let the webhook inject ${saId}`,
      };
    }
    return { todo: "AZURE_CLIENT_ID does not come from a literal value the fix can change" };
  }
  return { todo: "the container setting AZURE_CLIENT_ID was not found" };
}
