/**
 * Test helper: runs a scenario Deployment's pod template once as a Job in the sandbox cluster (through
 * the REAL @kubernetes/client-node) and returns the last JSON line its app printed, plus the log.
 */
import { KubeConfig, type V1PodTemplateSpec } from "@kubernetes/client-node";
import type { Sandbox } from "../sandbox/index.js";
import { runTemplateAsJob } from "../sandbox/run-job.js";

export interface JobRun {
  out: Record<string, unknown>;
  log: string;
  succeeded: boolean;
}

export async function runDeploymentAsJob(
  sb: Sandbox,
  opts: { cluster: string; namespace: string; deployment: string; job: string; image?: string; timeoutMs?: number },
): Promise<JobRun> {
  const kc = new KubeConfig();
  kc.loadFromFile(sb.kubeconfigs[opts.cluster]!);
  const cluster = sb.state.clusters.find((c) => c.name === opts.cluster)!;
  const deployment = cluster.objects.find(
    (o) => o.kind === "Deployment" && o.metadata.name === opts.deployment && o.metadata.namespace === opts.namespace,
  );
  if (!deployment) throw new Error(`no Deployment ${opts.namespace}/${opts.deployment} in cluster ${opts.cluster}`);
  const template = structuredClone((deployment.spec as { template: V1PodTemplateSpec }).template);
  if (opts.image) template.spec!.containers[0]!.image = opts.image;
  const { succeeded, log } = await runTemplateAsJob(kc, { namespace: opts.namespace, job: opts.job, template, timeoutMs: opts.timeoutMs });
  const last = log.trim().split("\n").at(-1) ?? "";
  let out: Record<string, unknown>;
  try {
    out = JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`the app did not print a JSON line; its log:\n${log}`);
  }
  return { out, log, succeeded };
}
