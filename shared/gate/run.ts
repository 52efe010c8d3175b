/**
 * `runGate`: the whole gate for one config, host-neutral (the CLI, the Action and the Function all
 * call it). Static findings (manifests) + control-plane facts and AG2xx rules + an optional probe
 * layer (AG3xx, plugged in by the caller), merged into one Report with policy applied.
 *
 * Fail-closed contract: a fact that could not be read becomes an error finding ("could not verify");
 * `failOpen: true` lowers those to warnings — never to a silent pass. Severity overrides in the config
 * do not lower them either (only an explicit waiver with a reason hides one).
 */
import type { TokenCredential } from "@azure/core-auth";
import { scopeFor, type CloudProfile } from "../cloud/profile.js";
import type { GateConfig } from "../config/schema.js";
import { AzureClients, type RetrySettings } from "../azure/clients.js";
import { AzureLoginError, errorLine } from "../azure/errors.js";
import { collectTargetFacts } from "../azure/facts/collect.js";
import { FactContext } from "../azure/facts/context.js";
import type { ResolvedTarget } from "../azure/facts/types.js";
import { isUnverified, markUnverified, workloadTarget } from "../azure/rules/common.js";
import { evaluateControlPlane } from "../azure/rules/index.js";
import { raise } from "../findings/raise.js";
import { applyPolicy } from "../findings/policy.js";
import { targetKey, type Finding, type Layer, type Report, type Severity } from "../findings/model.js";
import { buildReport, runMetadata } from "../report/build.js";
import { gateLog } from "../log.js";
import type { ProbeLayer } from "../probe/layer.js";
import { staticLayer, type ManifestSet } from "./static-layer.js";
import { resolveTargets } from "./targets.js";

export type { ProbeLayer };

export interface RunGateInput {
  /** Parsed manifests: static findings + workload discovery. Optional (config-only runs). */
  manifests?: ManifestSet;
  config: GateConfig;
  /** The gate's own Azure identity (DefaultAzureCredential in the CLI, OIDC in the Action, MI in the Function). */
  credential: TokenCredential;
  profile: CloudProfile;
  /** Clock for AG212 and secret expiry (default: now). */
  now?: Date;
  /** Opt-in data-plane layer. */
  probe?: ProbeLayer;
  /** Config file name, for InputError messages. */
  configFile?: string;
  /** Retry tuning (tests); the budget defaults to config.retryBudgetSeconds. */
  retry?: Partial<RetrySettings>;
  /**
   * A fact cache shared with other gate runs of the same invocation (the sweep: one per queue batch,
   * possibly seeded with what discovery read). Its clients, retry budget and concurrency cap are used
   * instead of fresh ones; `metadata.azureCalls` then counts only the calls this run added.
   */
  facts?: FactContext;
}

/** The same finding raised for several targets (shared identity, container, vault) is reported once. */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.id}|${targetKey(f.target)}|${f.evidence}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function checkLogin(credential: TokenCredential, profile: CloudProfile): Promise<void> {
  try {
    const token = await credential.getToken(scopeFor(profile.resourceManagerAudience));
    if (!token) throw new Error("the credential returned no token");
  } catch (err) {
    throw new AzureLoginError(`the gate could not sign in to Azure (${profile.name}): ${errorLine(err)}`, { cause: err });
  }
}

async function runProbe(probe: ProbeLayer, target: ResolvedTarget): Promise<Finding[]> {
  try {
    return await probe(target);
  } catch (err) {
    // A probe that did not run is never a pass.
    return [
      markUnverified(
        raise("AG304", {
          target: workloadTarget(target),
          evidence: `the probe failed before reporting: ${errorLine(err)}`,
          fix: "Check the probe's image, command and the cluster credentials, then re-run with --probe.",
        }),
      ),
    ];
  }
}

export async function runGate(input: RunGateInput): Promise<Report> {
  const { config, credential, profile } = input;
  const now = input.now ?? new Date();
  const layers: Layer[] = [];

  const stat = input.manifests ? staticLayer(input.manifests) : undefined;
  if (stat) layers.push("static");
  const targets = resolveTargets(config, stat?.workloads ?? [], input.configFile);

  const ctx = input.facts ?? new FactContext(new AzureClients(profile, credential, { retry: { budgetMs: config.retryBudgetSeconds * 1000, ...input.retry } }), config.concurrency);
  const clients = ctx.clients;
  const callsBefore = clients.calls.snapshot();
  await checkLogin(clients.credential, profile);
  gateLog.info(`signed in to ${profile.name}; reading the facts of ${targets.length} target(s): ${targets.map((t) => `${t.namespace}/${t.kind}/${t.name}`).join(", ")}`);
  layers.push("control-plane");
  const principals = new Set(targets.flatMap((t) => (t.clientId ? [t.clientId.toLowerCase()] : []))).size;
  const facts = await Promise.all(
    targets.map((target) =>
      collectTargetFacts(ctx, target, {
        subscriptions: config.subscriptions,
        ...(config.cluster ? { cluster: config.cluster } : {}),
        network: config.network,
        ...(config.tenantId ? { tenantId: config.tenantId } : {}),
        expectedAudience: profile.tokenExchangeAudience,
        now,
        principals,
      }),
    ),
  );
  const controlPlane = dedupeFindings(facts.flatMap(evaluateControlPlane));
  gateLog.info(`control plane: ${controlPlane.length} finding(s) after ${clients.calls.total - callsBefore.total} Azure call(s)`);

  let probeFindings: Finding[] = [];
  if (input.probe) {
    layers.push("data-plane");
    const probe = input.probe;
    probeFindings = dedupeFindings((await Promise.all(targets.map((t) => runProbe(probe, t)))).flat());
    gateLog.info(`live probe: ${probeFindings.length} finding(s)`);
  }

  const raw = [...(stat?.findings ?? []), ...controlPlane, ...probeFindings];
  const unverifiedSeverity: Severity = config.failOpen ? "warning" : "error";
  // Unverified findings keep their mark through the policy (it is a field): their severity is set after it.
  const withPolicy = applyPolicy(raw, { severity: config.severity, waivers: config.waivers }).map((f) => (isUnverified(f) ? { ...f, severity: unverifiedSeverity } : f));
  const after = clients.calls.snapshot();
  const calls = { total: after.total - callsBefore.total, byService: Object.fromEntries(Object.entries(after.byService).map(([k, n]) => [k, n - (callsBefore.byService[k] ?? 0)]).filter(([, n]) => n !== 0)) };
  // The policy is already applied above (with the fail-closed severity of unverified facts on top): no second pass.
  return buildReport(
    withPolicy,
    runMetadata(
      layers,
      {
        azureCalls: calls.total,
        azureCallsByService: calls.byService,
        cloud: profile.name,
        targets: targets.map((t) => `${t.namespace}/${t.kind}/${t.name}`),
        unverifiedFacts: raw.filter(isUnverified).length,
        ...(stat?.inputs ? { inputs: stat.inputs } : {}),
        ...stat?.inputNotes,
      },
      now,
    ),
  );
}
