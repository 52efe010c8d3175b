/**
 * The inputs AG203–AG206 share: the identity, the cluster's exact issuer, the pod's subject and the
 * classification of the identity's federated credentials. Undefined when a precondition is missing
 * (no identity → AG201; no issuer → AG202), so those rules stay silent instead of double-reporting.
 */
import type { FederatedCredentialFact, Fetched, IdentityFact, TargetFacts } from "../facts/types.js";
import { subjectOf } from "./common.js";
import { classifyFederation, type FederationVerdict, type Presented } from "./federation.js";

export interface FederationContext {
  identity: IdentityFact;
  presented: Presented;
  fics: Fetched<FederatedCredentialFact[]>;
  verdict?: FederationVerdict;
}

export function federationContext(facts: TargetFacts): FederationContext | undefined {
  const identity = facts.identity.identity;
  const fics = facts.federatedCredentials;
  if (!identity || !fics) return undefined;
  const cluster = facts.cluster;
  if (!cluster || !cluster.ok || !cluster.value.issuerUrl) return undefined;
  const presented: Presented = { issuer: cluster.value.issuerUrl, subject: subjectOf(facts.target), audience: facts.expectedAudience };
  return { identity, presented, fics, ...(fics.ok ? { verdict: classifyFederation(fics.value, presented) } : {}) };
}
