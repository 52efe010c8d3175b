/**
 * Discovery: every binding in a scope. A binding is one federated identity credential on a
 * user-assigned identity whose subject is a Kubernetes ServiceAccount (`system:serviceaccount:NS:SA`),
 * matched to the AKS cluster whose OIDC issuer it names (compared without case or trailing slash, so
 * a near-miss still reaches the AG205 check instead of vanishing). Also inventories the identities'
 * role assignments, so the next sweep can tell what changed (AG406).
 *
 * Calls grow with pages, not identities: per subscription one cluster listing, one identity listing,
 * one role-assignment listing (all principals, instead of one `assignedTo()` per identity), one deny
 * listing, the federated credentials from Resource Graph (verified, see federated-credentials.ts) and
 * one GET per role definition the bound identities use. Everything read is also kept as facts
 * (`DiscoveredFacts`) so the check phase does not read it again (batch-seed.ts).
 */
import type { AzureClients } from "../azure/clients.js";
import { parseResourceId } from "../azure/arm-id.js";
import { firstLine } from "../azure/fetch-failure.js";
import { clusterFactFromArm, clusterId } from "../azure/facts/cluster.js";
import { collectAll, FactContext } from "../azure/facts/fact-context.js";
import { userAssignedIdentities } from "../azure/facts/identity.js";
import { definitionsFor, denies, subscriptionAssignments, type DefinitionRef } from "../azure/facts/rbac.js";
import type {
  ClusterFact,
  DenyAssignmentFact,
  FederatedCredentialFact,
  Fetched,
  IdentityFact,
  RoleAssignmentFact,
  RoleDefinitionFact,
} from "../azure/facts/types.js";
import { discoverySchema, type DiscoveryConfig, type ScopeConfig } from "./sweep-config.js";
import { subscriptionCredentials } from "./federated-credentials.js";

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
  /** How discovery read the scope when that matters to the reader (fallbacks, limits); shown in the report. */
  notices?: string[];
}

/** What discovery read, as gate facts, for seeding the check phase (kept in memory, never in the manifest). */
export interface DiscoveredFacts {
  subscriptions: string[];
  /** By lower-cased `subscription/resourceGroup/name`. */
  clusters: Map<string, { id: string; fact: ClusterFact }>;
  /** By lower-cased client id: every identity whose credentials were read. */
  identities: Map<string, { identity: IdentityFact; federatedCredentials: FederatedCredentialFact[] }>;
  /** Lower-cased subscription → lower-cased principal id → its assignments listed there (bound principals only). */
  assignments: Map<string, Map<string, RoleAssignmentFact[]>>;
  denies: Map<string, DenyAssignmentFact[]>;
  /** By lower-cased role definition GUID. */
  definitions: Map<string, RoleDefinitionFact>;
}

export interface Discovery {
  inventory: Inventory;
  facts: DiscoveredFacts;
  stats: { credentialsFrom: Record<string, "resource-graph" | "arm">; verifiedIdentities: number };
}

export interface DiscoverOptions {
  discovery?: DiscoveryConfig;
  /** Picks the cross-check sample (the run id: the same run always checks the same identities). */
  sampleSeed?: string;
}

const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

function normIssuer(url: string): string {
  return url.trim().replace(/\/+$/, "").toLowerCase();
}

export function clusterKey(c: ClusterRef): string {
  return `${c.subscription}/${c.resourceGroup}/${c.name}`.toLowerCase();
}

function failed<T>(r: Fetched<T>): string | undefined {
  return r.ok ? undefined : firstLine(r.error.message);
}

interface SubscriptionRead {
  sub: string;
  clusters: { issuer: string; ref: ClusterRef; fact: ClusterFact }[];
  identities: IdentityFact[];
  credentials: Map<string, FederatedCredentialFact[]>;
  assignments: Fetched<{ assignments: RoleAssignmentFact[]; groupPrincipals: string[] }>;
  denies: Fetched<DenyAssignmentFact[]>;
}

async function readSubscription(
  ctx: FactContext,
  sub: string,
  opts: Required<DiscoverOptions>,
  inv: Inventory,
  stats: Discovery["stats"],
): Promise<SubscriptionRead> {
  const clustersP = ctx.fetch(`aks-list/${sub}`, () => collectAll(ctx.clients.containerService(sub).managedClusters.list()));
  const assignmentsP = subscriptionAssignments(ctx, sub);
  const deniesP = denies(ctx, sub);
  const identitiesR = await userAssignedIdentities(ctx, sub);
  let identities: IdentityFact[] = [];
  let credentials = new Map<string, FederatedCredentialFact[]>();
  if (!identitiesR.ok)
    inv.unreadable.push({ what: `user-assigned identities in subscription ${sub}`, message: firstLine(identitiesR.error.message) });
  else {
    identities = identitiesR.value;
    const creds = await subscriptionCredentials(ctx, sub, identities, { ...opts.discovery, seed: `${opts.sampleSeed}/${sub}` });
    credentials = creds.byIdentity;
    inv.unreadable.push(...creds.unreadable);
    if (creds.notice) inv.notices!.push(creds.notice);
    stats.credentialsFrom[sub] = creds.source;
    stats.verifiedIdentities += creds.verified;
  }
  const clustersR = await clustersP;
  const clusters: SubscriptionRead["clusters"] = [];
  if (!clustersR.ok) inv.unreadable.push({ what: `AKS clusters in subscription ${sub}`, message: firstLine(clustersR.error.message) });
  else {
    for (const mc of clustersR.value) {
      const issuer = mc.oidcIssuerProfile?.issuerURL;
      const parsed = mc.id ? parseResourceId(mc.id) : undefined;
      if (!parsed || !mc.name) continue;
      const ref = { subscription: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, name: mc.name };
      clusters.push({ issuer: issuer ? normIssuer(issuer) : "", ref, fact: clusterFactFromArm(mc, ref) });
    }
  }
  return { sub, clusters, identities, credentials, assignments: await assignmentsP, denies: await deniesP };
}

