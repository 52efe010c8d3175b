/**
 * `mode: probe`: the live probe layer, configured from azure-auth-gate.yml's `probe` section. The
 * cluster comes from the kubeconfig a previous step left (azure/aks-set-context sets KUBECONFIG), never from
 * a file the repository names. On pull-request events the probe is off unless the workflow says
 * `probe-on-pull-request: true`: the PR chooses the config and manifests, hence the image that would run as
 * the production identity. A refused probe is an AG503 per target (never a pass) and a notice.
 */
import { markUnverified, workloadTarget } from "../shared/azure/rules/common.js";
import type { CloudProfile } from "../shared/cloud/profile.js";
import type { LoadedConfig } from "../shared/config/load.js";
import type { ProbeLayer } from "../shared/probe/layer.js";
import { raise } from "../shared/findings/raise.js";
import { createProbeLayer, probeOptionsFromConfig } from "../shared/probe/index.js";
import type { RunContext } from "./context.js";

export function probeLayerFor(loaded: LoadedConfig, profile: CloudProfile): ProbeLayer {
  return createProbeLayer(probeOptionsFromConfig(loaded.config.probe, { profile }));
}

/** A run for a pull request: its payload names one, or the event is one of the pull_request family. */
export function isPullRequestRun(ctx: RunContext): boolean {
  return ctx.pullRequest !== undefined || ctx.eventName.startsWith("pull_request");
}

export function probeRefusalNotice(ctx: RunContext): string {
  const pr = ctx.pullRequest ? ` for pull request #${ctx.pullRequest.number}` : "";
  return `probe: not run on this ${ctx.eventName || "pull request"} event${pr} (AG503): the workflow does not set probe-on-pull-request: true, and the pull request chooses the config and manifests the probe would run as the production identity`;
}

/** Stands in for the probe on a refused run: one AG503 per target, which no config can turn into a pass. */
export function refusedProbeLayer(ctx: RunContext): ProbeLayer {
  const why = probeRefusalNotice(ctx).replace(/^probe: /, "the live probe was ");
  return (target) =>
    Promise.resolve([
      markUnverified(
        raise("AG503", {
          target: workloadTarget(target),
          evidence: why,
          fix:
            "Probe in the deploy job (push to the default branch, `environment:` with required reviewers) and check pull requests with `mode: azure`, e.g. " +
            "`mode: ${{ github.event_name == 'pull_request' && 'azure' || 'probe' }}`. To probe same-repository pull requests anyway, set `probe-on-pull-request: true` (docs/security.md).",
        }),
      ),
    ]);
}
