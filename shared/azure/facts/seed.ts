/**
 * Facts another step of the same run already read, handed to a FactContext so the gate does not read
 * them again. The sweep's discovery lists clusters, identities, federated credentials, role
 * assignments, deny assignments and role definitions for the whole scope; each queue batch gets the
 * part of that it needs as a FactSeed (plain JSON: it travels through Blob between invocations).
 *
 * Only facts that were read successfully are in a seed; anything missing is fetched as usual, so a
 * seed can make a check cheaper but never make it see less.
 */
import type { FactContext } from "./fact-context.js";
import { factKeys } from "./keys.js";
import type {
  ClusterFact,
  DenyAssignmentFact,
  FederatedCredentialFact,
  IdentityFact,
  IdentityLookup,
  RoleAssignmentFact,
  RoleDefinitionFact,
} from "./types.js";

export const FACT_SEED_VERSION = 1;

export interface FactSeed {
  version: typeof FACT_SEED_VERSION;
  /** The subscriptions the identities were searched in (an identity lookup's `searchedSubscriptions`). */
  subscriptions: string[];
  clusters: { id: string; fact: ClusterFact }[];
  identities: { identity: IdentityFact; federatedCredentials: FederatedCredentialFact[] }[];
  /** One principal's assignments as listed in one subscription (at, above and below it). */
  assignments: { subscriptionId: string; principalId: string; assignments: RoleAssignmentFact[] }[];
  denies: { subscriptionId: string; denies: DenyAssignmentFact[] }[];
  definitions: RoleDefinitionFact[];
}

export function emptySeed(subscriptions: readonly string[]): FactSeed {
  return {
    version: FACT_SEED_VERSION,
    subscriptions: [...subscriptions],
    clusters: [],
    identities: [],
    assignments: [],
    denies: [],
    definitions: [],
  };
}

/** Whether a value read back from storage is a seed this version understands (anything else is ignored). */
export function isFactSeed(value: unknown): value is FactSeed {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.version === FACT_SEED_VERSION &&
    ["subscriptions", "clusters", "identities", "assignments", "denies", "definitions"].every((k) => Array.isArray(v[k]))
  );
}

export function seedFactContext(ctx: FactContext, seed: FactSeed): void {
  for (const c of seed.clusters) ctx.seed(factKeys.cluster(c.id), c.fact);
  for (const { identity, federatedCredentials } of seed.identities) {
    const lookup: IdentityLookup = {
      clientId: identity.clientId,
      identity,
      searchedSubscriptions: [...seed.subscriptions],
      unreadable: [],
    };
    ctx.seedDerived(factKeys.identityLookup(identity.clientId), lookup);
    ctx.seed(factKeys.federatedCredentials(identity.id), federatedCredentials);
  }
  for (const a of seed.assignments) ctx.seed(factKeys.assignments(a.subscriptionId, a.principalId), a.assignments);
  for (const d of seed.denies) ctx.seed(factKeys.denies(d.subscriptionId), d.denies);
  for (const d of seed.definitions) ctx.seed(factKeys.roleDefinition(d.name), d);
}
