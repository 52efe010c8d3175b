/**
 * Starts the app the way the team's pipeline runs `manage.py migrate`: a one-off Job from the pod
 * template of the Deployment the cluster serves right now (read through the Kubernetes API, so the fixed
 * Deployment is what runs after `kubectl apply`). The sandbox runs the pod as a local process with the
 * real Azure SDK (test/sandbox/pods/django_app.py, or its Node twin), which prints one JSON line about
 * what the SDK experienced: the token, each secret (its length, never its value), the blob listing.
 */
import { AppsV1Api, KubeConfig } from "@kubernetes/client-node";
import type { Sandbox } from "../../test/sandbox/index.js";
import { runTemplateAsJob } from "../../test/sandbox/run-job.js";

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

export async function runAppOnce(
  sb: Sandbox,
  opts: { namespace: string; deployment: string; job: string; timeoutMs?: number },
): Promise<AppRun> {
  const kc = new KubeConfig();
  kc.loadFromFile(sb.kubeconfigs[CLUSTER]!);
  const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: opts.deployment, namespace: opts.namespace });
  const { succeeded, log } = await runTemplateAsJob(kc, {
    namespace: opts.namespace,
    job: opts.job,
    template: deployment.spec!.template,
    timeoutMs: opts.timeoutMs,
  });
  const outcome = lastJsonLine(log);
  return { succeeded, log, ...(outcome ? { outcome } : {}) };
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
