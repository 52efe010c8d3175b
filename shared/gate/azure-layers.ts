/**
 * The layers that read Azure, for `executePlan` (execute-plan.ts), which loads this module only when its
 * plan signs in: the control plane (facts read once, AG2xx rules) and the live probe (AG3xx, plugged in by
 * the host, or AG503 per target when the plan refused it). It returns the raw findings and what the report's
 * metadata needs; the policy (waivers, severity, fail-closed) is applied by executePlan for every mode alike.
 *
 * Fail-closed contract: a fact that could not be read becomes an error finding ("could not verify"),
 * marked unverified; a probe that failed before reporting is AG304, marked the same way.
 */
import type { TokenCredential } from "@azure/core-auth";
import { scopeFor, type CloudProfile } from "../cloud/profile.js";
import type { GateConfig } from "../config/schema.js";
import { AzureClients, type RetrySettings } from "../azure/clients.js";
import { AzureLoginError, errorLine } from "../azure/fetch-failure.js";
import { collectTargetFacts } from "../azure/facts/collect.js";
import { FactContext } from "../azure/facts/fact-context.js";
import type { ResolvedTarget } from "../azure/facts/types.js";
import { markUnverified, workloadTarget } from "../azure/rules/common.js";
import { evaluateControlPlane } from "../azure/rules/index.js";
import { raise } from "../findings/raise.js";
import { targetKey, type Finding, type Layer, type ReportMetadata } from "../findings/model.js";
import { log } from "../log.js";
import type { ProbeLayer } from "../probe/layer.js";
import type { ProbeRefusal } from "./plan-run.js";
import type { StaticLayerResult } from "./static-layer.js";
import { resolveTargets } from "./targets.js";

export type { ProbeLayer };

export interface AzureLayersInput {
  /** The static layer's result: the workloads resolve the targets (its findings are not read here). */
  stat?: StaticLayerResult;
  config: GateConfig;
  /** The gate's own Azure identity (DefaultAzureCredential in the CLI, OIDC in the Action, MI in the Function). */
  credential: TokenCredential;
  profile: CloudProfile;
  now: Date;
  /** The live probe (the plan runs it), or the plan's refusal of it (AG503 per target). */
  probe?: ProbeLayer | { refusal: ProbeRefusal };
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

export interface AzureLayersResult {
  /** Control-plane then probe findings, deduplicated, before any policy. */
  findings: Finding[];
  layers: Layer[];
  metadata: Pick<ReportMetadata, "azureCalls" | "azureCallsByService" | "cloud" | "targets">;
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

/** Stands in for a probe the plan refused: one AG503 per target, which no config can turn into a pass. */
function refusedProbe(refusal: ProbeRefusal): ProbeLayer {
  return (target) =>
    Promise.resolve([markUnverified(raise("AG503", { target: workloadTarget(target), evidence: refusal.evidence, fix: refusal.fix }))]);
}

export async function runAzureLayers(input: AzureLayersInput): Promise<AzureLayersResult> {
  const { config, credential, profile, now } = input;
  const layers: Layer[] = [];
  const targets = resolveTargets(config, input.stat?.workloads ?? [], input.configFile);

  const ctx =
    input.facts ??
    new FactContext(
      new AzureClients(profile, credential, { retry: { budgetMs: config.retryBudgetSeconds * 1000, ...input.retry } }),
      config.concurrency,
    );
  const clients = ctx.clients;
  const callsBefore = clients.calls.snapshot();
  await checkLogin(clients.credential, profile);
  log.debug(
    `signed in to ${profile.name}; reading the facts of ${targets.length} target(s): ${targets.map((t) => `${t.namespace}/${t.kind}/${t.name}`).join(", ")}`,
  );
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
  log.debug(`control plane: ${controlPlane.length} finding(s) after ${clients.calls.total - callsBefore.total} Azure call(s)`);

  let probeFindings: Finding[] = [];
  if (input.probe) {
    layers.push("data-plane");
    const probe = typeof input.probe === "function" ? input.probe : refusedProbe(input.probe.refusal);
    probeFindings = dedupeFindings((await Promise.all(targets.map((t) => runProbe(probe, t)))).flat());
    log.debug(`live probe: ${probeFindings.length} finding(s)`);
  }

  const after = clients.calls.snapshot();
  const byService = Object.fromEntries(
    Object.entries(after.byService)
      .map(([k, n]) => [k, n - (callsBefore.byService[k] ?? 0)])
      .filter(([, n]) => n !== 0),
  );
  return {
    findings: [...controlPlane, ...probeFindings],
    layers,
    metadata: {
      azureCalls: after.total - callsBefore.total,
      azureCallsByService: byService,
      cloud: profile.name,
      targets: targets.map((t) => `${t.namespace}/${t.kind}/${t.name}`),
    },
  };
}
