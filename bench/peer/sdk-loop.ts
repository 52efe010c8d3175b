/**
 * Fallback peer when `az` cannot be installed: the same script as bench/peer/az.ts, command for
 * command, with the Azure SDK for JS making the requests each `az` command makes (stack.md's call
 * pattern) one after another — sign-in; per target the cluster, the identity's federated
 * credentials, the Graph service-principal lookup + `principalId eq` role assignments + role
 * definitions (as `az role assignment list --assignee --all` does), the vault and the storage
 * account. It skips az's `GET /subscriptions` at login and `directoryObjects/getByIds` (no SDK for
 * them in this project) and has no process start-up per command, so it flatters the peer: labelled
 * `sdk-loop` in the results.
 */
import { ClientSecretCredential } from "@azure/identity";
import { AzureClients } from "../../shared/azure/clients.js";
import { loadCloudProfile, scopeFor } from "../../shared/cloud/profile.js";
import type { Sandbox } from "../../test/sandbox/index.js";
import type { Peer, PeerTarget } from "./az.js";

async function drain<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

export function sdkLoopPeer(sb: Sandbox, note: string, appId: string, secret: string): Peer {
  const profile = loadCloudProfile(sb.profileFile);
  return {
    kind: "sdk-loop",
    note,
    async check(targets: readonly PeerTarget[]) {
      const started = performance.now();
      const credential = new ClientSecretCredential(sb.state.tenantId, appId, secret, {
        authorityHost: profile.authorityHost,
        disableInstanceDiscovery: true,
      });
      await credential.getToken(scopeFor(profile.resourceManagerAudience));
      const clients = new AzureClients(profile, credential, { retry: { maxRetries: 0 } });
      const subscriptionId = sb.state.subscriptions[0]!.subscriptionId;
      let commands = 1;
      for (const t of targets) {
        await clients.containerService(subscriptionId).managedClusters.get(t.resourceGroup, t.cluster);
        await drain(clients.managedIdentity(subscriptionId).federatedIdentityCredentials.list(t.resourceGroup, t.identityName));
        const sp = await clients.graph.servicePrincipalByAppId(t.clientId);
        const auth = clients.authorization(subscriptionId);
        await drain(auth.roleAssignments.listForSubscription({ filter: `principalId eq '${sp?.id ?? t.clientId}'` }));
        await drain(auth.roleDefinitions.list(`/subscriptions/${subscriptionId}`));
        await clients.keyVaultManagement(subscriptionId).vaults.get(t.resourceGroup, t.vault);
        await clients.storage(subscriptionId).storageAccounts.getProperties(t.resourceGroup, t.storageAccount);
        commands += 5;
      }
      return { seconds: (performance.now() - started) / 1000, commands };
    },
  };
}
