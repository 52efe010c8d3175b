/**
 * The FactContext memo keys of every fact, in one place: the collectors fetch under these keys and a
 * seed (facts/seed.ts) pre-fills the same keys, so a seeded fact is exactly the one a collector would
 * have fetched — never a near-duplicate under a different spelling.
 */
import { lastSegment } from "../arm-id.js";

export const factKeys = {
  cluster: (clusterArmId: string) => `aks/${clusterArmId}`,
  identities: (subscriptionId: string) => `uami/${subscriptionId}`,
  identityLookup: (clientId: string) => `identity/${clientId}`,
  federatedCredentials: (identityId: string) => `fic/${identityId}`,
  assignments: (subscriptionId: string, principalId: string) => `ra/${subscriptionId}/${principalId}`,
  allAssignments: (subscriptionId: string) => `ra-all/${subscriptionId}`,
  sharedAssignments: (subscriptionId: string) => `ra-shared/${subscriptionId}`,
  denies: (subscriptionId: string) => `deny/${subscriptionId}`,
  roleDefinition: (roleDefinitionId: string) => `roledef/${lastSegment(roleDefinitionId)}`,
};
