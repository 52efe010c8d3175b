/**
 * Runs one probe Job: create it, poll until its pod's container has terminated (or cannot start, or
 * the timeout / abort comes), read the log, and delete the Job with propagationPolicy Background —
 * always, also on failure and on cancellation. Polling rather than watching: it works through every
 * proxy and API server, and a probe lasts seconds.
 */
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from "@kubernetes/client-node";
import { describeKubeError } from "./kube.js";
import { PROBE_CONTAINER } from "./job.js";
import { log } from "../log.js";

export type NotRunReason =
  | "create-refused"
  | "not-created"
  | "image-pull"
  | "container-config"
  | "not-scheduled"
  | "timeout"
  | "cancelled"
  | "job-failed"
  | "log-unreadable";

export type JobOutcome =
  | { status: "finished"; podName: string; exitCode: number | undefined; log: string; cleanup?: string }
  | { status: "not-run"; reason: NotRunReason; detail: string; podName?: string; cleanup?: string };

export interface RunJobOptions {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal;
}

/** Waiting reasons that mean the container will not start without a change. */
const PULL_FAILURES = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]);
const CONFIG_FAILURES = new Set(["CreateContainerConfigError", "CreateContainerError", "RunContainerError"]);

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

class JobWatcher {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  /** Last state seen, for the timeout's evidence. */
  private lastState = "the Job was created but no pod has appeared yet";

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async create(job: V1Job): Promise<void> {
    await this.batch.createNamespacedJob({ namespace: this.namespace, body: job });
  }

  async delete(): Promise<string | undefined> {
    try {
      await this.batch.deleteNamespacedJob({ name: this.name, namespace: this.namespace, propagationPolicy: "Background" });
      return undefined;
    } catch (err) {
      const e = describeKubeError(err);
      return e.status === 404
        ? undefined
        : `the probe Job ${this.namespace}/${this.name} could not be deleted (${e.text}); its TTL removes it within 10 minutes`;
    }
  }

  private async warnings(objectName: string): Promise<string[]> {
    try {
      const events = await this.core.listNamespacedEvent({ namespace: this.namespace, fieldSelector: `involvedObject.name=${objectName}` });
      return events.items.filter((e) => e.type === "Warning").map((e) => `${e.reason ?? ""}: ${e.message ?? ""}`);
    } catch {
      return [];
    }
  }

