/**
 * Builders for tenants written out by hand as TenantState (the control- and data-plane service tests
 * build theirs without a scenario): ARM-shaped ids and the defaults every resource of a kind shares.
 * Each builder takes where its resource lives and what a test overrides.
 */
import { createHash } from "node:crypto";
import type {
  ClusterState,
  KeyVaultState,
  NetworkState,
  RoleAssignmentState,
  RoleDefinitionState,
  SigningKey,
  StorageAccountState,
} from "../state.js";

/** A GUID derived from names, so a fixture's ids are the same in every run. */
export function guid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\0")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The resource group a fixture's resources live in. */
export interface FixtureScope {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
}

/** What every tracked ARM resource in TenantState starts with. */
export function armResource(
  scope: FixtureScope,
  type: string,
  name: string,
): { id: string; name: string; subscriptionId: string; resourceGroup: string; location: string } {
  return {
    id: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/${type}/${name}`,
    name,
    subscriptionId: scope.subscriptionId,
    resourceGroup: scope.resourceGroup,
    location: scope.location,
  };
}

/** Public network access with no firewall rules: Azure's default for a new account or vault. */
export function openNetwork(over: Partial<NetworkState> = {}): NetworkState {
  return {
    publicNetworkAccess: "Enabled",
    defaultAction: "Allow",
    virtualNetworkRules: [],
    ipRules: [],
    bypassAzureServices: true,
    privateEndpoint: false,
    ...over,
  };
}

/** An RBAC-mode vault with soft delete, no secrets, open network. */
export function keyVaultFixture(scope: FixtureScope, name: string, over: Partial<KeyVaultState> = {}): KeyVaultState {
  return {
    ...armResource(scope, "Microsoft.KeyVault/vaults", name),
    enableRbacAuthorization: true,
    softDelete: true,
    accessPolicies: [],
    secrets: [],
    network: openNetwork(),
    ...over,
  };
}

export function storageAccountFixture(scope: FixtureScope, name: string, over: Partial<StorageAccountState> = {}): StorageAccountState {
  return { ...armResource(scope, "Microsoft.Storage/storageAccounts", name), containers: [], network: openNetwork(), ...over };
}

/** How a cluster is wired into its test's tenant: its OIDC issuer, service-account key and subnet. */
export interface ClusterWiring {
  issuerUrl: string;
  signingKey: SigningKey;
  subnetId: string;
}

/** An AKS cluster with the OIDC issuer and Workload Identity enabled, egressing from one public IP. */
export function clusterFixture(scope: FixtureScope, name: string, wiring: ClusterWiring, over: Partial<ClusterState> = {}): ClusterState {
  return {
    ...armResource(scope, "Microsoft.ContainerService/managedClusters", name),
    issuerUrl: wiring.issuerUrl,
    oidcIssuerEnabled: true,
    workloadIdentityEnabled: true,
    signingKey: wiring.signingKey,
    subnetId: wiring.subnetId,
    egressIp: "20.50.60.70",
    objects: [],
    ...over,
  };
}

export type Permission = RoleDefinitionState["permissions"][number];

export function permission(p: Partial<Permission>): Permission {
  return { actions: [], notActions: [], dataActions: [], notDataActions: [], ...p };
}

export function roleDefinition(
  name: string,
  roleName: string,
  permissions: Permission[],
  type: RoleDefinitionState["type"] = "BuiltInRole",
  assignableScopes = ["/"],
): RoleDefinitionState {
  return {
    id: `/providers/Microsoft.Authorization/roleDefinitions/${name}`,
    name,
    roleName,
    description: roleName,
    type,
    permissions,
    assignableScopes,
  };
}

/** A service principal's assignment of role definition `roleGuid` (defined in `subscriptionId`) at `scope`. */
export function roleAssignment(
  subscriptionId: string,
  principalId: string,
  roleGuid: string,
  scope: string,
  extra: Partial<RoleAssignmentState> = {},
): RoleAssignmentState {
  const name = extra.name ?? guid("ra", principalId, roleGuid, scope);
  return {
    id: `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope,
    roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
    principalId,
    principalType: "ServicePrincipal",
    createdOn: "2026-01-01T00:00:00.000Z",
    ...extra,
  };
}
