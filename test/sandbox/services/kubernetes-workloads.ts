/**
 * What runs inside the emulated AKS control plane besides the API server: the admission chain for
 * pods (the ServiceAccount admission plugin and the Azure Workload Identity mutating webhook) and
 * the Job controller. The API server (kubernetes.ts) calls these; they use its store through `Store`.
 *
 * The webhook follows azure-workload-identity's pkg/webhook/webhook.go: it is registered only on AKS
 * clusters with workload identity enabled and selects pods labelled `azure.workload.identity/use: "true"`
 * (objectSelector). For each container (minus `azure.workload.identity/skip-containers`) it adds
 * AZURE_CLIENT_ID (the SA's `azure.workload.identity/client-id`), AZURE_TENANT_ID (the SA's
 * `azure.workload.identity/tenant-id`, else the cluster's tenant), AZURE_FEDERATED_TOKEN_FILE and
 * AZURE_AUTHORITY_HOST — each only when the container does not already define it and the value is
 * non-empty — plus the projected service-account token volume (audience api://AzureADTokenExchange,
 * expiration from the `service-account-token-expiration` annotation, 3600–86400 s). No label, no
 * injection: exactly the failure the gate looks for.
 */
import { randomBytes } from "node:crypto";
import type { ServiceContext } from "../contract.js";
import type { PodRun, PodRunner, PodSpec } from "../pods.js";
import type { ClusterState, K8sObject } from "../state.js";

export const WI_USE_LABEL = "azure.workload.identity/use";
export const WI_CLIENT_ID = "azure.workload.identity/client-id";
export const WI_TENANT_ID = "azure.workload.identity/tenant-id";
const WI_SKIP_CONTAINERS = "azure.workload.identity/skip-containers";
const WI_TOKEN_EXPIRATION = "azure.workload.identity/service-account-token-expiration";
const WI_VOLUME = "azure-identity-token";
const WI_MOUNT_PATH = "/var/run/secrets/azure/tokens";
export const WI_TOKEN_FILE = `${WI_MOUNT_PATH}/azure-identity-token`;
const WI_AUDIENCE = "api://AzureADTokenExchange";

/** The API server's side the controllers need. */
export interface Store {
  ctx: ServiceContext;
  podRunner: PodRunner;
  find(cluster: ClusterState, kind: string, namespace: string, name: string): K8sObject | undefined;
  /** Stores a new object (uid, resourceVersion, creationTimestamp set). */
  insert(cluster: ClusterState, obj: K8sObject): K8sObject;
  remove(cluster: ClusterState, obj: K8sObject): void;
  /** Bumps the object's resourceVersion after an in-place change. */
  touch(obj: K8sObject): void;
  event(cluster: ClusterState, involved: K8sObject, type: "Normal" | "Warning", reason: string, message: string, component: string): void;
  /** Pod processes by pod uid. */
  runs: Map<string, PodRun>;
}

type EnvList = { name: string; value?: string; valueFrom?: unknown }[];

