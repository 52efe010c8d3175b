/**
 * `planRun`: which layers one gate run runs, and why — decided here once for the CLI, the Action and the
 * Function, so the three behave alike. Pure (no I/O, no SDK): the host describes what it was asked and what
 * the run's trigger was, and gets back a plan that `executePlan` (execute-plan.ts) carries out.
 *
 * The rules it encodes:
 * - `static` checks manifests and applies the config's severity overrides and waivers; it never signs in.
 * - `azure` adds the control plane (the gate's own identity reads Azure); `probe` adds the live probe.
 * - Nothing in the repository turns a layer on: the mode comes from the person (CLI flag, workflow input,
 *   the Function operator's environment settings), and a run for a pull request never probes unless the
 *   workflow opted in (`probe-on-pull-request: true`): otherwise the probe is refused with AG503.
 * - A custom cloud profile is used only on the user's say-so (`--allow-custom-cloud`, the input
 *   `allow-custom-cloud`); the config loaders refuse it first, the plan refuses it again before any sign-in.
 */
import type { GateConfig } from "../config/schema.js";
import { InputError } from "../errors.js";

export const GATE_MODES = ["static", "azure", "probe"] as const;
export type GateMode = (typeof GATE_MODES)[number];

/** What started the run, when an event did (the Action); absent when a person or the operator runs it. */
export interface RunTrigger {
  /** GITHUB_EVENT_NAME (`pull_request`, `push`, …). */
  event: string;
  /** The pull request's number, when the event's payload names one. */
  pullRequest?: number;
}

/** How the host names the things a plan can be missing, for the one-line InputError. */
export interface PlanHints {
  manifests: { field: string; hint: string };
  config: { field: string; hint: string };
}

export interface PlanInput {
  mode: GateMode;
  /** The gate's config, when the host has one (its policy applies in every mode). */
  config?: GateConfig;
  /** Manifests were given (to check, and to resolve the targets from). */
  manifests: boolean;
  /**
   * Report the manifests' own findings (default true). False: the manifests only say which workloads the
   * control plane checks (a protection-rule environment whose `layers` leave out `static`).
   */
  staticFindings?: boolean;
  trigger?: RunTrigger;
  /** The workflow's opt-in to probing pull requests (input `probe-on-pull-request`). */
  probeOnPullRequest?: boolean;
  /**
   * The cloud tokens would go to: its name, whether it is a custom profile, whether the user allowed that.
   * Hosts pass it; a caller that already holds a profile (`runGate`) got it from a loader that asked.
   */
  cloud?: { name: string; custom: boolean; allowedByUser: boolean };
  hints?: PlanHints;
}

export interface LayerChoice {
  run: boolean;
  /** Why the layer runs or not, in words a user reads in the debug log and a test can assert. */
  why: string;
}

/** A probe the plan refused: the notice the user reads, and the AG503 evidence/fix each target gets. */
export interface ProbeRefusal {
  notice: string;
  evidence: string;
  fix: string;
}

export interface RunPlan {
  mode: GateMode;
  static: LayerChoice;
  controlPlane: LayerChoice;
  probe: LayerChoice & { refusal?: ProbeRefusal };
  /** The config's severity overrides and waivers apply (there is a config). */
  policy: LayerChoice;
  /** The cloud the control plane signs in to (absent when nothing signs in). */
  cloud?: { name: string; custom: boolean; why: string };
}

const DEFAULT_HINTS: PlanHints = {
  manifests: { field: "manifests", hint: "give the manifests (files, directories or globs)" },
  config: { field: "config", hint: "give the gate's config" },
};

/** A run for a pull request: its payload names one, or the event is one of the pull_request family. */
export function isPullRequestTrigger(trigger: RunTrigger | undefined): boolean {
  return trigger !== undefined && (trigger.pullRequest !== undefined || trigger.event.startsWith("pull_request"));
}

export function probeRefusal(trigger: RunTrigger): ProbeRefusal {
  const pr = trigger.pullRequest !== undefined ? ` for pull request #${trigger.pullRequest}` : "";
  const notice = `probe: not run on this ${trigger.event || "pull request"} event${pr} (AG503): the workflow does not set probe-on-pull-request: true, and the pull request chooses the config and manifests the probe would run as the production identity`;
  return {
    notice,
    evidence: notice.replace(/^probe: /, "the live probe was "),
    fix:
      "Probe in the deploy job (push to the default branch, `environment:` with required reviewers) and check pull requests with `mode: azure`, e.g. " +
      "`mode: ${{ github.event_name == 'pull_request' && 'azure' || 'probe' }}`. To probe same-repository pull requests anyway, set `probe-on-pull-request: true` (docs/security.md).",
  };
}

function probeChoice(input: PlanInput): RunPlan["probe"] {
  if (input.mode !== "probe") return { run: false, why: `mode '${input.mode}' does not run the live probe` };
  if (!isPullRequestTrigger(input.trigger)) return { run: true, why: "mode 'probe' asked for by the user" };
  if (input.probeOnPullRequest)
    return { run: true, why: "mode 'probe' on a pull request, allowed by the workflow (probe-on-pull-request: true)" };
  const refusal = probeRefusal(input.trigger!);
  return { run: false, why: refusal.notice.replace(/^probe: /, ""), refusal };
}

export function planRun(input: PlanInput): RunPlan {
  const hints = input.hints ?? DEFAULT_HINTS;
  const { mode } = input;
  if (mode === "static" && !input.manifests) {
    // Nothing checked is never reported as a pass.
    throw new InputError(`mode 'static' needs manifests to check: ${hints.manifests.hint}`, { field: hints.manifests.field });
  }
  if (mode !== "static" && !input.config) {
    throw new InputError(`mode '${mode}' needs the gate's config (targets, subscriptions): ${hints.config.hint}`, {
      field: hints.config.field,
    });
  }
  const staticFindings = input.manifests && input.staticFindings !== false;
  const plan: RunPlan = {
    mode,
    static: staticFindings
      ? { run: true, why: "manifests were given" }
      : {
          run: false,
          why: input.manifests ? "the manifests only resolve the targets (the static layer is not asked for)" : "no manifests were given",
        },
    controlPlane:
      mode === "static"
        ? { run: false, why: "mode 'static' never signs in to Azure" }
        : { run: true, why: `mode '${mode}' proves the identity chain and RBAC in Azure` },
    probe: probeChoice(input),
    policy: input.config
      ? { run: true, why: "the config's severity overrides and waivers apply" }
      : { run: false, why: "no config: findings keep the catalogue's severities" },
  };
  const cloud = input.cloud;
  if (plan.controlPlane.run && cloud) {
    if (cloud.custom && !cloud.allowedByUser) {
      throw new InputError(
        `'${cloud.name}' is a custom cloud profile: the gate signs in to one only when the user running it says so (--allow-custom-cloud, or the Action input allow-custom-cloud: true)`,
        { field: "cloud" },
      );
    }
    plan.cloud = {
      name: cloud.name,
      custom: cloud.custom,
      why: cloud.custom ? "a custom cloud profile, allowed by the user" : "a built-in cloud",
    };
  }
  return plan;
}

/** The plan in one line per layer (the debug log). */
export function describePlan(plan: RunPlan): string[] {
  const line = (name: string, c: LayerChoice) => `${name}: ${c.run ? "runs" : "skipped"} (${c.why})`;
  return [
    line("static", plan.static),
    line("control plane", plan.controlPlane),
    line("live probe", plan.probe),
    line("policy", plan.policy),
  ];
}
