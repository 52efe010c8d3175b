/**
 * A tenant for the control-plane tests, written out as TenantState with ARM-shaped ids. Role
 * definitions carry the real built-in GUIDs and permissions (Azure built-in roles documentation).
 */
import { cachedSigningKey } from "../sandbox/jwt.js";
import type {
  ApplicationState,
  ClusterState,
  IdentityState,
  RoleAssignmentState,
  RoleDefinitionState,
  TenantState,
} from "../sandbox/state.js";
import {
  armResource,
  clusterFixture,
  guid,
  keyVaultFixture,
  openNetwork,
  permission,
  roleAssignment,
  roleDefinition,
  storageAccountFixture,
  type FixtureScope,
} from "../sandbox/testing/fixtures.js";

export { guid } from "../sandbox/testing/fixtures.js";

export const TENANT = guid("tenant");
export const SUB = guid("sub", "prod");
export const SUB2 = guid("sub", "dev");
export const RG = `/subscriptions/${SUB}/resourceGroups/app-rg`;
export const OTHER_RG = `/subscriptions/${SUB}/resourceGroups/other-rg`;
export const SUBNET = `/subscriptions/${SUB}/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aks`;
export const ISSUER = `https://127.0.0.1:7443/clusters/${guid("issuer")}/`;
const APP_RG: FixtureScope = { subscriptionId: SUB, resourceGroup: "app-rg", location: "westeurope" };