/** Admission for a new pod. Returns the "forbidden"/"denied" message when the API server must refuse it. */
export function admitPod(store: Store, cluster: ClusterState, pod: K8sObject): string | undefined {
  const spec = pod.spec as PodSpec & { serviceAccount?: string; initContainers?: PodSpec["containers"] };
  const ns = pod.metadata.namespace ?? "default";
  const saName = spec.serviceAccountName || spec.serviceAccount || "default";
  const sa = store.find(cluster, "ServiceAccount", ns, saName);
  if (!sa)
    return `pods "${pod.metadata.name}" is forbidden: error looking up service account ${ns}/${saName}: serviceaccount "${saName}" not found`;
  spec.serviceAccountName = saName;
  spec.serviceAccount = saName;

  if (!cluster.workloadIdentityEnabled || pod.metadata.labels?.[WI_USE_LABEL] !== "true") return undefined;
  const podAnn = pod.metadata.annotations ?? {};
  const saAnn = sa.metadata.annotations ?? {};
  const expiration = Number(podAnn[WI_TOKEN_EXPIRATION] || saAnn[WI_TOKEN_EXPIRATION] || 3600);
  if (!Number.isInteger(expiration) || expiration < 3600 || expiration > 86400) {
    return `admission webhook "mutation.azure-workload-identity.io" denied the request: token expiration ${expiration} not valid. Expected value to be between 3600 and 86400`;
  }
  const skip = new Set(
    (podAnn[WI_SKIP_CONTAINERS] ?? "")
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const desired: [string, string][] = [
    ["AZURE_CLIENT_ID", saAnn[WI_CLIENT_ID] ?? ""],
    ["AZURE_TENANT_ID", saAnn[WI_TENANT_ID] ?? store.ctx.state.tenantId],
    ["AZURE_FEDERATED_TOKEN_FILE", WI_TOKEN_FILE],
    ["AZURE_AUTHORITY_HOST", `${store.ctx.urls.authorityHost.replace(/\/+$/, "")}/`],
  ];
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (skip.has(c.name)) continue;
    const env = ((c as { env?: EnvList }).env ??= []);
    for (const [name, value] of desired) if (value && !env.some((e) => e.name === name)) env.push({ name, value });
    const mounts = (c.volumeMounts ??= []);
    const mount = { name: WI_VOLUME, mountPath: WI_MOUNT_PATH, readOnly: true };
    const at = mounts.findIndex((m) => m.name === WI_VOLUME);
    if (at >= 0) mounts[at] = mount;
    else mounts.push(mount);
  }
  const volume = {
    name: WI_VOLUME,
    projected: {
      sources: [{ serviceAccountToken: { path: "azure-identity-token", expirationSeconds: expiration, audience: WI_AUDIENCE } }],
    },
  };
  const volumes = (spec.volumes ??= []);
  const at = volumes.findIndex((v) => v.name === WI_VOLUME);
  if (at >= 0) volumes[at] = volume;
  else volumes.push(volume);
  return undefined;
}

/** Starts a pod's processes through the pod runner, recording kubelet events and status changes. */
export function startPod(store: Store, cluster: ClusterState, pod: K8sObject, restartLimit?: number): PodRun {
  const run = store.podRunner.run(pod, cluster, {
    event: (e) => store.event(cluster, pod, e.type, e.reason, e.message, e.source),
    changed: () => store.touch(pod),
    ...(restartLimit !== undefined ? { restartLimit } : {}),
  });
  store.runs.set(pod.metadata.uid ?? "", run);
  return run;
}

// ---------------------------------------------------------------------------------------------
// Job controller
// ---------------------------------------------------------------------------------------------

interface JobSpec {
  backoffLimit?: number;
  completions?: number;
  parallelism?: number;
  activeDeadlineSeconds?: number;
  selector?: unknown;
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
}

interface JobStatus {
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  startTime?: string;
  completionTime?: string;
  conditions?: Record<string, string>[];
}

const POD_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** Kubernetes' generateName suffix: 5 characters from its consonant/digit alphabet. */
export function nameSuffix(): string {
  return [...randomBytes(5)].map((b) => POD_SUFFIX_ALPHABET[b % POD_SUFFIX_ALPHABET.length]).join("");
}

/** Validation the API server applies to a Job before storing it; returns the field error. */
export function validateJob(job: K8sObject): string | undefined {
  const spec = job.spec as JobSpec | undefined;
  if (!spec?.template?.spec?.containers?.length) return "spec.template.spec.containers: Required value";
  const policy = spec.template.spec.restartPolicy;
  if (policy !== "Never" && policy !== "OnFailure")
    return `spec.template.spec.restartPolicy: ${policy === undefined ? "Required value" : `Unsupported value: "${policy}"`}: valid values: "OnFailure", "Never"`;
  return undefined;
}

/** API-server defaults for a new Job (selector and template labels tie its pods to it). */
export function defaultJob(job: K8sObject): void {
  const spec = job.spec as JobSpec & Record<string, unknown>;
  const uid = job.metadata.uid ?? "";
  const name = job.metadata.name;
  spec.backoffLimit ??= 6;
  spec.completions ??= 1;
  spec.parallelism ??= 1;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  spec.podReplacementPolicy ??= "TerminatingOrFailed";
  spec.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
  const meta = (spec.template.metadata ??= {});
  meta.labels = {
    ...(meta.labels ?? {}),
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": name,
    "controller-uid": uid,
    "job-name": name,
  };
  job.metadata.labels = {
    ...(job.metadata.labels ?? {}),
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": name,
    "controller-uid": uid,
    "job-name": name,
  };
  job.status = {};
}

