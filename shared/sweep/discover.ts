/**
 * Discovery: every binding in a scope. A binding is one federated identity credential on a
 * user-assigned identity whose subject is a Kubernetes ServiceAccount (`system:serviceaccount:NS:SA`),
 * matched to the AKS cluster whose OIDC issuer it names (compared without case or trailing slash, so
 * a near-miss still reaches the AG205 check instead of vanishing). Also inventories the identities'
 * role assignments, so the next sweep can tell what changed (AG406).
 */
import type { AzureClients } from "../azure/clients.js";
import { parseResourceId } from "../azure/arm-id.js";
import type { ScopeConfig } from "./config.js";

export interface ClusterRef {
  subscription: string;
  resourceGroup: string;
  name: string;
}

export interface Binding {
  /** Stable across runs: identity resource id + credential name, lower-cased. */
  key: string;
  identityId: string;
  identityName: string;
  clientId: string;
  principalId: string;
  ficName: string;
  issuer: string;
  subject: string;
  audiences: string[];
  /** Set when the subject is a Kubernetes ServiceAccount. */
  serviceAccount?: { namespace: string; name: string };
  /** The cluster whose issuer the credential names, when one is in scope. */
  cluster?: ClusterRef;
}

export interface RoleAssignmentEntry {
  id: string;
  principalId: string;
  scope: string;
  roleDefinitionId: string;
}

export interface Inventory {
  bindings: Binding[];
  roleAssignments: RoleAssignmentEntry[];
  /** Places that could not be listed (the sweep reports them instead of pretending they are empty). */
  unreadable: { what: string; message: string }[];
}

const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

function normIssuer(url: string): string {
  return url.trim().replace(/\/+$/, "").toLowerCase();
}

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

function firstLine(err: unknown): string {
  return ((err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "").slice(0, 300);
}

export async function discover(clients: AzureClients, scope: ScopeConfig): Promise<Inventory> {
  const unreadable: Inventory["unreadable"] = [];
  const clusters = new Map<string, ClusterRef>();
  const bindings: Binding[] = [];
  const principals = new Set<string>();

  for (const sub of scope.subscriptions) {
    try {
      for (const mc of await all(clients.containerService(sub).managedClusters.list())) {
        const issuer = mc.oidcIssuerProfile?.issuerURL;
        const parsed = mc.id ? parseResourceId(mc.id) : undefined;
        if (issuer && parsed && mc.name) clusters.set(normIssuer(issuer), { subscription: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, name: mc.name });
      }
    } catch (err) {
      unreadable.push({ what: `AKS clusters in subscription ${sub}`, message: firstLine(err) });
    }
  }

  for (const sub of scope.subscriptions) {
    let identities;
    try {
      identities = await all(clients.managedIdentity(sub).userAssignedIdentities.listBySubscription());
    } catch (err) {
      unreadable.push({ what: `user-assigned identities in subscription ${sub}`, message: firstLine(err) });
      continue;
    }
    for (const identity of identities) {
      const parsed = identity.id ? parseResourceId(identity.id) : undefined;
      if (!parsed || !identity.name || !identity.clientId || !identity.principalId) continue;
      let fics;
      try {
        fics = await all(clients.managedIdentity(sub).federatedIdentityCredentials.list(parsed.resourceGroup, identity.name));
      } catch (err) {
        unreadable.push({ what: `federated credentials of ${identity.id}`, message: firstLine(err) });
        continue;
      }
      for (const fic of fics) {
        if (!fic.name || !fic.issuer || !fic.subject) continue;
        principals.add(identity.principalId.toLowerCase());
        const sa = SUBJECT.exec(fic.subject);
        const cluster = clusters.get(normIssuer(fic.issuer));
        bindings.push({
          key: `${identity.id}/federatedIdentityCredentials/${fic.name}`.toLowerCase(),
          identityId: identity.id!,
          identityName: identity.name,
          clientId: identity.clientId,
          principalId: identity.principalId,
          ficName: fic.name,
          issuer: fic.issuer,
          subject: fic.subject,
          audiences: [...(fic.audiences ?? [])],
          ...(sa ? { serviceAccount: { namespace: sa[1]!, name: sa[2]! } } : {}),
          ...(cluster ? { cluster } : {}),
        });
      }
    }
  }

  const roleAssignments: RoleAssignmentEntry[] = [];
  for (const sub of scope.subscriptions) {
    if (principals.size === 0) break;
    try {
      for (const ra of await all(clients.authorization(sub).roleAssignments.listForSubscription())) {
        if (ra.id && ra.principalId && principals.has(ra.principalId.toLowerCase())) {
          roleAssignments.push({ id: ra.id, principalId: ra.principalId, scope: ra.scope ?? "", roleDefinitionId: ra.roleDefinitionId ?? "" });
        }
      }
    } catch (err) {
      unreadable.push({ what: `role assignments in subscription ${sub}`, message: firstLine(err) });
    }
  }

  bindings.sort((a, b) => a.key.localeCompare(b.key));
  roleAssignments.sort((a, b) => a.id.localeCompare(b.id));
  return { bindings, roleAssignments, unreadable };
}