export async function discover(clients: AzureClients, scope: ScopeConfig, options: DiscoverOptions = {}): Promise<Discovery> {
  const opts: Required<DiscoverOptions> = {
    discovery: options.discovery ?? discoverySchema.parse({}),
    sampleSeed: options.sampleSeed ?? "",
  };
  const ctx = new FactContext(clients, opts.discovery.concurrency);
  const inventory: Inventory = { bindings: [], roleAssignments: [], unreadable: [], notices: [] };
  const stats: Discovery["stats"] = { credentialsFrom: {}, verifiedIdentities: 0 };
  const facts: DiscoveredFacts = {
    subscriptions: [...scope.subscriptions],
    clusters: new Map(),
    identities: new Map(),
    assignments: new Map(),
    denies: new Map(),
    definitions: new Map(),
  };

  const reads = await Promise.all(scope.subscriptions.map((sub) => readSubscription(ctx, sub, opts, inventory, stats)));

  const byIssuer = new Map<string, ClusterRef>();
  for (const r of reads) {
    for (const c of r.clusters) {
      if (c.issuer) byIssuer.set(c.issuer, c.ref);
      facts.clusters.set(clusterKey(c.ref), { id: clusterId(c.ref) ?? "", fact: c.fact });
    }
  }

  const principals = new Set<string>();
  for (const r of reads) {
    for (const identity of r.identities) {
      const fics = r.credentials.get(identity.id.toLowerCase());
      if (!fics) continue;
      facts.identities.set(identity.clientId.toLowerCase(), { identity, federatedCredentials: fics });
      for (const fic of fics) {
        if (!fic.name || !fic.issuer || !fic.subject) continue;
        principals.add(identity.principalId.toLowerCase());
        const sa = SUBJECT.exec(fic.subject);
        const cluster = byIssuer.get(normIssuer(fic.issuer));
        inventory.bindings.push({
          key: `${identity.id}/federatedIdentityCredentials/${fic.name}`.toLowerCase(),
          identityId: identity.id,
          identityName: identity.name,
          clientId: identity.clientId,
          principalId: identity.principalId,
          ficName: fic.name,
          issuer: fic.issuer,
          subject: fic.subject,
          audiences: [...fic.audiences],
          ...(sa ? { serviceAccount: { namespace: sa[1]!, name: sa[2]! } } : {}),
          ...(cluster ? { cluster } : {}),
        });
      }
    }
  }

  const seenAssignments = new Set<string>();
  const definitionsUsed: DefinitionRef[] = [];
  for (const r of reads) {
    // A deny listing that failed is not seeded: each check reads it again and fails closed on its own.
    if (r.denies.ok) facts.denies.set(r.sub.toLowerCase(), r.denies.value);
    if (!r.assignments.ok) {
      if (principals.size > 0)
        inventory.unreadable.push({ what: `role assignments in subscription ${r.sub}`, message: failed(r.assignments) ?? "" });
      continue;
    }
    const mine = new Map<string, RoleAssignmentFact[]>([...principals].map((p) => [p, []]));
    for (const a of r.assignments.value.assignments) {
      const list = mine.get(a.principalId.toLowerCase());
      if (!list) continue;
      list.push(a);
      definitionsUsed.push({ subscriptionId: r.sub, roleDefinitionId: a.roleDefinitionId });
      if (seenAssignments.has(a.id.toLowerCase())) continue; // a management-group assignment appears in every subscription's listing
      seenAssignments.add(a.id.toLowerCase());
      inventory.roleAssignments.push({ id: a.id, principalId: a.principalId, scope: a.scope, roleDefinitionId: a.roleDefinitionId });
    }
    facts.assignments.set(r.sub.toLowerCase(), mine);
    const groups = r.assignments.value.groupPrincipals.length;
    if (groups > 0 && principals.size > 0) {
      inventory.notices!.push(
        `Subscription ${r.sub} has role assignments for ${groups} group(s): the sweep reads each identity's own assignments (one listing per subscription) and does not expand group membership, so access an identity has only through a group is not seen here. The gate checks it before each deploy (assignedTo).`,
      );
    }
  }

  // One GET per role definition the bound identities use, for the whole run (the check phase gets them seeded).
  for (const [guid, d] of await definitionsFor(ctx, definitionsUsed)) if (d.ok) facts.definitions.set(guid, d.value);

  inventory.bindings.sort((a, b) => a.key.localeCompare(b.key));
  inventory.roleAssignments.sort((a, b) => a.id.localeCompare(b.id));
  if (inventory.notices!.length === 0) delete inventory.notices;
  return { inventory, facts, stats };
}