/**
 * Runs a Job to completion the way the Job controller does, one pod at a time: a failed pod is replaced
 * (restartPolicy Never) until `backoffLimit` failures, then the Job fails with BackoffLimitExceeded;
 * `completions` successes complete it. The exponential back-off between pods is compressed
 * (100 ms, doubling) so tests stay fast. Parallelism above 1 is not modelled.
 */
export function runJob(store: Store, cluster: ClusterState, job: K8sObject): void {
  const spec = job.spec as JobSpec;
  const status = (job.status ??= {}) as JobStatus;
  const now = () => new Date(store.ctx.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  const alive = () => cluster.objects.includes(job);
  status.startTime = now();
  status.active = 0;
  status.ready = 0;
  let finished = false;

  const finish = (type: "Complete" | "Failed", reason: string, message: string) => {
    if (finished) return;
    finished = true;
    const at = now();
    const target =
      type === "Complete"
        ? { type: "SuccessCriteriaMet", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" }
        : { type: "FailureTarget", reason, message };
    status.conditions = [
      { ...target, status: "True", lastProbeTime: at, lastTransitionTime: at },
      {
        type,
        status: "True",
        reason: type === "Complete" ? "CompletionsReached" : reason,
        message: type === "Complete" ? "Reached expected number of succeeded pods" : message,
        lastProbeTime: at,
        lastTransitionTime: at,
      },
    ];
    if (type === "Complete") status.completionTime = at;
    store.event(
      cluster,
      job,
      type === "Complete" ? "Normal" : "Warning",
      type === "Complete" ? "Completed" : reason,
      type === "Complete" ? "Job completed" : message,
      "job-controller",
    );
    store.touch(job);
  };

  if (spec.activeDeadlineSeconds !== undefined) {
    const timer = setTimeout(() => {
      if (!alive() || finished) return;
      for (const pod of cluster.objects.filter(
        (o) =>
          o.kind === "Pod" &&
          o.metadata.ownerReferences &&
          (o.metadata.ownerReferences as { uid: string }[]).some((r) => r.uid === job.metadata.uid),
      )) {
        void store.runs.get(pod.metadata.uid ?? "")?.stop();
      }
      status.active = 0;
      finish("Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
    }, spec.activeDeadlineSeconds * 1000);
    timer.unref();
  }

  const createPod = (): void => {
    if (!alive() || finished) return;
    const name = `${job.metadata.name}-${nameSuffix()}`;
    const template = structuredClone(spec.template);
    const pod: K8sObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        generateName: `${job.metadata.name}-`,
        namespace: job.metadata.namespace ?? "default",
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: { ...(template.metadata?.annotations ?? {}), "batch.kubernetes.io/job-tracking": "" },
        ownerReferences: [
          {
            apiVersion: "batch/v1",
            kind: "Job",
            name: job.metadata.name,
            uid: job.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: template.spec,
      status: { phase: "Pending" },
    };
    const refused = admitPod(store, cluster, pod);
    if (refused) {
      store.event(cluster, job, "Warning", "FailedCreate", `Error creating: ${refused}`, "job-controller");
      // The controller keeps retrying: the ServiceAccount may be created later.
      setTimeout(createPod, 1000).unref();
      return;
    }
    store.insert(cluster, pod);
    store.event(cluster, job, "Normal", "SuccessfulCreate", `Created pod: ${name}`, "job-controller");
    status.active = (status.active ?? 0) + 1;
    store.touch(job);
    const limit = spec.backoffLimit ?? 6;
    const run = startPod(store, cluster, pod, limit);
    void run.done.then((outcome) => {
      if (!alive() || finished) return;
      status.active = Math.max(0, (status.active ?? 1) - 1);
      if (outcome.phase === "Succeeded") {
        status.succeeded = (status.succeeded ?? 0) + 1;
        store.touch(job);
        if (status.succeeded >= (spec.completions ?? 1)) finish("Complete", "CompletionsReached", "");
        else createPod();
        return;
      }
      status.failed = (status.failed ?? 0) + 1;
      store.touch(job);
      const onFailure = spec.template.spec.restartPolicy === "OnFailure";
      if (onFailure || status.failed > limit) {
        finish("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
        return;
      }
      setTimeout(createPod, 100 * 2 ** (status.failed - 1)).unref();
    });
  };
  createPod();
}
