/**
 * Storage accounts (listed once per subscription, indexed by name, with their network rules) and the
 * existence of each needed container (`blobContainers.get`, 404 → absent).
 */
import { isNotFound } from "../fetch-failure.js";
import { parseResourceId } from "../arm-id.js";
import { collectAll, type FactContext } from "./fact-context.js";
import { findResource } from "./lookup.js";
import type { Fetched, NetworkAclFact, ResourceLookup, StorageAccountFact } from "./types.js";

interface SdkNetwork {
  defaultAction?: string;
  bypass?: string;
  virtualNetworkRules?: { virtualNetworkResourceId?: string; id?: string }[];
  ipRules?: { iPAddressOrRange?: string; value?: string }[];
}

interface SdkEndpointConnection {
  id?: string;
  privateLinkServiceConnectionState?: { status?: string };
}

export function networkFact(
  acl: SdkNetwork | undefined,
  publicNetworkAccess: string | undefined,
  connections: SdkEndpointConnection[] | undefined,
): NetworkAclFact {
  return {
    ...(publicNetworkAccess ? { publicNetworkAccess } : {}),
    defaultAction: acl?.defaultAction?.toLowerCase() === "deny" ? "Deny" : "Allow",
    ...(acl?.bypass ? { bypass: acl.bypass } : {}),
    virtualNetworkRules: (acl?.virtualNetworkRules ?? []).flatMap((r) => {
      const id = r.virtualNetworkResourceId ?? r.id;
      return id ? [id] : [];
    }),
    ipRules: (acl?.ipRules ?? []).flatMap((r) => {
      const v = r.iPAddressOrRange ?? r.value;
      return v ? [v] : [];
    }),
    privateEndpoints: (connections ?? [])
      .filter((c) => (c.privateLinkServiceConnectionState?.status ?? "").toLowerCase() === "approved")
      .map((c) => c.id ?? "private endpoint"),
  };
}

export function storageAccounts(ctx: FactContext, subscriptionId: string): Promise<Fetched<StorageAccountFact[]>> {
  return ctx.fetch(`storage/${subscriptionId}`, async () => {
    const list = await collectAll(ctx.clients.storage(subscriptionId).storageAccounts.list());
    return list.flatMap((a): StorageAccountFact[] => {
      const parsed = a.id ? parseResourceId(a.id) : undefined;
      if (!a.id || !parsed) return [];
      return [
        {
          id: a.id,
          name: a.name ?? parsed.name,
          subscriptionId: parsed.subscriptionId,
          resourceGroup: parsed.resourceGroup,
          network: networkFact(a.networkRuleSet, a.publicNetworkAccess, a.privateEndpointConnections),
        },
      ];
    });
  });
}

export function findStorageAccount(
  ctx: FactContext,
  wanted: string,
  subscriptions: readonly string[],
): Promise<ResourceLookup<StorageAccountFact>> {
  return findResource(ctx, "storage account", wanted, subscriptions, (s) => storageAccounts(ctx, s));
}

export function containerExists(ctx: FactContext, account: StorageAccountFact, container: string): Promise<Fetched<boolean>> {
  return ctx.fetch(`container/${account.id}/${container}`, async () => {
    try {
      const c = await ctx.clients.storage(account.subscriptionId).blobContainers.get(account.resourceGroup, account.name, container);
      return c.deleted !== true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  });
}