const STORAGE_ACCOUNT = `${RG}/providers/Microsoft.Storage/storageAccounts/appstore`;
export const SCOPES = {
  sub: `/subscriptions/${SUB}`,
  rg: RG,
  account: STORAGE_ACCOUNT,
  uploads: `${STORAGE_ACCOUNT}/blobServices/default/containers/uploads`,
  media: `${STORAGE_ACCOUNT}/blobServices/default/containers/media`,
  vault: `${RG}/providers/Microsoft.KeyVault/vaults/app-kv`,
  cluster: `${RG}/providers/Microsoft.ContainerService/managedClusters/aks-prod`,
  backendIdentity: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/backend-id`,
};

export const ROLE = {
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  userAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  blobReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  blobContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  blobOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  secretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  custom: guid("role", "blob-no-delete"),
} as const;

export function roleDefinitions(): RoleDefinitionState[] {
  return [
    roleDefinition(ROLE.owner, "Owner", [permission({ actions: ["*"] })]),
    roleDefinition(ROLE.contributor, "Contributor", [
      permission({
        actions: ["*"],
        notActions: [
          "Microsoft.Authorization/*/Delete",
          "Microsoft.Authorization/*/Write",
          "Microsoft.Authorization/elevateAccess/Action",
          "Microsoft.Blueprint/blueprintAssignments/write",
          "Microsoft.Blueprint/blueprintAssignments/delete",
        ],
      }),
    ]),
    roleDefinition(ROLE.reader, "Reader", [permission({ actions: ["*/read"] })]),
    roleDefinition(ROLE.userAccessAdministrator, "User Access Administrator", [
      permission({ actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] }),
    ]),
    roleDefinition(ROLE.blobReader, "Storage Blob Data Reader", [
      permission({
        actions: [
          "Microsoft.Storage/storageAccounts/blobServices/containers/read",
          "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
        dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
      }),
    ]),
    roleDefinition(ROLE.blobContributor, "Storage Blob Data Contributor", [
      permission({
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
      }),
    ]),
    roleDefinition(ROLE.blobOwner, "Storage Blob Data Owner", [
      permission({
        actions: [
          "Microsoft.Storage/storageAccounts/blobServices/containers/*",
          "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
        dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
      }),
    ]),
    roleDefinition(ROLE.secretsUser, "Key Vault Secrets User", [
      permission({
        dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
      }),
    ]),
    roleDefinition(
      ROLE.custom,
      "Blob Writer Without Delete",
      [
        permission({
          dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
          notDataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete"],
        }),
      ],
      "CustomRole",
      [`/subscriptions/${SUB}`],
    ),
  ];
}

/** Principals (object ids). */
export const P = {
  gate: guid("sp", "gate"),
  rgReader: guid("sp", "rg-reader"),
  nobody: guid("sp", "nobody"),
  backend: guid("mi", "backend-id", "principal"),
  worker: guid("mi", "worker-id", "principal"),
  legacySp: guid("sp", "legacy-app"),
  otherSp: guid("sp", "other-app"),
};

export function assignment(
  principalId: string,
  role: string,
  scope: string,
  extra: Partial<RoleAssignmentState> = {},
): RoleAssignmentState {
  return roleAssignment(SUB, principalId, role, scope, extra);
}

function identity(name: string, over: Partial<IdentityState> = {}): IdentityState {
  return {
    ...armResource(APP_RG, "Microsoft.ManagedIdentity/userAssignedIdentities", name),
    clientId: guid("mi", name, "client"),
    principalId: guid("mi", name, "principal"),
    tenantId: TENANT,
    federatedCredentials: [],
    assignedToNodes: false,
    ...over,
  };
}

// RSA key generation is slow: every tenant() built in one test process shares its keys (cachedSigningKey).
function cluster(name: string, over: Partial<ClusterState> = {}): ClusterState {
  return clusterFixture(APP_RG, name, { issuerUrl: ISSUER, signingKey: cachedSigningKey(`${name}-sa`), subnetId: SUBNET }, over);
}

function application(name: string, spId: string, over: Partial<ApplicationState> = {}): ApplicationState {
  return {
    id: guid("app", name, "object"),
    appId: guid("app", name, "client"),
    displayName: name,
    passwordCredentials: [],
    federatedIdentityCredentials: [],
    owners: [],
    servicePrincipalId: spId,
    graphPermissions: [],
    tags: [],
    ...over,
  };
}

export function tenant(): TenantState {
  const backend = identity("backend-id", {
    federatedCredentials: [
      {
        id: `${SCOPES.backendIdentity}/federatedIdentityCredentials/aks-backend`,
        name: "aks-backend",
        issuer: ISSUER,
        subject: "system:serviceaccount:app:backend",
        audiences: ["api://AzureADTokenExchange"],
      },
    ],
  });
  return {
    tenantId: TENANT,
    tenantName: "contoso",
    startedAt: new Date("2026-11-22T12:00:00Z"),
    subscriptions: [
      { subscriptionId: SUB, name: "prod" },
      { subscriptionId: SUB2, name: "dev" },
    ],
    resourceGroups: ["app-rg", "net-rg", "other-rg"].map((name) => ({
      id: `/subscriptions/${SUB}/resourceGroups/${name}`,
      subscriptionId: SUB,
      name,
      location: "westeurope",
    })),
    clusters: [
      cluster("aks-prod"),
      cluster("aks-legacy", { issuerUrl: undefined, oidcIssuerEnabled: false, workloadIdentityEnabled: false, subnetId: undefined }),
    ],
    identities: [
      backend,
      identity("worker-id"),
      identity("jobs-id"),
      identity("cron-id"),
      identity("other-id", {
        id: `${OTHER_RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other-id`,
        resourceGroup: "other-rg",
      }),
    ],
    storageAccounts: [
      storageAccountFixture(APP_RG, "appstore", {
        containers: ["uploads", "media"],
        network: openNetwork({ defaultAction: "Deny", virtualNetworkRules: [SUBNET], ipRules: ["20.50.60.70"], privateEndpoint: true }),
      }),
    ],
    keyVaults: [
      keyVaultFixture(APP_RG, "app-kv"),
      keyVaultFixture(APP_RG, "legacy-kv", {
        enableRbacAuthorization: false,
        accessPolicies: [{ objectId: P.worker, tenantId: TENANT, permissions: { secrets: ["get", "list"], keys: [], certificates: [] } }],
        network: openNetwork({ publicNetworkAccess: "Disabled" }),
      }),
    ],
    roleDefinitions: roleDefinitions(),
    roleAssignments: [
      assignment(P.gate, ROLE.reader, SCOPES.sub),
      assignment(P.rgReader, ROLE.reader, RG),
      assignment(P.backend, ROLE.blobReader, SCOPES.uploads),
      assignment(P.backend, ROLE.secretsUser, SCOPES.vault, { createdOn: "2026-11-22T11:55:00.000Z" }),
      assignment(P.worker, ROLE.blobContributor, SCOPES.account, {
        condition:
          "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'media'))",
        conditionVersion: "2.0",
      }),
      assignment(P.worker, ROLE.reader, OTHER_RG),
    ],
    denyAssignments: [
      {
        id: `${SCOPES.account}/providers/Microsoft.Authorization/denyAssignments/${guid("deny", "no-delete")}`,
        name: guid("deny", "no-delete"),
        denyAssignmentName: "no-blob-delete",
        scope: SCOPES.account,
        principals: ["00000000-0000-0000-0000-000000000000"],
        excludePrincipals: [P.gate],
        permissions: [
          {
            actions: [],
            notActions: [],
            dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete"],
            notDataActions: [],
          },
        ],
      },
    ],
    applications: [
      application("gate", P.gate, { graphPermissions: ["Application.ReadWrite.OwnedBy"] }),
      application("legacy-app", P.legacySp, {
        owners: [P.gate],
        passwordCredentials: [
          {
            keyId: guid("key", "legacy", "1"),
            displayName: "old secret",
            hint: "abc",
            startDateTime: "2026-01-01T00:00:00.000Z",
            endDateTime: "2026-12-10T00:00:00.000Z",
            secretText: "abc8Q~legacy-secret-value-never-shown-000",
          },
        ],
        federatedIdentityCredentials: [
          {
            id: guid("fic", "legacy", "gh"),
            name: "github-main",
            issuer: "https://token.actions.githubusercontent.com",
            subject: "repo:contoso/app:ref:refs/heads/main",
            audiences: ["api://AzureADTokenExchange"],
          },
        ],
      }),
      application("other-app", P.otherSp),
    ],
    github: undefined,
    entraSigningKey: cachedSigningKey("entra"),
    latencyMs: 0,
    faults: [],
  };
}
