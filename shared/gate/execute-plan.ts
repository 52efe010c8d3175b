/**
 * `executePlan`: carries out a `planRun` plan the same way for the CLI, the Action and the Function — the
 * static layer, then (only when the plan signs in) the host's sign-in, the control plane and the probe, and
 * finally the one policy step: the config's severity overrides and waivers, and the fail-closed severity
 * of findings that could not be verified (`failOpen: true` lowers them to warnings, never to a pass).
 *
 * Hosts differ only in what they hand in: how they sign in (DefaultAzureCredential, GitHub OIDC, the
 * Function's managed identity) and how their probe reaches a cluster. The Azure layers are a dynamic
 * import, so a static run — with or without a config — loads no Azure SDK and requests no token.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { RetrySettings } from "../azure/clients.js";
import type { FactContext } from "../azure/facts/fact-context.js";
import type { CloudProfile } from "../cloud/profile.js";
import type { GateConfig } from "../config/schema.js";
import { isUnverified, type Finding, type Layer, type Report, type Severity } from "../findings/model.js";
import { applyPolicy } from "../findings/severity-and-waivers.js";
import { buildReport, runMetadata } from "../report/build.js";
import type { ProbeLayer } from "../probe/layer.js";
import { log } from "../log.js";
import { describePlan, planRun, type RunPlan } from "./plan-run.js";
import { staticLayer, type ManifestSet, type StaticLayerResult } from "./static-layer.js";

/** A host's sign-in: a credential, or a finding saying why there is none (the Action's AG501/AG502). */
export type SignInOutcome = { ok: true; credential: TokenCredential } | { ok: false; finding: Finding; notice: string };

/** The sign-in of a host that already holds its credential (a managed identity, the CLI's chain): nothing to do. */
export function alreadySignedIn(credential: TokenCredential): () => Promise<SignInOutcome> {
  return () => Promise.resolve({ ok: true, credential });
}

/** What the Azure layers need from the host; called only when the plan runs them. */
export interface AzureAccess {
  profile: CloudProfile;
  signIn: () => Promise<SignInOutcome>;
  /** The host's live probe (called only when the plan runs the probe). */
  probe?: () => Promise<ProbeLayer> | ProbeLayer;
  retry?: Partial<RetrySettings>;
  /** A fact cache shared by several runs of one invocation (the sweep's batch). */
  facts?: FactContext;
}

export interface ExecuteInput {
  plan: RunPlan;
  config?: GateConfig;
  /** The config's file name: InputError messages, and the report's `metadata.config` on static runs. */
  configFile?: string;
  manifests?: ManifestSet;
  /** Clock for AG212 and secret expiry (default: now). */
  now?: Date;
  azure?: AzureAccess;
}

export interface GateOutcome {
  report: Report;
  /** Lines the host shows the user (a refused probe, a failed sign-in), in the order they arose. */
  notices: string[];
}

/** The one policy step: severity overrides and waivers, then the fail-closed severity of unverified findings. */
export function applyGatePolicy(findings: readonly Finding[], config: GateConfig | undefined): Finding[] {
  const unverifiedSeverity: Severity = config?.failOpen ? "warning" : "error";
  // Unverified findings keep their mark through the policy (it is a field): their severity is set after it,
  // so a severity override in the config cannot lower them.
  const policy = config ? { severity: config.severity, waivers: config.waivers } : undefined;
  return applyPolicy(findings, policy).map((f) => (isUnverified(f) ? { ...f, severity: unverifiedSeverity } : f));
}

function staticReport(input: ExecuteInput, stat: StaticLayerResult | undefined, extra: Finding[], now: Date): Report {
  const layers: Layer[] = [...(stat ? (["static"] as const) : []), ...(extra.length > 0 ? (["login"] as const) : [])];
  const findings = [...(input.plan.static.run && stat ? stat.findings : []), ...extra];
  const meta = runMetadata(
    layers,
    {
      ...(stat ? { inputs: stat.inputs, ...stat.inputNotes } : {}),
      ...(input.config && input.configFile ? { config: input.configFile } : {}),
    },
    now,
  );
  return buildReport(applyGatePolicy(findings, input.config), meta);
}

