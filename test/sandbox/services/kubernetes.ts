/**
 * The Kubernetes API server of each scenario AKS cluster, at `${urls.kubernetes}/clusters/{name}`:
 * the core (`/api/v1`), batch (`/apis/batch/v1`) and apps (`/apis/apps/v1`) resources the gate and
 * its tests use — namespaces, serviceaccounts, configmaps, secrets, pods (+ `log`), events, jobs,
 * deployments — with create/get/list/replace/patch/delete, label and field selectors, `limit` and
 * `continue` paging, uid/resourceVersion/creationTimestamp, and Kubernetes `Status` error bodies.
 *
 * Authentication is what AKS with Entra ID integration does: a bearer access token from the tenant's
 * Entra ID for the AKS server application `6dae42f8-4368-4678-94ff-3960e28e3630`; anything else
 * gets 401 `Unauthorized`. Kubernetes RBAC is not modelled: every authenticated caller is admin.
 *
 * Pods really run (pods.ts): a created Job is driven by the Job controller and its pods go through the
 * admission chain, including the Workload Identity webhook (kubernetes-workloads.ts). Deployments are
 * stored and served but their pods are not started (long-running servers are out of scope).
 */
import { randomUUID } from "node:crypto";
import type { Handler, SandboxRequest, SandboxResponse, ServiceContext } from "../contract.js";
import type { PodRunner } from "../pods.js";
import type { ClusterState, K8sObject } from "../state.js";
import { admitPod, defaultJob, nameSuffix, runJob, startPod, validateJob, type Store } from "./kubernetes-workloads.js";

export const AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";
const DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

interface ResourceType {
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
}

const RESOURCES: Record<string, ResourceType> = {
  "/v1/namespaces": { kind: "Namespace", group: "", version: "v1", namespaced: false },
  "/v1/serviceaccounts": { kind: "ServiceAccount", group: "", version: "v1", namespaced: true },
  "/v1/configmaps": { kind: "ConfigMap", group: "", version: "v1", namespaced: true },
  "/v1/secrets": { kind: "Secret", group: "", version: "v1", namespaced: true },
  "/v1/pods": { kind: "Pod", group: "", version: "v1", namespaced: true },
  "/v1/events": { kind: "Event", group: "", version: "v1", namespaced: true },
  "batch/v1/jobs": { kind: "Job", group: "batch", version: "v1", namespaced: true },
  "apps/v1/deployments": { kind: "Deployment", group: "apps", version: "v1", namespaced: true },
};

const plural = (t: ResourceType) => `${t.kind.toLowerCase()}s`;
const qualified = (t: ResourceType) => (t.group ? `${plural(t)}.${t.group}` : plural(t));
const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): SandboxResponse {
  const body: Record<string, unknown> = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason };
  if (details) body.details = details;
  body.code = code;
  return { status: code, headers: { "content-type": "application/json", "cache-control": "no-cache, private" }, body };
}

function notFound(t: ResourceType, name: string): SandboxResponse {
  return status(404, "NotFound", `${qualified(t)} "${name}" not found`, { name, ...(t.group ? { group: t.group } : {}), kind: plural(t) });
}

function ok(body: unknown, code = 200): SandboxResponse {
  return { status: code, headers: { "content-type": "application/json", "cache-control": "no-cache, private" }, body };
}

// ---------------------------------------------------------------------------------------------
// Selectors
// ---------------------------------------------------------------------------------------------

type Requirement = (labels: Record<string, string>) => boolean;

/** Kubernetes label selector syntax: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`. */
export function parseLabelSelector(selector: string): Requirement[] | string {
  const parts = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  const out: Requirement[] = [];
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(raw))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(",").map((v) => v.trim());
      out.push(op === "in" ? (l) => key in l && values.includes(l[key]!) : (l) => !(key in l) || !values.includes(l[key]!));
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(raw))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      out.push(op === "!=" ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = /^!([\w./-]+)$/.exec(raw))) {
      const key = m[1]!;
      out.push((l) => !(key in l));
    } else if ((m = /^([\w./-]+)$/.exec(raw))) {
      const key = m[1]!;
      out.push((l) => key in l);
    } else {
      return `unable to parse requirement: ${raw}`;
    }
  }
  return out;
}