  /** One poll: undefined while the probe is still on its way. */
  async step(): Promise<JobOutcome | undefined> {
    const pods = (await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: `job-name=${this.name}` })).items;
    const pod = pods.sort((a, b) =>
      String(b.metadata?.creationTimestamp ?? "").localeCompare(String(a.metadata?.creationTimestamp ?? "")),
    )[0];
    if (!pod) return this.noPod();
    return this.podStep(pod);
  }

  private async noPod(): Promise<JobOutcome | undefined> {
    const failedCreate = (await this.warnings(this.name)).find((w) => w.startsWith("FailedCreate"));
    // The Job controller could not create the pod (missing ServiceAccount, quota, admission webhook): it
    // would keep retrying, but nothing the gate waits for will change that.
    if (failedCreate) return { status: "not-run", reason: "not-created", detail: failedCreate };
    const job = await this.batch.readNamespacedJob({ name: this.name, namespace: this.namespace });
    const failed = job.status?.conditions?.find((c) => c.type === "Failed" && c.status === "True");
    if (failed)
      return { status: "not-run", reason: "job-failed", detail: `the Job failed: ${failed.reason ?? ""} ${failed.message ?? ""}`.trim() };
    return undefined;
  }

  private async podStep(pod: V1Pod): Promise<JobOutcome | undefined> {
    const podName = pod.metadata?.name ?? "";
    const status = (pod.status?.containerStatuses ?? []).find((c) => c.name === PROBE_CONTAINER) ?? pod.status?.containerStatuses?.[0];
    const waiting = status?.state?.waiting;
    const terminated = status?.state?.terminated;
    if (terminated) return this.finished(podName, terminated.exitCode);
    if (waiting?.reason && PULL_FAILURES.has(waiting.reason)) {
      const events = (await this.warnings(podName)).filter((w) => /pull/i.test(w));
      return {
        status: "not-run",
        reason: "image-pull",
        podName,
        detail: `${waiting.reason}: ${events[0] ?? waiting.message ?? ""}`.trim(),
      };
    }
    if (waiting?.reason && CONFIG_FAILURES.has(waiting.reason)) {
      return { status: "not-run", reason: "container-config", podName, detail: `${waiting.reason}: ${waiting.message ?? ""}`.trim() };
    }
    const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (scheduled?.status === "False") {
      this.lastState = `pod ${podName} is not scheduled: ${scheduled.reason ?? ""} ${scheduled.message ?? ""}`.trim();
    } else if (waiting?.reason) {
      this.lastState = `pod ${podName} is waiting: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ""}`;
    } else {
      this.lastState = `pod ${podName} is ${pod.status?.phase ?? "Pending"}`;
    }
    if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") return this.finished(podName, undefined);
    return undefined;
  }

  private async finished(podName: string, exitCode: number | undefined): Promise<JobOutcome> {
    try {
      const log = await this.core.readNamespacedPodLog({ name: podName, namespace: this.namespace, container: PROBE_CONTAINER });
      return { status: "finished", podName, exitCode, log: typeof log === "string" ? log : String(log) };
    } catch (err) {
      return {
        status: "not-run",
        reason: "log-unreadable",
        podName,
        detail: `the probe pod's log could not be read: ${describeKubeError(err).text}`,
      };
    }
  }

  async timedOut(timeoutMs: number): Promise<JobOutcome> {
    const warnings = await this.warnings(this.name);
    const unscheduled = this.lastState.includes("is not scheduled");
    return {
      status: "not-run",
      reason: unscheduled ? "not-scheduled" : "timeout",
      detail: `no result after ${Math.round(timeoutMs / 1000)} s: ${this.lastState}${warnings.length ? `; events: ${warnings.slice(-2).join("; ")}` : ""}`,
    };
  }
}

export async function runProbeJob(kc: KubeConfig, job: V1Job, opts: RunJobOptions): Promise<JobOutcome> {
  const namespace = job.metadata?.namespace ?? "default";
  const name = job.metadata?.name ?? "";
  const watcher = new JobWatcher(kc, namespace, name);
  const signal = opts.signal;
  if (signal?.aborted) return { status: "not-run", reason: "cancelled", detail: "the run was cancelled before the probe Job was created" };
  try {
    await watcher.create(job);
  } catch (err) {
    return {
      status: "not-run",
      reason: "create-refused",
      detail: `creating Job ${namespace}/${name} was refused: ${describeKubeError(err).text}`,
    };
  }
  log.info(`probe: created Job ${namespace}/${name}`);
  const deadline = Date.now() + opts.timeoutMs;
  let outcome: JobOutcome;
  try {
    outcome = await poll();
  } catch (err) {
    outcome = { status: "not-run", reason: "job-failed", detail: `watching the probe Job failed: ${describeKubeError(err).text}` };
  }
  const cleanup = await watcher.delete();
  log.info(`probe: deleted Job ${namespace}/${name}${cleanup ? ` (failed: ${cleanup})` : ""}`);
  return cleanup ? { ...outcome, cleanup } : outcome;

  async function poll(): Promise<JobOutcome> {
    for (;;) {
      if (signal?.aborted)
        return { status: "not-run", reason: "cancelled", detail: "the run was cancelled while the probe Job was running" };
      const outcome = await watcher.step();
      if (outcome) return outcome;
      if (Date.now() >= deadline) return watcher.timedOut(opts.timeoutMs);
      await sleep(Math.min(opts.pollMs ?? 1000, Math.max(0, deadline - Date.now())), signal);
    }
  }
}
