/**
 * Test helper: runs a scenario Deployment's pod template once as a Job in the sandbox cluster (through
 * the REAL @kubernetes/client-node) and returns the last JSON line its app printed, plus the log.
 */
import { BatchV1Api, CoreV1Api, KubeConfig, type V1PodTemplateSpec } from "@kubernetes/client-node";
import type { Sandbox } from "../sandbox/index.js";

export interface JobRun {
  out: Record<string, unknown>;
  log: string;
  succeeded: boolean;
}

export async function runDeploymentAsJob(sb: Sandbox, opts: { cluster: string; namespace: string; deployment: string; job: string; image?: string; timeoutMs?: number }): Promise<JobRun> {
  const kc = new KubeConfig();
  kc.loadFromFile(sb.kubeconfigs[opts.cluster]!);
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const cluster = sb.state.clusters.find((c) => c.name === opts.cluster)!;
  const deployment = cluster.objects.find((o) => o.kind === "Deployment" && o.metadata.name === opts.deployment && o.metadata.namespace === opts.namespace);
  if (!deployment) throw new Error(`no Deployment ${opts.namespace}/${opts.deployment} in cluster ${opts.cluster}`);
  const template = structuredClone((deployment.spec as { template: V1PodTemplateSpec }).template);
  template.spec!.restartPolicy = "Never";
  if (opts.image) template.spec!.containers[0]!.image = opts.image;
  await batch.createNamespacedJob({ namespace: opts.namespace, body: { apiVersion: "batch/v1", kind: "Job", metadata: { name: opts.job }, spec: { backoffLimit: 0, template } } });
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let succeeded: boolean | undefined;
  while (succeeded === undefined) {
    const job = await batch.readNamespacedJob({ name: opts.job, namespace: opts.namespace });
    const done = (job.status?.conditions ?? []).find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    if (done) succeeded = done.type === "Complete";
    else if (Date.now() > deadline) throw new Error(`job ${opts.job} did not finish in time`);
    else await new Promise((r) => setTimeout(r, 200));
  }
  const pods = await core.listNamespacedPod({ namespace: opts.namespace, labelSelector: `job-name=${opts.job}` });
  const log = await core.readNamespacedPodLog({ name: pods.items[0]!.metadata!.name!, namespace: opts.namespace });
  const last = log.trim().split("\n").at(-1) ?? "";
  let out: Record<string, unknown>;
  try {
    out = JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`the app did not print a JSON line; its log:\n${log}`);
  }
  return { out, log, succeeded };
}
