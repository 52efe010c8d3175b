/**
 * Small fact fixtures for the pure AG2xx rule tests: `goodFacts()` is a target whose control plane is
 * entirely right (no finding); each test breaks one thing.
 */
import type { PermissionBlock, RoleAssignmentFact, RoleDefinitionFact, TargetFacts } from "../../shared/azure/facts/types.js";

export const SUB = "11111111-1111-1111-1111-111111111111";
export const TENANT = "99999999-9999-9999-9999-999999999999";
export const CLIENT_ID = "aaaaaaaa-0000-0000-0000-000000000001";
export const PRINCIPAL_ID = "bbbbbbbb-0000-0000-0000-000000000002";
export const ISSUER = "https://oidc.prod-aks.azure.com/99999999-9999-9999-9999-999999999999/cccccccc-0000-0000-0000-000000000003/";
export const RG_ID = `/subscriptions/${SUB}/resourceGroups/rg-app`;
export const IDENTITY_ID = `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/backend-id`;
export const ACCOUNT_ID = `${RG_ID}/providers/Microsoft.Storage/storageAccounts/stmedia`;
export const CONTAINER_ID = `${ACCOUNT_ID}/blobServices/default/containers/media`;
export const VAULT_ID = `${RG_ID}/providers/Microsoft.KeyVault/vaults/kv-app`;
export const SUBNET_ID = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-aks/subnets/aks-nodes`;
export const CLUSTER_ID = `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod`;

const block = (p: Partial<PermissionBlock>): PermissionBlock => ({
  actions: [],
  notActions: [],
  dataActions: [],
  notDataActions: [],
  ...p,
});

export const ROLES: Record<string, RoleDefinitionFact> = {
  reader: {
    id: "/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    name: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    roleName: "Storage Blob Data Reader",
    permissions: [
      block({
        actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/read"],
        dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
      }),
    ],
  },
  contributor: {
    id: "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
    name: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    permissions: [block({ actions: ["*"], notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write"] })],
  },
  secretsUser: {
    id: "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
    name: "4633458b-17de-408a-b874-0445c86b69e6",
    roleName: "Key Vault Secrets User",
    permissions: [
      block({
        dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
      }),
    ],
  },
  blobStar: {
    id: "/providers/Microsoft.Authorization/roleDefinitions/dddddddd-0000-0000-0000-000000000004",
    name: "dddddddd-0000-0000-0000-000000000004",
    roleName: "Custom Blob Everything But Read",
    permissions: [
      block({
        dataActions: ["Microsoft.Storage/*"],
        notDataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
      }),
    ],
  },
};

let n = 0;
export function assignment(role: RoleDefinitionFact, scope: string, extra: Partial<RoleAssignmentFact> = {}): RoleAssignmentFact {
  n++;
  const guid = `eeeeeeee-0000-0000-0000-${String(n).padStart(12, "0")}`;
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid}`,
    scope,
    roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role.name}`,
    principalId: PRINCIPAL_ID,
    createdOn: "2026-11-01T00:00:00.000Z",
    listedIn: SUB,
    ...extra,
  };
}

export const NOW = new Date("2026-11-22T12:00:00.000Z");

export function goodFacts(): TargetFacts {
  const assignments = [assignment(ROLES.reader!, CONTAINER_ID), assignment(ROLES.secretsUser!, VAULT_ID)];
  return {
    target: {
      namespace: "production",
      kind: "Deployment",
      name: "backend",
      serviceAccount: "backend",
      clientId: CLIENT_ID,
      blob: [{ account: "stmedia", container: "media", access: "read" }],
      keyVault: [{ vault: "kv-app", secrets: ["django-secret-key"], access: "get" }],
    },
    now: NOW,
    expectedAudience: "api://AzureADTokenExchange",
    tenantId: TENANT,
    clusterId: CLUSTER_ID,
    cluster: {
      ok: true,
      value: {
        source: "arm",
        id: CLUSTER_ID,
        name: "aks-prod",
        resourceGroup: "rg-aks",
        subscriptionId: SUB,
        issuerUrl: ISSUER,
        oidcIssuerEnabled: true,
        workloadIdentityEnabled: true,
        subnetIds: [SUBNET_ID],
      },
    },
    identity: {
      clientId: CLIENT_ID,
      identity: {
        kind: "managedIdentity",
        id: IDENTITY_ID,
        name: "backend-id",
        clientId: CLIENT_ID,
        principalId: PRINCIPAL_ID,
        subscriptionId: SUB,
        resourceGroup: "rg-app",
      },
      searchedSubscriptions: [SUB],
      unreadable: [],
    },
    federatedCredentials: {
      ok: true,
      value: [
        {
          name: "backend-fic",
          issuer: ISSUER,
          subject: "system:serviceaccount:production:backend",
          audiences: ["api://AzureADTokenExchange"],
        },
      ],
    },
    rbac: {
      principalId: PRINCIPAL_ID,
      assignments: new Map([[SUB, { ok: true, value: assignments }]]),
      definitions: new Map(Object.values(ROLES).map((r) => [r.name, { ok: true, value: r }] as const)),
      denies: new Map([[SUB, { ok: true, value: [] }]]),
    },
    blob: [
      {
        need: { account: "stmedia", container: "media", access: "read" },
        account: {
          wanted: "stmedia",
          resource: {
            id: ACCOUNT_ID,
            name: "stmedia",
            subscriptionId: SUB,
            resourceGroup: "rg-app",
            network: { defaultAction: "Allow", virtualNetworkRules: [], ipRules: [], privateEndpoints: [] },
          },
          searchedSubscriptions: [SUB],
          unreadable: [],
        },
        container: { ok: true, value: true },
      },
    ],
    keyVault: [
      {
        need: { vault: "kv-app", secrets: ["django-secret-key"], access: "get" },
        vault: {
          wanted: "kv-app",
          resource: {
            id: VAULT_ID,
            name: "kv-app",
            subscriptionId: SUB,
            resourceGroup: "rg-app",
            enableRbacAuthorization: true,
            accessPolicies: [],
            network: { defaultAction: "Allow", virtualNetworkRules: [], ipRules: [], privateEndpoints: [] },
          },
          searchedSubscriptions: [SUB],
          unreadable: [],
        },
        secrets: { ok: true, value: [{ name: "django-secret-key", enabled: true, expiresOn: "2027-06-01T00:00:00.000Z" }] },
      },
    ],
    network: { subnetIds: [SUBNET_ID], egressIps: ["20.50.60.70"] },
  };
}

/** Replaces the principal's role assignments in the fixture's subscription. */
export function withAssignments(facts: TargetFacts, list: RoleAssignmentFact[]): TargetFacts {
  facts.rbac?.assignments.set(SUB, { ok: true, value: list });
  return facts;
}
