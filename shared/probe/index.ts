/**
 * The live probe layer (AG3xx): for each target, a short-lived Job runs as the workload — its
 * ServiceAccount, its pod labels, Workload Identity injected, by default its own image — gets a token,
 * lists/reads the Blob containers and reads the needed secrets' properties, and prints one JSON line
 * that becomes findings. A probe that did not run, or did not report on every need, is never a pass.
 *
 * `createProbeLayer(options)` is what runGate takes as `probe`; `probeOptionsFromConfig` builds the
 * options from azure-auth-gate.yml's `probe` section (for the CLI, the Action and the Function).
 */
import path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { CloudProfile } from "../cloud/profile.js";
import type { GateConfig } from "../config/schema.js";
import type { ResolvedTarget } from "../azure/facts/types.js";
import type { Finding } from "../findings/model.js";
import type { ProbeLayer } from "./layer.js";
import { notRun, notRunFinding, resultFindings } from "./findings.js";
import { buildProbeJob, probeJobName } from "./job.js";
import { loadKubeConfig } from "./kube.js";
import { buildPlan, type ProbePlan } from "./probe-plan.js";
import { builtInCommand, guessRuntime, type ProbeRuntime } from "./programs/index.js";
import { logSize, parseProbeLog, type ProbeResult } from "./result.js";
import { runProbeJob } from "./run-job.js";

export interface ProbeOptions {
  /** The cloud the pod talks to: vault and blob URLs, token scopes, instance discovery. */
  profile: CloudProfile;
  /** kubeconfig file the person running the gate named (CLI `--kubeconfig`; default: KUBECONFIG, then ~/.kube/config). */
  kubeconfig?: string;
  context?: string;
  /** An already-loaded kubeconfig (takes precedence over `kubeconfig`/`context`). */
  kubeConfig?: KubeConfig;
  /** Probe image for every target (default: each workload's own image). */
  image?: string;
  /** Built-in probe to run (default: guessed from the image name). */
  runtime?: ProbeRuntime;
  /** Seconds to wait for each Job (default 120). */
  timeoutSeconds?: number;
  /** Cancels waiting; the Job is still deleted. */
  signal?: AbortSignal;
  /** Poll interval (default 1000 ms). */
  pollIntervalMs?: number;
}

/**
 * The `probe` section of azure-auth-gate.yml as probe options. The kubeconfig is never the config's: it is
 * the one the person running the gate named (`kubeconfig`, the CLI's --kubeconfig), else the environment's.
 */
export function probeOptionsFromConfig(
  probe: GateConfig["probe"],
  extra: { profile: CloudProfile; kubeconfig?: string; signal?: AbortSignal },
): ProbeOptions {
  return {
    profile: extra.profile,
    timeoutSeconds: probe.timeoutSeconds,
    ...(probe.image ? { image: probe.image } : {}),
    ...(probe.runtime ? { runtime: probe.runtime } : {}),
    ...(extra.kubeconfig ? { kubeconfig: path.resolve(extra.kubeconfig) } : {}),
    ...(probe.context ? { context: probe.context } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
  };
}

/** Only the answers to what the plan asked: rows about other accounts, vaults or secrets are dropped unread. */
function onlyPlanned(plan: ProbePlan, result: ProbeResult): ProbeResult {
  const blob = result.blob.filter((r) => plan.blob.some((b) => b.account === r.account && b.container === r.container));
  const keyVault = result.keyVault.filter((r) =>
    plan.keyVault.some((v) => v.vault === r.vault && (r.operation === "list" ? v.list : v.secrets.includes(r.secret ?? ""))),
  );
  return { ...result, blob, keyVault };
}

/** Needs the plan asked about that the result line does not answer (an image that is not what it claims may skip some). */
function unanswered(plan: ProbePlan, result: ProbeResult): string[] {
  const missing: string[] = [];
  for (const b of plan.blob) {
    const answers = result.blob.filter((r) => r.account === b.account && r.container === b.container);
    if (!answers.some((r) => r.operation !== "write")) missing.push(`container ${b.account}/${b.container}`);
    if (b.write && !answers.some((r) => r.operation === "write")) missing.push(`writing to container ${b.account}/${b.container}`);
  }
  for (const v of plan.keyVault) {
    for (const s of v.secrets)
      if (!result.keyVault.some((r) => r.vault === v.vault && r.secret === s)) missing.push(`secret ${v.vault}/${s}`);
    if (v.list && !result.keyVault.some((r) => r.vault === v.vault && r.operation === "list")) missing.push(`secret listing of ${v.vault}`);
  }
  return missing;
}

async function probeTarget(kc: KubeConfig, options: ProbeOptions, target: ResolvedTarget): Promise<Finding[]> {
  const image = options.image ?? target.image;
  if (!image) {
    return [
      notRun(
        target,
        `the image of ${target.kind} ${target.namespace}/${target.name} is unknown (the manifests did not give it)`,
        "Set `probe.image` in azure-auth-gate.yml to the image that runs `manage.py migrate` (e.g. the app's release image), or pass the manifests so the gate can read it.",
      ),
    ];
  }
  const name = probeJobName(target.name);
  const plan = buildPlan(target, options.profile, name);
  // Always the gate's own program: nothing from the repository decides what runs as the production identity.
  const command = builtInCommand(options.runtime ?? guessRuntime(image));
  const timeoutSeconds = options.timeoutSeconds ?? 120;
  const job = buildProbeJob({ name, target, image, command, plan, timeoutSeconds });
  const outcome = await runProbeJob(kc, job, {
    timeoutMs: timeoutSeconds * 1000,
    ...(options.pollIntervalMs !== undefined ? { pollMs: options.pollIntervalMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (outcome.status === "not-run") return [notRunFinding(target, outcome.reason, outcome.detail, image)];
  const parsed = parseProbeLog(outcome.log);
  if (!parsed.ok) {
    const exit = outcome.exitCode !== undefined ? ` (exit code ${outcome.exitCode})` : "";
    return [
      notRun(
        target,
        `pod ${outcome.podName} printed ${parsed.reason}${exit}; ${logSize(outcome.log)}`,
        "The probe image must provide the interpreter and Azure SDK of the built-in probe; set `probe.image` or `probe.runtime`.",
      ),
    ];
  }
  const result = onlyPlanned(plan, parsed.result);
  const findings = resultFindings(target, result, image);
  const missing = result.token?.ok ? unanswered(plan, result) : [];
  if (missing.length > 0)
    findings.push(
      notRun(
        target,
        `the result line does not report on ${missing.join(", ")}`,
        "The probe image must run the gate's probe unchanged: check that `probe.image` is the app's image and that its interpreter is the real one.",
      ),
    );
  return findings;
}

export function createProbeLayer(options: ProbeOptions): ProbeLayer {
  const kc =
    options.kubeConfig ??
    loadKubeConfig({
      ...(options.kubeconfig ? { file: options.kubeconfig } : {}),
      ...(options.context ? { context: options.context } : {}),
    });
  return (target) => probeTarget(kc, options, target);
}

export { buildPlan, type ProbePlan } from "./probe-plan.js";
export { parseProbeLog, type ProbeResult } from "./result.js";
export { explainAadsts } from "./aadsts.js";
export type { ProbeRuntime } from "./programs/index.js";
