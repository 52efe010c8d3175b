/**
 * Runs a pod template once as a Job in a sandbox cluster through the REAL @kubernetes/client-node (as a
 * pipeline runs `manage.py migrate`) and waits for it: whether the Job completed, and its pod's log.
 * Used by the sandbox's own tests and by the demo.
 */
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1PodTemplateSpec } from "@kubernetes/client-node";

export interface JobOutcome {
  /** True when the Job completed, false when it failed. */
  succeeded: boolean;
  /** The log of the Job's pod ("" when it has none). */
  log: string;
}

export async function runTemplateAsJob(
  kc: KubeConfig,
  opts: { namespace: string; job: string; template: V1PodTemplateSpec; timeoutMs?: number },
): Promise<JobOutcome> {
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const template = structuredClone(opts.template);
  template.spec!.restartPolicy = "Never";
  await batch.createNamespacedJob({
    namespace: opts.namespace,
    body: { apiVersion: "batch/v1", kind: "Job", metadata: { name: opts.job }, spec: { backoffLimit: 0, template } },
  });
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let succeeded: boolean | undefined;
  while (succeeded === undefined) {
    const job = await batch.readNamespacedJob({ name: opts.job, namespace: opts.namespace });
    const done = (job.status?.conditions ?? []).find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    if (done) succeeded = done.type === "Complete";
    else if (Date.now() > deadline)
      throw new Error(`Job ${opts.namespace}/${opts.job} did not finish within ${Math.round(timeoutMs / 1000)} s`);
    else await new Promise((r) => setTimeout(r, 200));
  }
  const pods = await core.listNamespacedPod({ namespace: opts.namespace, labelSelector: `job-name=${opts.job}` });
  const pod = pods.items[0]?.metadata?.name;
  const log = pod ? await core.readNamespacedPodLog({ name: pod, namespace: opts.namespace }) : "";
  return { succeeded, log };
}