export async function executePlan(input: ExecuteInput): Promise<GateOutcome> {
  const { plan, config } = input;
  const now = input.now ?? new Date();
  // The plan and the static step are logged on every path (--verbose, step debug), not only once Azure is reached.
  for (const line of describePlan(plan)) log.debug(`plan: ${line}`);
  const stat = input.manifests ? staticLayer(input.manifests) : undefined;
  if (stat) log.debug(`static: ${stat.inputs.length} manifest file(s) read, ${stat.findings.length} finding(s)`);
  const notices: string[] = [];
  if (!plan.controlPlane.run) return { report: staticReport(input, stat, [], now), notices };
  if (!config || !input.azure)
    throw new Error(`the plan signs in to Azure (mode '${plan.mode}') and the host gave no ${config ? "Azure access" : "config"}`);
  const azure = input.azure;
  const login = await azure.signIn();
  if (!login.ok) {
    notices.push(login.notice);
    return { report: staticReport(input, stat, [login.finding], now), notices };
  }
  // The Azure SDKs load here, on first use.
  const { runAzureLayers } = await import("./azure-layers.js");
  if (plan.probe.refusal) notices.push(plan.probe.refusal.notice);
  const probe = plan.probe.run ? await azure.probe?.() : plan.probe.refusal ? { refusal: plan.probe.refusal } : undefined;
  if (plan.probe.run && !probe) throw new Error("the plan runs the live probe and the host gave no probe layer");
  const azureRun = await runAzureLayers({
    ...(stat ? { stat } : {}),
    config,
    credential: login.credential,
    profile: azure.profile,
    now,
    ...(probe ? { probe } : {}),
    ...(input.configFile ? { configFile: input.configFile } : {}),
    ...(azure.retry ? { retry: azure.retry } : {}),
    ...(azure.facts ? { facts: azure.facts } : {}),
  });
  const raw = [...(plan.static.run && stat ? stat.findings : []), ...azureRun.findings];
  const layers: Layer[] = [...(plan.static.run && stat ? (["static"] as const) : []), ...azureRun.layers];
  const metadata = runMetadata(
    layers,
    {
      ...azureRun.metadata,
      unverifiedFacts: raw.filter(isUnverified).length,
      ...(stat ? { inputs: stat.inputs, ...stat.inputNotes } : {}),
    },
    now,
  );
  return { report: buildReport(applyGatePolicy(raw, config), metadata), notices };
}

export interface RunGateInput {
  /** Parsed manifests: static findings + workload discovery. Optional (config-only runs). */
  manifests?: ManifestSet;
  config: GateConfig;
  /** A credential already in hand (its first token request is the sign-in check). */
  credential: TokenCredential;
  profile: CloudProfile;
  now?: Date;
  /** The live probe: mode 'probe' when given, else 'azure'. */
  probe?: ProbeLayer;
  configFile?: string;
  retry?: Partial<RetrySettings>;
  facts?: FactContext;
}

/** planRun + executePlan for a caller that already holds a credential (the sweep, the sandbox tests). */
export async function runGate(input: RunGateInput): Promise<Report> {
  // The profile in hand was resolved by a config loader, which already asked for the user's say-so on a custom cloud.
  const plan = planRun({ mode: input.probe ? "probe" : "azure", config: input.config, manifests: input.manifests !== undefined });
  const probe = input.probe;
  const { report } = await executePlan({
    plan,
    config: input.config,
    ...(input.configFile ? { configFile: input.configFile } : {}),
    ...(input.manifests ? { manifests: input.manifests } : {}),
    ...(input.now ? { now: input.now } : {}),
    azure: {
      profile: input.profile,
      signIn: alreadySignedIn(input.credential),
      ...(probe ? { probe: () => probe } : {}),
      ...(input.retry ? { retry: input.retry } : {}),
      ...(input.facts ? { facts: input.facts } : {}),
    },
  });
  return report;
}
