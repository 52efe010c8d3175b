/**
 * The probe Job manifest: one pod, no retries, in the target's namespace, under the workload's own
 * ServiceAccount, carrying the workload's pod labels plus `azure.workload.identity/use: "true"` — so
 * the Workload Identity webhook injects exactly what the app's pods get, and network policies treat
 * the probe like the app. It also copies the workload's nodeSelector, tolerations and affinity: on
 * another node pool the probe would leave from another subnet (another firewall path to Storage and
 * Key Vault) and prove the wrong thing, or never schedule where app pools are tainted. Not the
 * priorityClassName: a probe must not preempt anyone's pods. The same labels would let the app's
 * Service route live traffic to the probe pod, so the pod carries a readiness gate nobody sets: it never
 * becomes Ready, and a Service only sends traffic to Ready endpoints. A deadline and a TTL clean up
 * after the gate even if its own delete fails.
 */
import { randomBytes } from "node:crypto";
import type { V1Job, V1PodSpec } from "@kubernetes/client-node";
import type { ResolvedTarget } from "../azure/facts/types.js";
import { PLAN_ENV, type ProbePlan } from "./probe-plan.js";

export const PROBE_CONTAINER = "probe";
/** A pod condition nothing ever sets to True: keeps the probe pod out of every Service's endpoints. */
export const NEVER_READY_GATE = "azure-auth-gate.io/never-serve-traffic";
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "azure-auth-gate", "app.kubernetes.io/component": "probe" };

/** Labels a controller sets on its own pods: copying them would tie the probe pod to that controller. */
const CONTROLLER_LABEL =
  /^(pod-template-hash|controller-uid|job-name|controller-revision-hash|statefulset\.kubernetes\.io\/.*|batch\.kubernetes\.io\/.*|apps\.kubernetes\.io\/.*)$/;

/** `aag-probe-backend-x7k2p`: a DNS label short enough for the `job-name` pod label (≤ 63). */
export function probeJobName(workload: string): string {
  const base = workload
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  const suffix = randomBytes(4).toString("hex").slice(0, 5);
  return `aag-probe-${base || "workload"}-${suffix}`;
}

/** The workload's own scheduling, only the parts it sets (copies, so the Job never aliases the target). */
function scheduling(target: ResolvedTarget): Pick<V1PodSpec, "nodeSelector" | "tolerations" | "affinity"> {
  const { nodeSelector, tolerations, affinity } = target.scheduling ?? {};
  return {
    ...(nodeSelector && Object.keys(nodeSelector).length ? { nodeSelector: structuredClone(nodeSelector) } : {}),
    ...(tolerations?.length ? { tolerations: structuredClone(tolerations) } : {}),
    ...(affinity ? { affinity: structuredClone(affinity) } : {}),
  };
}

export interface ProbeJobInput {
  name: string;
  target: ResolvedTarget;
  image: string;
  command: string[];
  plan: ProbePlan;
  timeoutSeconds: number;
}

export function buildProbeJob(input: ProbeJobInput): V1Job {
  const { target } = input;
  const inherited = Object.fromEntries(Object.entries(target.podLabels ?? {}).filter(([k]) => !CONTROLLER_LABEL.test(k)));
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: input.name,
      namespace: target.namespace,
      labels: { ...MANAGED_BY },
      annotations: { "azure-auth-gate/target": `${target.namespace}/${target.kind}/${target.name}` },
    },
    spec: {
      backoffLimit: 0,
      // The gate deletes the Job itself; these only matter when it could not (crash, lost connection).
      activeDeadlineSeconds: input.timeoutSeconds + 60,
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels: { ...inherited, ...MANAGED_BY, "azure.workload.identity/use": "true" } },
        spec: {
          serviceAccountName: target.serviceAccount,
          restartPolicy: "Never",
          readinessGates: [{ conditionType: NEVER_READY_GATE }],
          ...(target.imagePullSecrets?.length ? { imagePullSecrets: target.imagePullSecrets.map((name) => ({ name })) } : {}),
          ...scheduling(target),
          containers: [
            {
              name: PROBE_CONTAINER,
              image: input.image,
              command: input.command,
              env: [{ name: PLAN_ENV, value: JSON.stringify(input.plan) }],
              resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
            },
          ],
        },
      },
    },
  };
}
