/**
 * Turns a scope's bindings and explicit targets into check units (one ServiceAccount or workload on
 * one cluster each), splits them into queue-sized batches, and runs the AG2xx control-plane checks
 * for one batch through the gate's own surface — `planRun` (mode azure: the Function reads no manifests and
 * runs no probe) then `executePlan` with the Function's identity, one gate run per cluster — so the layers,
 * policy, dedupe and fail-closed handling are exactly the CLI's and the Action's.
 *
 * One batch is one invocation: its gate runs share ONE fact cache (one client set, one retry budget,
 * one concurrency cap), seeded with what discovery already read, so no fact is read twice in an
 * invocation and a discovered binding is checked without reading Azure again.
 */
import type { TokenCredential } from "@azure/core-auth";
import { isCustomCloud, type CloudProfile } from "../cloud/profile.js";
import { gateConfigSchema, type GateConfig, type TargetConfig } from "../config/schema.js";
import { AzureClients, type RetrySettings } from "../azure/clients.js";
import { FactContext } from "../azure/facts/fact-context.js";
import { seedFactContext, type FactSeed } from "../azure/facts/seed.js";
import type { Finding } from "../findings/model.js";
import { alreadySignedIn, executePlan } from "../gate/execute-plan.js";
import { planRun, type PlanHints, type RunPlan } from "../gate/plan-run.js";
import type { ScopeConfig, SweepConfig } from "./sweep-config.js";
import { clusterKey, type ClusterRef, type Inventory } from "./discover.js";

export interface CheckUnit {
  cluster: ClusterRef;
  /** Target in the gate config's shape (workload, serviceAccount, clientId, blob, keyVault). */
  target: Partial<TargetConfig> & { workload: string; serviceAccount: string };
  /** The binding it came from (discovered), or "config" for an explicit target. */
  source: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface PlannedUnits {
  units: CheckUnit[];
  /** Bindings that could not be checked, with the reason (shown in the report). */
  skipped: { binding: string; reason: string }[];
}

export function planUnits(scope: ScopeConfig, inventory: Inventory): PlannedUnits {
  const units: CheckUnit[] = [];
  const skipped: PlannedUnits["skipped"] = [];
  for (const b of inventory.bindings) {
    if (!b.serviceAccount) continue; // GitHub and other non-Kubernetes subjects: inventory only
    if (!b.cluster) {
      skipped.push({ binding: b.key, reason: `issuer ${b.issuer} is not the OIDC issuer of any AKS cluster in scope` });
      continue;
    }
    const { namespace, name } = b.serviceAccount;
    if (!DNS_LABEL.test(namespace) || !/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(name)) {
      skipped.push({ binding: b.key, reason: `subject ${b.subject} is not a valid Kubernetes namespace/ServiceAccount name` });
      continue;
    }
    units.push({
      cluster: b.cluster,
      target: { workload: `${namespace}/ServiceAccount/${name}`, serviceAccount: name, clientId: b.clientId },
      source: b.key,
    });
  }
  for (const t of scope.targets) {
    const { cluster, ...target } = t;
    if (!target.workload || !target.serviceAccount) {
      skipped.push({
        binding: "config",
        reason: `explicit target ${target.workload ?? "(no workload)"} needs workload and serviceAccount (the Function reads no manifests)`,
      });
      continue;
    }
    units.push({ cluster, target: { ...target, workload: target.workload, serviceAccount: target.serviceAccount }, source: "config" });
  }
  // The same ServiceAccount on the same cluster bound twice (two credentials) is checked once.
  const seen = new Set<string>();
  return {
    units: units.filter((u) => {
      const key = `${clusterKey(u.cluster)}/${u.target.workload}/${u.target.clientId ?? ""}`.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
    skipped,
  };
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface CheckInput {
  units: readonly CheckUnit[];
  scope: ScopeConfig;
  config: SweepConfig;
  profile: CloudProfile;
  credential: TokenCredential;
  now: Date;
  retry?: Partial<RetrySettings>;
  /** What discovery already read for these units (batch-seed.ts); absent for batches planned before seeds existed. */
  seed?: FactSeed;
}

const SWEEP_HINTS: PlanHints = {
  manifests: { field: "scopes[].targets", hint: "the sweep reads no manifests" },
  config: { field: "scopes", hint: "the sweep config's scope is required" },
};

/** The sweep's plan for one cluster's gate config: the control plane only, in the operator's cloud. */
export function sweepPlan(config: GateConfig, profile: CloudProfile): RunPlan {
  return planRun({
    mode: "azure",
    config,
    manifests: false,
    // The sweep config is the operator's own deployment (functions/sweep-runtime.ts resolves its cloud with their
    // say-so), never a repository under check: a custom profile there is allowed by the person who deployed it.
    cloud: { name: profile.name, custom: isCustomCloud(profile), allowedByUser: true },
    hints: SWEEP_HINTS,
  });
}

export async function checkUnits(input: CheckInput): Promise<{ findings: Finding[]; azureCalls: number }> {
  const byCluster = new Map<string, CheckUnit[]>();
  for (const u of input.units) {
    const key = clusterKey(u.cluster);
    byCluster.set(key, [...(byCluster.get(key) ?? []), u]);
  }
  const clients = new AzureClients(input.profile, input.credential, {
    retry: { budgetMs: input.config.retryBudgetSeconds * 1000, ...input.retry },
  });
  const facts = new FactContext(clients, input.config.concurrency);
  if (input.seed) seedFactContext(facts, input.seed);
  const findings: Finding[] = [];
  for (const units of byCluster.values()) {
    const cluster = units[0]!.cluster;
    const config = gateConfigSchema.parse({
      cloud: input.config.cloud,
      tenantId: input.config.tenantId,
      subscriptions: input.scope.subscriptions,
      cluster,
      targets: units.map((u) => u.target),
      failOpen: input.config.failOpen,
      concurrency: input.config.concurrency,
      retryBudgetSeconds: input.config.retryBudgetSeconds,
      severity: input.config.severity,
      waivers: input.config.waivers,
    });
    // The Function's managed identity is already in hand: its first token request (the control plane's
    // sign-in check) is the sign-in, and a failure there is retried by the queue like any other.
    const { report } = await executePlan({
      plan: sweepPlan(config, input.profile),
      config,
      now: input.now,
      azure: { profile: input.profile, signIn: alreadySignedIn(input.credential), facts },
    });
    findings.push(...report.findings);
  }
  return { findings, azureCalls: clients.calls.snapshot().total };
}
