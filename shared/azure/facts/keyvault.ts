/**
 * Vaults (listed once per subscription: permission model, access policies, network rules) and the
 * PROPERTIES of their secrets via `listPropertiesOfSecrets` — one paged listing per vault. The gate
 * never calls getSecret: no secret value is ever read.
 */
import { parseResourceId } from "../arm-id.js";
import { collectAll, type FactContext } from "./fact-context.js";
import { findResource } from "./lookup.js";
import { networkFact } from "./storage.js";
import type { Fetched, ResourceLookup, SecretFact, VaultFact } from "./types.js";

export function vaults(ctx: FactContext, subscriptionId: string): Promise<Fetched<VaultFact[]>> {
  return ctx.fetch(`vaults/${subscriptionId}`, async () => {
    const list = await collectAll(ctx.clients.keyVaultManagement(subscriptionId).vaults.listBySubscription());
    return list.flatMap((v): VaultFact[] => {
      const parsed = v.id ? parseResourceId(v.id) : undefined;
      if (!v.id || !parsed) return [];
      const p = v.properties;
      return [
        {
          id: v.id,
          name: v.name ?? parsed.name,
          subscriptionId: parsed.subscriptionId,
          resourceGroup: parsed.resourceGroup,
          ...(p.vaultUri ? { vaultUri: p.vaultUri } : {}),
          enableRbacAuthorization: p.enableRbacAuthorization === true,
          accessPolicies: (p.accessPolicies ?? []).map((a) => ({
            tenantId: a.tenantId,
            objectId: a.objectId,
            ...(a.applicationId ? { applicationId: a.applicationId } : {}),
            secrets: (a.permissions.secrets ?? []).map((s) => String(s).toLowerCase()),
          })),
          network: networkFact(
            p.networkAcls
              ? {
                  ...p.networkAcls,
                  ipRules: p.networkAcls.ipRules?.map((r) => ({ value: r.value })),
                  virtualNetworkRules: p.networkAcls.virtualNetworkRules?.map((r) => ({ id: r.id })),
                }
              : undefined,
            p.publicNetworkAccess,
            p.privateEndpointConnections,
          ),
        },
      ];
    });
  });
}

export function findVault(ctx: FactContext, wanted: string, subscriptions: readonly string[]): Promise<ResourceLookup<VaultFact>> {
  return findResource(ctx, "vault", wanted, subscriptions, (s) => vaults(ctx, s));
}

export function secretProperties(ctx: FactContext, vault: VaultFact): Promise<Fetched<SecretFact[]>> {
  return ctx.fetch(`secrets/${vault.id}`, async () => {
    const client = ctx.clients.secrets(vault.name, vault.vaultUri);
    const list = await collectAll(client.listPropertiesOfSecrets());
    return list.map((s) => ({
      name: s.name,
      enabled: s.enabled !== false,
      ...(s.expiresOn ? { expiresOn: s.expiresOn.toISOString() } : {}),
      ...(s.notBefore ? { notBefore: s.notBefore.toISOString() } : {}),
    }));
  });
}
