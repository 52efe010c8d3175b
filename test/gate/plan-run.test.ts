/**
 * `planRun` alone (pure): mode × trigger × config × the user's flags → which layers run and why. The hosts'
 * behaviour follows from it; the CLI/Action parity test (test/gate/execute-plan.test.ts) runs the plans.
 */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/load.js";
import { InputError } from "../../shared/errors.js";
import {
  describePlan,
  GATE_MODES,
  isPullRequestTrigger,
  planRun,
  type GateMode,
  type PlanInput,
  type RunTrigger,
} from "../../shared/gate/plan-run.js";

const { config } = parseConfigText(
  "subscriptions: [11111111-1111-1111-1111-111111111111]\ntargets: [{ workload: app/Deployment/backend }]\n",
  "azure-auth-gate.yml",
);

const PUSH: RunTrigger = { event: "push" };
const PR: RunTrigger = { event: "pull_request", pullRequest: 7 };

function layers(input: PlanInput): [boolean, boolean, boolean, boolean] {
  const p = planRun(input);
  return [p.static.run, p.controlPlane.run, p.probe.run, p.probe.refusal !== undefined];
}

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("planRun did not refuse");
}

describe("planRun", () => {
  it("runs static, then adds the control plane, then the probe, by mode alone", () => {
    //                                                                 static control probe refused
    expect(layers({ mode: "static", manifests: true })).toEqual([true, false, false, false]);
    expect(layers({ mode: "static", manifests: true, config })).toEqual([true, false, false, false]);
    expect(layers({ mode: "azure", manifests: true, config })).toEqual([true, true, false, false]);
    expect(layers({ mode: "azure", manifests: false, config })).toEqual([false, true, false, false]);
    expect(layers({ mode: "probe", manifests: true, config })).toEqual([true, true, true, false]);
    expect(layers({ mode: "probe", manifests: true, config, trigger: PUSH })).toEqual([true, true, true, false]);
  });

  it("applies the config's policy whenever there is a config, static mode included, and never signs in for it", () => {
    const plan = planRun({ mode: "static", manifests: true, config });
    expect(plan.policy).toEqual({ run: true, why: "the config's severity overrides and waivers apply" });
    expect(plan.controlPlane).toEqual({ run: false, why: "mode 'static' never signs in to Azure" });
    expect(plan.cloud).toBeUndefined();
    expect(planRun({ mode: "static", manifests: true }).policy.run).toBe(false);
  });

  it("refuses the probe on a pull request without the workflow's opt-in: AG503 with the reason", () => {
    for (const trigger of [PR, { event: "pull_request_target" }, { event: "workflow_dispatch", pullRequest: 3 }]) {
      const plan = planRun({ mode: "probe", manifests: true, config, trigger });
      expect(plan.probe.run).toBe(false);
      expect(plan.controlPlane.run).toBe(true);
      expect(plan.probe.refusal?.notice).toMatch(
        /^probe: not run on this .* event.*\(AG503\): the workflow does not set probe-on-pull-request: true/,
      );
      expect(plan.probe.refusal?.evidence).toMatch(/^the live probe was not run/);
      expect(plan.probe.refusal?.fix).toContain("probe-on-pull-request: true");
      expect(plan.probe.why).toBe(plan.probe.refusal!.notice.replace(/^probe: /, ""));
    }
    expect(planRun({ mode: "probe", manifests: true, config, trigger: PR }).probe.refusal?.notice).toContain("for pull request #7");
  });

  it("probes a pull request when the workflow opted in, and only in mode probe", () => {
    const plan = planRun({ mode: "probe", manifests: true, config, trigger: PR, probeOnPullRequest: true });
    expect(plan.probe).toEqual({ run: true, why: "mode 'probe' on a pull request, allowed by the workflow (probe-on-pull-request: true)" });
    expect(layers({ mode: "azure", manifests: true, config, trigger: PR, probeOnPullRequest: true })).toEqual([true, true, false, false]);
    expect(layers({ mode: "static", manifests: true, config, trigger: PR })).toEqual([true, false, false, false]);
  });

  it("tells pull-request triggers apart by event family or a named pull request", () => {
    expect(isPullRequestTrigger(undefined)).toBe(false);
    expect(isPullRequestTrigger(PUSH)).toBe(false);
    expect(isPullRequestTrigger({ event: "pull_request_review" })).toBe(true);
    expect(isPullRequestTrigger({ event: "issue_comment", pullRequest: 1 })).toBe(true);
  });

  it("signs in to a custom cloud only on the user's say-so", () => {
    const custom = { name: "AzureAuthGateSandbox", custom: true };
    const refused = inputError(() => planRun({ mode: "azure", manifests: true, config, cloud: { ...custom, allowedByUser: false } }));
    expect(refused.oneLine()).toMatch(/'AzureAuthGateSandbox' is a custom cloud profile: .*--allow-custom-cloud.*allow-custom-cloud: true/);
    expect(planRun({ mode: "azure", manifests: true, config, cloud: { ...custom, allowedByUser: true } }).cloud).toEqual({
      name: "AzureAuthGateSandbox",
      custom: true,
      why: "a custom cloud profile, allowed by the user",
    });
    expect(
      planRun({ mode: "azure", manifests: true, config, cloud: { name: "AzureCloud", custom: false, allowedByUser: false } }).cloud?.why,
    ).toBe("a built-in cloud");
    // Nothing signs in on a static run: the cloud is not used, so there is nothing to refuse.
    expect(planRun({ mode: "static", manifests: true, config, cloud: { ...custom, allowedByUser: false } }).cloud).toBeUndefined();
  });

  it("lets manifests only resolve targets when the static layer is not asked for", () => {
    const plan = planRun({ mode: "azure", manifests: true, staticFindings: false, config });
    expect(plan.static).toEqual({ run: false, why: "the manifests only resolve the targets (the static layer is not asked for)" });
    expect(plan.controlPlane.run).toBe(true);
  });

  it("refuses a run that would check nothing, in the host's words", () => {
    const hints = {
      manifests: { field: "input manifests", hint: "set input manifests" },
      config: { field: "input config", hint: "set input config, or subscription-id" },
    };
    expect(inputError(() => planRun({ mode: "static", manifests: false, config, hints })).oneLine()).toBe(
      "input manifests: mode 'static' needs manifests to check: set input manifests",
    );
    for (const mode of ["azure", "probe"] as GateMode[]) {
      expect(inputError(() => planRun({ mode, manifests: true, hints })).oneLine()).toBe(
        `input config: mode '${mode}' needs the gate's config (targets, subscriptions): set input config, or subscription-id`,
      );
    }
  });

  it("describes every layer in one line", () => {
    for (const mode of GATE_MODES) {
      const lines = describePlan(planRun({ mode, manifests: true, config, trigger: PR }));
      expect(lines.map((l) => l.split(":")[0])).toEqual(["static", "control plane", "live probe", "policy"]);
      expect(lines.every((l) => /: (runs|skipped) \(.+\)$/.test(l))).toBe(true);
    }
  });
});
