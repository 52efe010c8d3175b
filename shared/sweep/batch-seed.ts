/**
 * The facts one batch of check units needs, cut from what discovery read: the units' clusters, their
 * identities with federated credentials, those principals' role assignments per subscription, the
 * subscriptions' deny assignments and the role definitions the assignments use. The check phase seeds
 * its FactContext with it, so a discovered binding costs no Azure call to check. A seed is written to
 * Blob next to the batch's message (messages stay small); anything not in it is fetched as usual.
 */
import { lastSegment } from "../azure/arm-id.js";
import { emptySeed, type FactSeed } from "../azure/facts/seed.js";
import type { CheckUnit } from "./check-batch.js";
import { clusterKey, type DiscoveredFacts } from "./discover.js";

export function seedForUnits(facts: DiscoveredFacts, units: readonly CheckUnit[]): FactSeed {
  const seed = emptySeed(facts.subscriptions);
  const clusters = new Set<string>();
  const clientIds = new Set<string>();
  for (const u of units) {
    const key = clusterKey(u.cluster);
    const c = facts.clusters.get(key);
    if (c && !clusters.has(key)) seed.clusters.push(c);
    clusters.add(key);
    if (u.target.clientId) clientIds.add(u.target.clientId.toLowerCase());
  }
  const principals = new Set<string>();
  for (const clientId of clientIds) {
    const known = facts.identities.get(clientId);
    if (!known) continue;
    seed.identities.push(known);
    principals.add(known.identity.principalId.toLowerCase());
  }
  const guids = new Set<string>();
  for (const [subscriptionId, byPrincipal] of facts.assignments) {
    for (const p of principals) {
      const assignments = byPrincipal.get(p);
      if (!assignments) continue;
      seed.assignments.push({ subscriptionId, principalId: p, assignments });
      for (const a of assignments) guids.add(lastSegment(a.roleDefinitionId));
    }
  }
  for (const [subscriptionId, denies] of facts.denies) seed.denies.push({ subscriptionId, denies });
  for (const g of guids) {
    const d = facts.definitions.get(g);
    if (d) seed.definitions.push(d);
  }
  return seed;
}
