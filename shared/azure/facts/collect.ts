/**
 * Gathers the facts of one target. Independent reads run concurrently (under the run's cap); every
 * read is memoised in the FactContext, so five targets sharing a cluster, identity, account and vault
 * cause each Azure call exactly once.
 */
import type { ClusterConfig, NetworkConfig } from "../../config/schema.js";
import { clusterFact, clusterId } from "./cluster.js";
import type { FactContext } from "./fact-context.js";
import { federatedCredentials, lookupIdentity } from "./identity.js";
import { findVault, secretProperties } from "./keyvault.js";
import { principalRbac } from "./rbac.js";
import { containerExists, findStorageAccount } from "./storage.js";
import type { BlobNeedFacts, KeyVaultNeedFacts, ResolvedTarget, TargetFacts } from "./types.js";

export interface CollectOptions {
  subscriptions: readonly string[];
  cluster?: ClusterConfig;
  network: NetworkConfig;
  tenantId?: string;
  expectedAudience: string;
  now: Date;
  /** How many distinct client ids the run checks: with two or more, their role assignments may share one listing per subscription. */
  principals?: number;
}

/** Subscriptions to search: the configured ones, plus the cluster's, deduplicated case-insensitively. */
export function searchSubscriptions(opts: { subscriptions: readonly string[]; cluster?: ClusterConfig }): string[] {
  const all = [...opts.subscriptions, ...(opts.cluster && "subscription" in opts.cluster ? [opts.cluster.subscription] : [])];
  const seen = new Set<string>();
  return all.filter((s) => !seen.has(s.toLowerCase()) && seen.add(s.toLowerCase()));
}

async function blobFacts(ctx: FactContext, target: ResolvedTarget, subs: readonly string[]): Promise<BlobNeedFacts[]> {
  return Promise.all(
    target.blob.map(async (need) => {
      const account = await findStorageAccount(ctx, need.account, subs);
      const facts: BlobNeedFacts = { need, account };
      if (account.resource) facts.container = await containerExists(ctx, account.resource, need.container);
      return facts;
    }),
  );
}

async function keyVaultFacts(ctx: FactContext, target: ResolvedTarget, subs: readonly string[]): Promise<KeyVaultNeedFacts[]> {
  return Promise.all(
    target.keyVault.map(async (need) => {
      const vault = await findVault(ctx, need.vault, subs);
      const facts: KeyVaultNeedFacts = { need, vault };
      if (vault.resource && need.secrets.length > 0) facts.secrets = await secretProperties(ctx, vault.resource);
      return facts;
    }),
  );
}

export async function collectTargetFacts(ctx: FactContext, target: ResolvedTarget, opts: CollectOptions): Promise<TargetFacts> {
  const subs = searchSubscriptions(opts);
  const identityLookup = lookupIdentity(ctx, target.clientId, subs);
  // The identity's own reads start as soon as it is known, not after the storage and vault lookups
  // (that wait was a whole extra round trip on the gate's critical path).
  const early = identityLookup.then((l) =>
    l.identity
      ? Promise.all([federatedCredentials(ctx, l.identity), principalRbac(ctx, l.identity.principalId, subs, opts.principals)])
      : undefined,
  );
  const [cluster, identity, blob, keyVault, identityReads] = await Promise.all([
    opts.cluster ? clusterFact(ctx, opts.cluster) : Promise.resolve(undefined),
    identityLookup,
    blobFacts(ctx, target, subs),
    keyVaultFacts(ctx, target, subs),
    early,
  ]);
  const found = identity.identity;
  // Resources may live in subscriptions named only by their ids: list the principal's RBAC there too
  // (the per-subscription listings are memoised, so the searched subscriptions are not read twice).
  const resourceSubs = [
    ...blob.map((b) => b.account.resource?.subscriptionId),
    ...keyVault.map((k) => k.vault.resource?.subscriptionId),
  ].flatMap((s) => (s ? [s] : []));
  const rbacSubs = searchSubscriptions({ subscriptions: [...subs, ...resourceSubs] });
  const fics = identityReads?.[0];
  const rbac =
    found && identityReads
      ? rbacSubs.length === subs.length
        ? identityReads[1]
        : await principalRbac(ctx, found.principalId, rbacSubs, opts.principals)
      : undefined;
  const subnetIds = [
    ...new Set([...(cluster?.ok ? cluster.value.subnetIds : []), ...(opts.network.subnetId ? [opts.network.subnetId] : [])]),
  ];
  const id = opts.cluster ? clusterId(opts.cluster) : undefined;
  return {
    target,
    now: opts.now,
    expectedAudience: opts.expectedAudience,
    ...(opts.tenantId ? { tenantId: opts.tenantId } : {}),
    ...(cluster ? { cluster } : {}),
    ...(id ? { clusterId: id } : {}),
    identity,
    ...(fics ? { federatedCredentials: fics } : {}),
    ...(rbac ? { rbac } : {}),
    blob,
    keyVault,
    network: { subnetIds, egressIps: [...opts.network.egressIps] },
  };
}
