/**
 * Vaults (listed once per subscription: permission model, access policies, network rules) and the
 * PROPERTIES of their secrets — one paged ARM listing per vault (`Microsoft.KeyVault/vaults/secrets`,
 * REST "Secrets - List"), which never carries a value. The control plane, not the vault's data plane:
 * Reader on the subscription is enough, whatever the vault's permission model, and a vault closed to
 * public networks (the usual production setup) is still readable from a CI runner outside its network.
 * The data-plane listing also cost a 401 challenge round trip on every run. Microsoft marks this
 * operation "intended for internal use in ARM deployments" because it is how templates WRITE secrets;
 * the gate only reads attributes through it, the same properties the data plane would list.
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
    const client = ctx.clients.keyVaultManagement(vault.subscriptionId);
    const list = await collectAll(client.secrets.list(vault.resourceGroup, vault.name));
    return list.flatMap((s): SecretFact[] => {
      const name = s.name ?? (s.id ? s.id.split("/").pop() : undefined);
      if (!name) return [];
      const a = s.properties.attributes;
      return [
        {
          name,
          enabled: a?.enabled !== false,
          ...(a?.expires ? { expiresOn: a.expires.toISOString() } : {}),
          ...(a?.notBefore ? { notBefore: a.notBefore.toISOString() } : {}),
        },
      ];
    });
  });
}
