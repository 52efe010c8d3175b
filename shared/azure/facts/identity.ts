/**
 * The workload's identity by client id: user-assigned identities are listed ONCE per subscription and
 * indexed by clientId (and principalId, to catch the "object id pasted as client id" mistake); when
 * none matches, Microsoft Graph is asked for an app registration with that appId. Then its federated
 * credentials (ARM for identities, Graph for app registrations).
 */
import { parseResourceId } from "../arm-id.js";
import { collectAll, type FactContext } from "./fact-context.js";
import { factKeys } from "./keys.js";
import type { FederatedCredentialFact, Fetched, IdentityFact, IdentityLookup, Unreadable } from "./types.js";

/** An ARM user-assigned identity as a fact (undefined when it lacks an id, client id or principal id). */
export function identityFact(i: {
  id?: string;
  name?: string;
  clientId?: string;
  principalId?: string;
  tenantId?: string;
}): IdentityFact | undefined {
  if (!i.id || !i.clientId || !i.principalId) return undefined;
  const parsed = parseResourceId(i.id);
  return {
    kind: "managedIdentity",
    id: i.id,
    name: i.name ?? parsed?.name ?? i.id,
    clientId: i.clientId,
    principalId: i.principalId,
    ...(i.tenantId ? { tenantId: i.tenantId } : {}),
    ...(parsed ? { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup } : {}),
  };
}

export function userAssignedIdentities(ctx: FactContext, subscriptionId: string): Promise<Fetched<IdentityFact[]>> {
  return ctx.fetch(factKeys.identities(subscriptionId), async () => {
    const list = await collectAll(ctx.clients.managedIdentity(subscriptionId).userAssignedIdentities.listBySubscription());
    return list.flatMap((i) => identityFact(i) ?? []);
  });
}

function applicationByClientId(ctx: FactContext, clientId: string): Promise<Fetched<IdentityFact | undefined>> {
  return ctx.fetch(`graph/app/${clientId}`, async () => {
    const app = await ctx.clients.graph.applicationByAppId(clientId);
    if (!app) return undefined;
    const sp = await ctx.clients.graph.servicePrincipalByAppId(clientId);
    // An app registration without a service principal in this tenant cannot sign in here: treat as not found.
    if (!sp) return undefined;
    const fact: IdentityFact = { kind: "application", id: app.id, name: app.displayName, clientId: app.appId, principalId: sp.id };
    return fact;
  });
}

export function lookupIdentity(ctx: FactContext, clientId: string | undefined, subscriptions: readonly string[]): Promise<IdentityLookup> {
  if (!clientId) return Promise.resolve({ clientId, searchedSubscriptions: [...subscriptions], unreadable: [] });
  return ctx.derive(factKeys.identityLookup(clientId), async () => {
    const lookup: IdentityLookup = { clientId, searchedSubscriptions: [...subscriptions], unreadable: [] };
    const wanted = clientId.toLowerCase();
    const listings = await Promise.all(subscriptions.map(async (s) => ({ s, r: await userAssignedIdentities(ctx, s) })));
    const unreadable: Unreadable[] = [];
    for (const { s, r } of listings) {
      if (!r.ok) {
        unreadable.push({ what: `user-assigned identities in subscription ${s}`, error: r.error });
        continue;
      }
      lookup.identity ??= r.value.find((i) => i.clientId.toLowerCase() === wanted);
      lookup.principalIdMatch ??= r.value.find((i) => i.principalId.toLowerCase() === wanted);
    }
    if (lookup.identity) return lookup;
    const app = await applicationByClientId(ctx, clientId);
    if (!app.ok) unreadable.push({ what: `app registrations (Microsoft Graph) for appId ${clientId}`, error: app.error });
    else if (app.value) lookup.identity = app.value;
    if (!lookup.identity) lookup.unreadable = unreadable;
    return lookup;
  });
}

export function federatedCredentials(ctx: FactContext, identity: IdentityFact): Promise<Fetched<FederatedCredentialFact[]>> {
  return ctx.fetch(factKeys.federatedCredentials(identity.id), async () => {
    if (identity.kind === "application") {
      const list = await ctx.clients.graph.applicationFederatedCredentials(identity.id);
      return list.map((f) => ({ name: f.name, issuer: f.issuer, subject: f.subject, audiences: [...(f.audiences ?? [])] }));
    }
    if (!identity.subscriptionId || !identity.resourceGroup) throw new Error(`cannot parse the identity id ${identity.id}`);
    const list = await collectAll(
      ctx.clients.managedIdentity(identity.subscriptionId).federatedIdentityCredentials.list(identity.resourceGroup, identity.name),
    );
    return list.map(federatedCredentialFact);
  });
}

/** An ARM federated identity credential (SDK shape, or an ARG row's properties plus its name) as a fact. */
export function federatedCredentialFact(f: {
  name?: string;
  issuer?: string;
  subject?: string;
  audiences?: readonly string[];
}): FederatedCredentialFact {
  return { name: f.name ?? "", issuer: f.issuer ?? "", subject: f.subject ?? "", audiences: [...(f.audiences ?? [])] };
}
