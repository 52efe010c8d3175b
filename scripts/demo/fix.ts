/**
 * Step 4 of the demo: make the manifest changes the gate's findings ask for, then `kubectl apply` them to
 * the sandbox's cluster. Each finding id the demo can act on has a handler that reads the names it needs
 * (container, variables) from the finding itself; a finding without a handler — or whose wording no longer
 * names what to change — fails the step instead of being skipped, so the demo never claims a fix it did
 * not make. The YAML is edited as a document (comments and layout kept), and shown as a diff.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment, type V1ServiceAccount } from "@kubernetes/client-node";
import { isMap, isSeq, parseAllDocuments, Scalar, type Document } from "yaml";
import type { Finding } from "../../shared/findings/model.js";
import type { Sandbox } from "../../test/sandbox/index.js";

export interface ManifestFix {
  text: string;
  /** One line per change made, e.g. "AG104: labelled the pod template of Deployment app/backend …". */
  changes: string[];
  problems: string[];
}

const WI_LABEL = "azure.workload.identity/use";

function docFor(docs: Document[], f: Finding): Document | undefined {
  return docs.find((d) => {
    const o = d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    return o?.kind === f.target.kind && o.metadata?.name === f.target.name && (o.metadata.namespace ?? "default") === (f.target.namespace ?? "default");
  });
}

/** Deletes env entries by name from one container of a pod template; returns the names it deleted. */
function deleteEnv(doc: Document, container: string, names: readonly string[]): string[] {
  const containers = doc.getIn(["spec", "template", "spec", "containers"]);
  if (!isSeq(containers)) return [];
  const deleted: string[] = [];
  for (const c of containers.items) {
    if (!isMap(c) || c.get("name") !== container) continue;
    const env = c.get("env", true);
    if (!isSeq(env)) continue;
    env.items = env.items.filter((e) => {
      const name = isMap(e) ? e.get("name") : undefined;
      if (typeof name === "string" && names.includes(name)) {
        deleted.push(name);
        return false;
      }
      return true;
    });
  }
  return deleted;
}

type Handler = (doc: Document, f: Finding) => string | { problem: string };

/** What each finding asks for, in its own words (see shared/static's AG102/AG104/AG109 fixes). */
const HANDLERS: Record<string, Handler> = {
  AG104(doc) {
    const value = new Scalar("true");
    value.type = Scalar.QUOTE_DOUBLE;
    doc.setIn(["spec", "template", "metadata", "labels", WI_LABEL], value);
    return `added the pod-template label ${WI_LABEL}: "true" (the webhook now injects the federated token)`;
  },
  AG102(doc, f) {
    const m = /delete the leftover env ([A-Z_]+(?:, [A-Z_]+)*) from container ([\w.-]+)/.exec(f.fix);
    if (!m) return { problem: "AG102's fix no longer names the leftover variables and their container" };
    const deleted = deleteEnv(doc, m[2]!, m[1]!.split(", "));
    return `deleted the leftover env ${deleted.join(", ") || "(already gone)"} from container ${m[2]} (the webhook injects AZURE_CLIENT_ID / AZURE_TENANT_ID itself)`;
  },
  AG109(doc, f) {
    const m = /Delete the (AZURE_CLIENT_ID) env entry from container ([\w.-]+)/.exec(f.fix);
    if (!m) return { problem: "AG109's fix no longer names the variable and its container" };
    const deleted = deleteEnv(doc, m[2]!, [m[1]!]);
    return `deleted ${m[1]} from container ${m[2]}${deleted.length === 0 ? " (already gone)" : ""}, so the ServiceAccount's client id applies`;
  },
};

export function fixManifests(text: string, file: string, findings: readonly Finding[]): ManifestFix {
  const docs = parseAllDocuments(text) as Document[];
  const changes: string[] = [];
  const problems: string[] = [];
  for (const f of findings.filter((x) => !x.waived && x.severity !== "info")) {
    const handler = HANDLERS[f.id];
    if (!handler) {
      problems.push(`${f.id} (${f.title}) has no automatic fix in this demo: apply its fix by hand — ${f.fix.split("\n")[0]}`);
      continue;
    }
    const doc = f.location?.file === file ? docFor(docs, f) : undefined;
    if (!doc) {
      problems.push(`${f.id}: ${f.target.kind} ${f.target.namespace}/${f.target.name} is not in ${file}`);
      continue;
    }
    const result = handler(doc, f);
    if (typeof result === "string") changes.push(`${f.id}: ${result}`);
    else problems.push(result.problem);
  }
  return { text: docs.map((d) => d.toString()).join(""), changes, problems };
}

/** A minimal line diff (longest common subsequence): enough to show a few changed lines of a short file. */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) [i, j] = [i + 1, j + 1];
    else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out;
}

interface K8sDoc {
  kind?: string;
  apiVersion?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/**
 * `kubectl apply -f FILE` for the kinds the demo's manifests hold: every object whose manifest changed is
 * replaced in the sandbox's cluster (after reading its resourceVersion), the rest are left alone.
 * Returns kubectl's one line per object.
 */
export async function applyToCluster(sb: Sandbox, cluster: string, before: string, after: string): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(sb.kubeconfigs[cluster]!);
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const old = parseAllDocuments(before).map((d) => JSON.stringify(d.toJS()));
  const lines: string[] = [];
  for (const doc of parseAllDocuments(after)) {
    const obj = doc.toJS() as K8sDoc | null;
    if (!obj?.kind || !obj.metadata?.name) continue;
    const name = obj.metadata.name;
    const namespace = obj.metadata.namespace ?? "default";
    const label = `${obj.kind.toLowerCase()}${obj.apiVersion?.includes("/") ? `.${obj.apiVersion.split("/")[0]}` : ""}/${name}`;
    if (old.includes(JSON.stringify(obj))) {
      lines.push(`${label} unchanged`);
      continue;
    }
    if (obj.kind === "Deployment") {
      const live = await apps.readNamespacedDeployment({ name, namespace });
      const body = { ...obj, metadata: { ...obj.metadata, resourceVersion: live.metadata?.resourceVersion } } as V1Deployment;
      await apps.replaceNamespacedDeployment({ name, namespace, body });
    } else if (obj.kind === "ServiceAccount") {
      const live = await core.readNamespacedServiceAccount({ name, namespace });
      const body = { ...obj, metadata: { ...obj.metadata, resourceVersion: live.metadata?.resourceVersion } } as V1ServiceAccount;
      await core.replaceNamespacedServiceAccount({ name, namespace, body });
    } else {
      throw new Error(`the demo cannot apply a changed ${obj.kind} (only Deployments and ServiceAccounts)`);
    }
    lines.push(`${label} configured`);
  }
  return lines;
}
