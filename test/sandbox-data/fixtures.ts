/**
 * A small tenant for the data-plane tests, written out as TenantState (ids shaped like ARM's).
 * Role definitions carry the real built-in GUIDs and data actions of the roles used here.
 */
import { freshSigningKey } from "../sandbox/jwt.js";
import type {
  ClusterState,
  KeyVaultState,
  RoleAssignmentState,
  RoleDefinitionState,
  StorageAccountState,
  TenantState,
} from "../sandbox/state.js";
import {
  clusterFixture,
  guid,
  keyVaultFixture,
  permission,
  roleAssignment,
  roleDefinition,
  storageAccountFixture,
  type FixtureScope,
} from "../sandbox/testing/fixtures.js";

export { guid, openNetwork } from "../sandbox/testing/fixtures.js";

export const TENANT = guid("tenant");
export const SUB = guid("sub");
export const RG = `/subscriptions/${SUB}/resourceGroups/app-rg`;
export const SUBNET = `/subscriptions/${SUB}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aks`;
const APP_RG: FixtureScope = { subscriptionId: SUB, resourceGroup: "app-rg", location: "westeurope" };

export const ROLES = {
  secretsUser: {
    guid: "4633458b-17de-408a-b874-0445c86b69e6",
    name: "Key Vault Secrets User",
    actions: [],
    dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
  },
  secretsOfficer: {
    guid: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    name: "Key Vault Secrets Officer",
    actions: ["Microsoft.KeyVault/vaults/*/read"],
    dataActions: ["Microsoft.KeyVault/vaults/secrets/*"],
  },
  blobReader: {
    guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    name: "Storage Blob Data Reader",
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
  },
  blobContributor: {
    guid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    name: "Storage Blob Data Contributor",
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/write",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    dataActions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
    ],
  },
} as const;
export type RoleKey = keyof typeof ROLES;

function roleDefinitions(): RoleDefinitionState[] {
  return Object.values(ROLES).map((r) =>
    roleDefinition(r.guid, r.name, [permission({ actions: [...r.actions], dataActions: [...r.dataActions] })]),
  );
}

/** Principals (object ids) used by the tests. */
export const P = { reader: guid("p", "reader"), writer: guid("p", "writer"), nobody: guid("p", "nobody"), policyUser: guid("p", "policy") };

export function vault(name: string, over: Partial<KeyVaultState> = {}): KeyVaultState {
  return keyVaultFixture(APP_RG, name, over);
}

export function storageAccount(name: string, over: Partial<StorageAccountState> = {}): StorageAccountState {
  return storageAccountFixture(APP_RG, name, over);
}

/** An assignment of one of ROLES, named after the role's key (the ids these tests have always used). */
export function assign(principalId: string, role: RoleKey, scope: string): RoleAssignmentState {
  return roleAssignment(SUB, principalId, ROLES[role].guid, scope, {
    name: guid("ra", principalId, role, scope),
    createdOn: "2026-01-01T00:00:00Z",
  });
}

export function baseState(over: Partial<TenantState> = {}): TenantState {
  return {
    tenantId: TENANT,
    tenantName: "contoso",
    startedAt: new Date(),
    subscriptions: [{ subscriptionId: SUB, name: "prod" }],
    resourceGroups: [{ id: RG, subscriptionId: SUB, name: "app-rg", location: "westeurope" }],
    clusters: [],
    identities: [],
    storageAccounts: [],
    keyVaults: [],
    roleDefinitions: roleDefinitions(),
    roleAssignments: [],
    denyAssignments: [],
    applications: [],
    github: undefined,
    entraSigningKey: freshSigningKey("entra-test"),
    latencyMs: 0,
    faults: [],
    ...over,
  };
}

export function cluster(name: string, over: Partial<ClusterState> = {}): ClusterState {
  return clusterFixture(
    APP_RG,
    name,
    { issuerUrl: `https://127.0.0.1:9/clusters/${guid("issuer", name)}/`, signingKey: freshSigningKey(`sa-${name}`), subnetId: SUBNET },
    over,
  );
}
