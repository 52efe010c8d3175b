/**
 * Runs the whole gate (static layer on the deployed manifests, control plane, live probe) against a
 * sandbox, the way the CLI does: the cloud profile file the sandbox writes, azure-auth-gate.yml text,
 * the gate's own app registration (Reader + Graph Application.Read.All) as its credential, and the
 * cluster's kubeconfig for the probe.
 */
import { stringify } from "yaml";
import { loadCloudProfile } from "../../shared/cloud/profile.js";
import { parseConfigText } from "../../shared/config/load.js";
import type { Report } from "../../shared/findings/model.js";
import { runGate } from "../../shared/gate/index.js";
import type { RetrySettings } from "../../shared/gate/index.js";
import { createProbeLayer, probeOptionsFromConfig } from "../../shared/probe/index.js";
import { parseManifests } from "../../shared/static/index.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { execImages, type Scenario } from "./sandbox-scenario.js";

export async function sandboxFor(scenario: Scenario, opts: { azurite?: boolean } = {}): Promise<Sandbox> {
  return startSandbox(scenario, { images: execImages(), podTimeoutMs: 30_000, ...(opts.azurite === false ? { azurite: false } : {}) });
}

/** The manifests as deployed: the cluster's ServiceAccounts and Deployments, written out as YAML. */
export function deployedManifests(sb: Sandbox): string {
  const objects = sb.state.clusters[0]!.objects.filter((o) => o.kind === "ServiceAccount" || o.kind === "Deployment");
  return objects.map((o) => stringify(o)).join("---\n");
}

export interface GateRun {
  report: Report;
  /** Requests the gate itself sent (method, service, path, query), in order, from the sandbox's log. */
  controlPlane: { call: string; status: number }[];
}

export interface RunOptions {
  /** Extra azure-auth-gate.yml text (targets, probe settings…) appended to the generated header. */
  config: string;
  probe?: boolean;
  manifests?: boolean;
  retry?: Partial<RetrySettings>;
  signal?: AbortSignal;
}

export async function runGateOn(sb: Sandbox, opts: RunOptions): Promise<GateRun> {
  const sub = sb.state.subscriptions[0]!.subscriptionId;
  const header = `cloud: ${sb.profileFile}\ntenantId: ${sb.state.tenantId}\nsubscriptions: [${sub}]\ncluster: { subscription: ${sub}, resourceGroup: app-rg, name: aks-prod }\n`;
  const { config, profile } = parseConfigText(header + opts.config, "azure-auth-gate.yml", process.cwd(), { allowCustomCloud: true });
  const before = sb.log.entries.length;
  const manifests = opts.manifests === false ? undefined : parseManifests([{ file: "deploy/app.yaml", text: deployedManifests(sb) }]);
  const probe = opts.probe
    ? createProbeLayer({
        ...probeOptionsFromConfig(config.probe, {
          profile: loadCloudProfile(sb.profileFile),
          ...(opts.signal ? { signal: opts.signal } : {}),
        }),
        kubeconfig: sb.kubeconfigs["aks-prod"]!,
        pollIntervalMs: 100,
      })
    : undefined;
  const report = await runGate({
    config,
    profile,
    credential: sb.credentials.app("azure-auth-gate"),
    ...(manifests ? { manifests } : {}),
    ...(probe ? { probe } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
  });
  // The gate's own calls: ARM (its secret-property listings included) and Graph. The Key Vault data
  // plane is the probe's pod alone, reading single secrets as the workload identity.
  const controlPlane = sb.log.entries
    .slice(before)
    .filter((e) => e.service === "arm" || e.service === "graph")
    .map((e) => ({ call: `${e.method} ${e.service} ${e.path}${e.query ? `?${e.query}` : ""}`, status: e.status }));
  return { report, controlPlane };
}

/** The distinct ids of the unwaived findings, sorted, for compact assertions. */
export function ids(report: Report): string[] {
  return [...new Set(report.findings.filter((f) => !f.waived).map((f) => f.id))].sort();
}