function fieldValue(obj: K8sObject, field: string): string | undefined {
  let cur: unknown = obj;
  for (const part of field.split(".")) cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[part] : undefined;
  return cur === undefined ? undefined : String(cur);
}

// ---------------------------------------------------------------------------------------------
// Patches
// ---------------------------------------------------------------------------------------------

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function jsonPatch(doc: unknown, ops: { op: string; path: string; value?: unknown }[]): unknown {
  const root = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops) {
    const keys = op.path
      .split("/")
      .slice(1)
      .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = keys.pop();
    if (last === undefined) throw new Error("empty path");
    let parent: Record<string, unknown> | unknown[] = root;
    for (const k of keys) {
      const next: unknown = Array.isArray(parent) ? parent[Number(k)] : parent[k];
      if (!next || typeof next !== "object") throw new Error(`path ${op.path} does not exist`);
      parent = next as Record<string, unknown>;
    }
    if (Array.isArray(parent)) {
      const i = last === "-" ? parent.length : Number(last);
      if (op.op === "remove") parent.splice(i, 1);
      else if (op.op === "add") parent.splice(i, 0, op.value);
      else if (op.op === "replace") parent[i] = op.value;
      else throw new Error(`unsupported op ${op.op}`);
    } else if (op.op === "remove") delete parent[last];
    else if (op.op === "add" || op.op === "replace") parent[last] = op.value;
    else throw new Error(`unsupported op ${op.op}`);
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// The API server
// ---------------------------------------------------------------------------------------------

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function kubernetesService(ctx: ServiceContext, podRunner: PodRunner): Handler {
  let resourceVersion = 1000;
  const prepared = new WeakSet<ClusterState>();
  const iso = () => new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, "Z");

  const store: Store = {
    ctx,
    podRunner,
    runs: new Map(),
    find: (cluster, kind, namespace, name) =>
      cluster.objects.find(
        (o) => o.kind === kind && o.metadata.name === name && (kind === "Namespace" || (o.metadata.namespace ?? "default") === namespace),
      ),
    insert: (cluster, obj) => {
      obj.metadata.uid ??= randomUUID();
      obj.metadata.creationTimestamp ??= iso();
      obj.metadata.resourceVersion = String(++resourceVersion);
      cluster.objects.push(obj);
      return obj;
    },
    remove: (cluster, obj) => {
      cluster.objects = cluster.objects.filter((o) => o !== obj);
    },
    touch: (obj) => {
      obj.metadata.resourceVersion = String(++resourceVersion);
    },
    event: (cluster, involved, type, reason, message, component) => {
      const at = iso();
      store.insert(cluster, {
        apiVersion: "v1",
        kind: "Event",
        metadata: {
          name: `${involved.metadata.name}.${randomUUID().replace(/-/g, "").slice(0, 16)}`,
          namespace: involved.metadata.namespace ?? "default",
        },
        involvedObject: {
          apiVersion: involved.apiVersion,
          kind: involved.kind,
          name: involved.metadata.name,
          namespace: involved.metadata.namespace ?? "default",
          uid: involved.metadata.uid,
        },
        reason,
        message,
        type,
        source: { component },
        reportingComponent: component,
        reportingInstance: "",
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
      });
    },
  };

  /** Scenario objects get their metadata; namespaces they mention (and the defaults) exist, each with its `default` ServiceAccount. */
  function prepare(cluster: ClusterState): void {
    if (prepared.has(cluster)) return;
    prepared.add(cluster);
    for (const o of cluster.objects) {
      o.metadata.uid ??= randomUUID();
      o.metadata.creationTimestamp ??= iso();
      o.metadata.resourceVersion ??= String(++resourceVersion);
      if (o.kind !== "Namespace") o.metadata.namespace ??= "default";
      if (o.kind === "Secret") normaliseSecret(o);
    }
    const namespaces = new Set([
      ...DEFAULT_NAMESPACES,
      ...cluster.objects.filter((o) => o.kind !== "Namespace").map((o) => o.metadata.namespace ?? "default"),
    ]);
    for (const ns of namespaces) ensureNamespace(cluster, ns);
  }

  function ensureNamespace(cluster: ClusterState, ns: string): void {
    if (!store.find(cluster, "Namespace", "", ns))
      store.insert(cluster, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: ns, labels: { "kubernetes.io/metadata.name": ns } },
        spec: { finalizers: ["kubernetes"] },
        status: { phase: "Active" },
      });
    if (!store.find(cluster, "ServiceAccount", ns, "default"))
      store.insert(cluster, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: ns } });
  }

  function normaliseSecret(o: K8sObject): void {
    const data = { ...((o.data ?? {}) as Record<string, string>) };
    for (const [k, v] of Object.entries((o.stringData ?? {}) as Record<string, string>)) data[k] = Buffer.from(v).toString("base64");
    o.data = data;
    delete o.stringData;
    o.type ??= "Opaque";
  }

  function list(req: SandboxRequest, cluster: ClusterState, t: ResourceType, ns: string | undefined): SandboxResponse {
    const selector = parseLabelSelector(req.query.get("labelSelector") ?? "");
    if (typeof selector === "string") return status(400, "BadRequest", selector);
    const fields = (req.query.get("fieldSelector") ?? "")
      .split(",")
      .filter(Boolean)
      .map((f) => /^([\w.]+)(==|=|!=)(.*)$/.exec(f));
    if (fields.some((f) => !f)) return status(400, "BadRequest", `invalid field selector: ${req.query.get("fieldSelector")}`);
    let items = cluster.objects.filter((o) => o.kind === t.kind && (!ns || o.metadata.namespace === ns));
    items = items.filter((o) => selector.every((r) => r(o.metadata.labels ?? {})));
    items = items.filter((o) => fields.every((f) => (f![2] === "!=" ? fieldValue(o, f![1]!) !== f![3] : fieldValue(o, f![1]!) === f![3])));
    const offset = Number(Buffer.from(req.query.get("continue") ?? "", "base64url").toString() || "0");
    const limit = Number(req.query.get("limit") ?? 0);
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
    if (limit > 0 && offset + limit < items.length) {
      metadata.continue = Buffer.from(String(offset + limit)).toString("base64url");
      metadata.remainingItemCount = items.length - offset - limit;
    }
    return ok({ kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata, items: page });
  }

  function create(req: SandboxRequest, cluster: ClusterState, t: ResourceType, ns: string | undefined): SandboxResponse {
    const body = req.json;
    if (!body || typeof body !== "object")
      return status(
        400,
        "BadRequest",
        "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
      );
    const obj = structuredClone(body) as K8sObject;
    if (obj.kind !== undefined && obj.kind !== t.kind)
      return status(
        400,
        "BadRequest",
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(t)})`,
      );
    obj.kind = t.kind;
    obj.apiVersion = apiVersionOf(t);
    obj.metadata ??= { name: "" };
    if (t.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns)
        return status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
      obj.metadata.namespace = ns;
      if (!store.find(cluster, "Namespace", "", ns!))
        return status(404, "NotFound", `namespaces "${ns}" not found`, { name: ns, kind: "namespaces" });
    }
    if (!obj.metadata.name && typeof obj.metadata.generateName === "string")
      obj.metadata.name = `${obj.metadata.generateName}${nameSuffix()}`;
    const name = obj.metadata.name;
    if (!name || !NAME.test(name) || name.length > 253) {
      return status(
        422,
        "Invalid",
        `${t.kind} "${name ?? ""}" is invalid: metadata.name: ${name ? `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` : "Required value: name or generateName is required"}`,
        { name: name ?? "", ...(t.group ? { group: t.group } : {}), kind: t.kind },
      );
    }
    if (store.find(cluster, t.kind, ns ?? "", name))
      return status(409, "AlreadyExists", `${qualified(t)} "${name}" already exists`, {
        name,
        ...(t.group ? { group: t.group } : {}),
        kind: plural(t),
      });
    if (t.kind === "Job") {
      const invalid = validateJob(obj);
      if (invalid) return status(422, "Invalid", `Job.batch "${name}" is invalid: ${invalid}`, { name, group: "batch", kind: "Job" });
    }
    if (t.kind === "Pod") {
      const refused = admitPod(store, cluster, obj);
      if (refused) return status(403, "Forbidden", refused, { name, kind: "pods" });
      obj.status = { phase: "Pending" };
    }
    if (req.query.get("dryRun") === "All") return ok(obj, 201);
    if (t.kind === "Secret") normaliseSecret(obj);
    if (t.kind === "Deployment" || t.kind === "Job") obj.metadata.generation = 1;
    store.insert(cluster, obj);
    if (t.kind === "Namespace") {
      obj.status = { phase: "Active" };
      ensureNamespace(cluster, name);
    }
    if (t.kind === "Deployment") obj.status = { observedGeneration: 1 };
    if (t.kind === "Job") {
      defaultJob(obj);
      runJob(store, cluster, obj);
    }
    if (t.kind === "Pod") startPod(store, cluster, obj);
    return ok(obj, 201);
  }

  function update(req: SandboxRequest, cluster: ClusterState, t: ResourceType, existing: K8sObject): SandboxResponse {
    const ct = String(req.headers["content-type"] ?? "");
    let next: K8sObject;
    try {
      if (req.method === "PUT") next = structuredClone(req.json) as K8sObject;
      else if (ct.includes("json-patch"))
        next = jsonPatch(existing, JSON.parse(req.body.toString()) as { op: string; path: string; value?: unknown }[]) as K8sObject;
      else next = mergePatch(existing, JSON.parse(req.body.toString())) as K8sObject;
    } catch (err) {
      return status(422, "Invalid", `the patch could not be applied: ${(err as Error).message}`);
    }
    const sent = next.metadata?.resourceVersion;
    if (req.method === "PUT" && sent && sent !== existing.metadata.resourceVersion) {
      return status(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(t)} "${existing.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: existing.metadata.name, ...(t.group ? { group: t.group } : {}), kind: plural(t) },
      );
    }
    if (next.metadata?.name !== existing.metadata.name)
      return status(400, "BadRequest", "the name of the object does not match the name on the URL");
    next.kind = t.kind;
    next.apiVersion = apiVersionOf(t);
    next.metadata = {
      ...next.metadata,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      namespace: existing.metadata.namespace,
    };
    if (t.kind === "Secret") normaliseSecret(next);
    if (t.kind === "Job" || t.kind === "Pod") next.status = existing.status;
    // Replace in place so running controllers keep seeing the same object.
    for (const key of Object.keys(existing)) delete existing[key];
    Object.assign(existing, next);
    store.touch(existing);
    return ok(existing);
  }

  async function remove(req: SandboxRequest, cluster: ClusterState, t: ResourceType, obj: K8sObject): Promise<SandboxResponse> {
    const options = (req.json ?? {}) as { propagationPolicy?: string };
    // batch/v1 Jobs orphan their pods unless told otherwise (kubectl asks for Background).
    const policy = req.query.get("propagationPolicy") ?? options.propagationPolicy ?? (t.kind === "Job" ? "Orphan" : "Background");
    const owned = (o: K8sObject) => ((o.metadata.ownerReferences ?? []) as { uid?: string }[]).some((r) => r.uid === obj.metadata.uid);
    if (t.kind === "Namespace") {
      for (const o of cluster.objects.filter((x) => x.metadata.namespace === obj.metadata.name)) await deleteObject(cluster, o);
      await deleteObject(cluster, obj);
      return ok({ ...obj, status: { phase: "Terminating" } });
    }
    for (const dependant of cluster.objects.filter(owned)) {
      if (policy === "Orphan")
        dependant.metadata.ownerReferences = ((dependant.metadata.ownerReferences ?? []) as { uid?: string }[]).filter(
          (r) => r.uid !== obj.metadata.uid,
        );
      else await deleteObject(cluster, dependant);
    }
    await deleteObject(cluster, obj);
    if (t.kind === "Pod")
      return ok({
        ...obj,
        metadata: {
          ...obj.metadata,
          deletionTimestamp: new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
          deletionGracePeriodSeconds: 30,
        },
      });
    return ok({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: obj.metadata.name, ...(t.group ? { group: t.group } : {}), kind: plural(t), uid: obj.metadata.uid },
    });
  }

  async function deleteObject(cluster: ClusterState, obj: K8sObject): Promise<void> {
    const run = store.runs.get(obj.metadata.uid ?? "");
    store.remove(cluster, obj);
    if (run) {
      store.runs.delete(obj.metadata.uid ?? "");
      await run.stop();
    }
  }

  function podLog(req: SandboxRequest, pod: K8sObject): SandboxResponse {
    const containers = ((pod.spec as { containers?: { name: string }[] }).containers ?? []).map((c) => c.name);
    const name = req.query.get("container") ?? (containers.length === 1 ? containers[0] : undefined);
    if (!name)
      return status(
        400,
        "BadRequest",
        `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(" ")}]`,
      );
    if (!containers.includes(name)) return status(400, "BadRequest", `container ${name} is not valid for pod ${pod.metadata.name}`);
    const previous = req.query.get("previous") === "true";
    const log = store.runs.get(pod.metadata.uid ?? "")?.log(name, previous);
    if (log === undefined) {
      if (previous) return status(400, "BadRequest", `previous terminated container "${name}" in pod "${pod.metadata.name}" not found`);
      const cs = (
        (pod.status as { containerStatuses?: { name: string; state?: { waiting?: { reason?: string } } }[] } | undefined)
          ?.containerStatuses ?? []
      ).find((c) => c.name === name);
      const reason = cs?.state?.waiting?.reason ?? "ContainerCreating";
      const why = reason === "ImagePullBackOff" || reason === "ErrImagePull" ? "trying and failing to pull image" : reason;
      return status(400, "BadRequest", `container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${why}`);
    }
    let text = log;
    const tail = Number(req.query.get("tailLines") ?? NaN);
    if (Number.isInteger(tail) && tail >= 0)
      text = text
        .split(/(?<=\n)/)
        .slice(-tail || text.length)
        .join("");
    return { status: 200, headers: { "content-type": "text/plain" }, body: text };
  }

  return async (req) => {
    const base = new URL(ctx.urls.kubernetes).pathname.replace(/\/+$/, "");
    const path = req.path.startsWith(base) ? req.path.slice(base.length) : req.path;
    const segs = path.split("/").filter(Boolean);
    if (segs[0] !== "clusters" || !segs[1]) return status(404, "NotFound", "the server could not find the requested resource");
    const cluster = ctx.state.clusters.find((c) => c.name === segs[1]);
    if (!cluster) return status(404, "NotFound", `no cluster named "${segs[1]}" in this sandbox`);

    const check = ctx.verifyAccessToken(req.bearer, [AKS_SERVER_APP_ID]);
    if (!check.ok) return status(401, "Unauthorized", "Unauthorized");
    prepare(cluster);

    const rest = segs.slice(2);
    if (rest[0] === "version" && rest.length === 1) return ok({ major: "1", minor: "32", gitVersion: "v1.32.7", platform: "linux/amd64" });
    let group: string;
    let at: number;
    if (rest[0] === "api" && rest[1] === "v1") [group, at] = ["/v1", 2];
    else if (rest[0] === "apis" && rest[1] && rest[2]) [group, at] = [`${rest[1]}/${rest[2]}`, 3];
    else return status(404, "NotFound", "the server could not find the requested resource");

    let ns: string | undefined;
    let tail = rest.slice(at);
    if (tail[0] === "namespaces" && tail.length >= 3) {
      ns = tail[1];
      tail = tail.slice(2);
    }
    const [resource, name, sub, ...extra] = tail;
    const t = RESOURCES[`${group}/${resource}`];
    if (!t || extra.length > 0 || (ns !== undefined && !t.namespaced))
      return status(404, "NotFound", "the server could not find the requested resource");
    if (ns !== undefined && !store.find(cluster, "Namespace", "", ns) && req.method !== "GET")
      return status(404, "NotFound", `namespaces "${ns}" not found`, { name: ns, kind: "namespaces" });

    if (name === undefined) {
      if (req.method === "GET") return list(req, cluster, t, ns);
      if (req.method === "POST" && (ns !== undefined || !t.namespaced)) return create(req, cluster, t, ns);
      return status(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
    }
    const obj = store.find(cluster, t.kind, ns ?? "", name);
    if (!obj) return notFound(t, name);
    if (sub === "log" && t.kind === "Pod" && req.method === "GET") return podLog(req, obj);
    if (sub !== undefined && sub !== "status") return status(404, "NotFound", "the server could not find the requested resource");
    if (req.method === "GET") return ok(obj);
    if (req.method === "PUT" || req.method === "PATCH") return update(req, cluster, t, obj);
    if (req.method === "DELETE") return remove(req, cluster, t, obj);
    return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  };
}
