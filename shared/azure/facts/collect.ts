/**
 * Gathers the facts of one target. Independent reads run concurrently (under the run's cap); every
 * read is memoised in the FactContext, so five targets sharing a cluster, identity, account and vault
 * cause each Azure call exactly once.
 */
import type { ClusterConfig, NetworkConfig } from "../../config/schema.js";
import { clusterFact, clusterId } from "./cluster.js";
import type { FactContext } from "./context.js";
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
  const [cluster, identity, blob, keyVault] = await Promise.all([
    opts.cluster ? clusterFact(ctx, opts.cluster) : Promise.resolve(undefined),
    lookupIdentity(ctx, target.clientId, subs),
    blobFacts(ctx, target, subs),
    keyVaultFacts(ctx, target, subs),
  ]);
  const found = identity.identity;
  // Resources may live in subscriptions named only by their ids: list the principal's RBAC there too.
  const resourceSubs = [...blob.map((b) => b.account.resource?.subscriptionId), ...keyVault.map((k) => k.vault.resource?.subscriptionId)].flatMap((s) => (s ? [s] : []));
  const [fics, rbac] = found
    ? await Promise.all([federatedCredentials(ctx, found), principalRbac(ctx, found.principalId, searchSubscriptions({ subscriptions: [...subs, ...resourceSubs] }))])
    : [undefined, undefined];
  const subnetIds = [...new Set([...(cluster?.ok ? cluster.value.subnetIds : []), ...(opts.network.subnetId ? [opts.network.subnetId] : [])])];
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
