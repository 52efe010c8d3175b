/**
 * Starts the app the way the team's pipeline runs `manage.py migrate`: a one-off Job from the pod
 * template of the Deployment the cluster serves right now (read through the Kubernetes API, so the fixed
 * Deployment is what runs after `kubectl apply`). The sandbox runs the pod as a local process with the
 * real Azure SDK (test/sandbox/pods/django_app.py, or its Node twin), which prints one JSON line about
 * what the SDK experienced: the token, each secret (its length, never its value), the blob listing.
 */
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, type V1PodTemplateSpec } from "@kubernetes/client-node";
import type { Sandbox } from "../../test/sandbox/index.js";

export interface AppOutcome {
  /** `name` only from the Node app (the JS error class); the Python app's error is ClientAuthenticationError. */
  token?: { ok: boolean; name?: string; message?: string };
  secrets?: Record<string, { ok: boolean; length?: number; status?: number; code?: string }>;
  blob?: { ok: boolean; count?: number; status?: number; code?: string } | null;
}

export interface AppRun {
  /** The pod's exit: true when the Job completed. */
  succeeded: boolean;
  /** The app's JSON line, undefined when it printed none (the log then says why). */
  outcome?: AppOutcome;
  log: string;
}

const CLUSTER = "aks-prod";

function clients(sb: Sandbox): { apps: AppsV1Api; batch: BatchV1Api; core: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromFile(sb.kubeconfigs[CLUSTER]!);
  return { apps: kc.makeApiClient(AppsV1Api), batch: kc.makeApiClient(BatchV1Api), core: kc.makeApiClient(CoreV1Api) };
}

export async function runAppOnce(sb: Sandbox, opts: { namespace: string; deployment: string; job: string; timeoutMs?: number }): Promise<AppRun> {
  const { apps, batch, core } = clients(sb);
  const deployment = await apps.readNamespacedDeployment({ name: opts.deployment, namespace: opts.namespace });
  const template = structuredClone(deployment.spec!.template) as V1PodTemplateSpec;
  template.spec!.restartPolicy = "Never";
  await batch.createNamespacedJob({ namespace: opts.namespace, body: { apiVersion: "batch/v1", kind: "Job", metadata: { name: opts.job }, spec: { backoffLimit: 0, template } } });
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let succeeded: boolean | undefined;
  while (succeeded === undefined) {
    const job = await batch.readNamespacedJob({ name: opts.job, namespace: opts.namespace });
    const done = (job.status?.conditions ?? []).find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    if (done) succeeded = done.type === "Complete";
    else if (Date.now() > deadline) throw new Error(`Job ${opts.namespace}/${opts.job} did not finish within ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s`);
    else await new Promise((r) => setTimeout(r, 200));
  }
  const pods = await core.listNamespacedPod({ namespace: opts.namespace, labelSelector: `job-name=${opts.job}` });
  const pod = pods.items[0]?.metadata?.name;
  const log = pod ? await core.readNamespacedPodLog({ name: pod, namespace: opts.namespace }) : "";
  return { succeeded, log, ...(lastJsonLine(log) ? { outcome: lastJsonLine(log)! } : {}) };
}

function lastJsonLine(log: string): AppOutcome | undefined {
  for (const line of log.trim().split("\n").reverse()) {
    if (!line.startsWith("{")) continue;
    try {
      return JSON.parse(line) as AppOutcome;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
