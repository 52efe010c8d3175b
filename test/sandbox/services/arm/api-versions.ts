/**
 * api-versions the emulator accepts per resource type: what the installed SDKs send (read from
 * node_modules/@azure/arm-*), what az 2.45 sends (/work/shared/stack.md), and the documented GA
 * versions in between. Anything else gets ARM's 400, so a client pinned to a version the sandbox
 * has never heard of fails loudly instead of silently receiving today's shape.
 */

/** Microsoft.Resources: subscriptions, resource groups, generic resource lists. */
export const RESOURCES_API_VERSIONS = [
  "2014-04-01",
  "2015-01-01",
  "2015-11-01",
  "2016-02-01",
  "2016-06-01",
  "2016-09-01",
  "2017-05-10",
  "2018-02-01",
  "2018-05-01",
  "2019-05-01",
  "2019-06-01",
  "2019-07-01",
  "2019-08-01",
  "2019-10-01",
  "2019-11-01",
  "2020-01-01",
  "2020-06-01",
  "2020-10-01",
  "2021-01-01",
  "2021-04-01",
  "2022-01-01",
  "2022-09-01",
  "2022-12-01",
  "2023-07-01",
  "2024-03-01",
  "2024-07-01",
  "2024-11-01",
  "2025-01-01",
  "2025-03-01",
  "2025-04-01",
] as const;

/**
 * Microsoft.ContainerService/managedClusters: from 2022-09-01 (oidcIssuerProfile is GA there) to the
 * 2026-06-01 that @azure/arm-containerservice 25.5 sends. Older versions are refused rather than
 * answered with fields they never had.
 */
export const AKS_API_VERSIONS = [
  "2022-09-01",
  "2022-11-01",
  "2023-01-01",
  "2023-02-01",
  "2023-03-01",
  "2023-04-01",
  "2023-05-01",
  "2023-06-01",
  "2023-07-01",
  "2023-08-01",
  "2023-09-01",
  "2023-10-01",
  "2023-11-01",
  "2024-01-01",
  "2024-02-01",
  "2024-05-01",
  "2024-06-01",
  "2024-07-01",
  "2024-08-01",
  "2024-09-01",
  "2024-10-01",
  "2025-01-01",
  "2025-02-01",
  "2025-03-01",
  "2025-04-01",
  "2025-05-01",
  "2025-06-01",
  "2025-07-01",
  "2025-08-01",
  "2025-09-01",
  "2025-10-01",
  "2026-01-01",
  "2026-02-01",
  "2026-03-01",
  "2026-04-01",
  "2026-05-01",
  "2026-06-01",
] as const;

/** Microsoft.ManagedIdentity/userAssignedIdentities (@azure/arm-msi 2.2 sends 2024-11-30; az 2.45 2022-01-31-preview). */
export const MSI_API_VERSIONS = [
  "2018-11-30",
  "2021-09-30-preview",
  "2022-01-31-preview",
  "2023-01-31",
  "2023-07-31-preview",
  "2024-11-30",
  "2025-01-31-preview",
] as const;

/** federatedIdentityCredentials appeared in 2022-01-31-preview. */
export const FIC_API_VERSIONS = ["2022-01-31-preview", "2023-01-31", "2023-07-31-preview", "2024-11-30", "2025-01-31-preview"] as const;

/** Microsoft.Authorization (role assignments/definitions, deny assignments, permissions); @azure/arm-authorization 9 sends 2022-04-01. */
export const AUTHORIZATION_API_VERSIONS = [
  "2015-06-01",
  "2015-07-01",
  "2017-05-01",
  "2018-01-01-preview",
  "2018-07-01-preview",
  "2018-09-01-preview",
  "2020-03-01-preview",
  "2020-04-01-preview",
  "2020-08-01-preview",
  "2020-10-01-preview",
  "2021-04-01-preview",
  "2022-01-01-preview",
  "2022-04-01",
  "2022-05-01-preview",
] as const;

/** Microsoft.Storage (@azure/arm-storage 21 sends 2026-09-01). */
export const STORAGE_API_VERSIONS = [
  "2021-04-01",
  "2021-06-01",
  "2021-08-01",
  "2021-09-01",
  "2022-05-01",
  "2022-09-01",
  "2023-01-01",
  "2023-04-01",
  "2023-05-01",
  "2024-01-01",
  "2025-01-01",
  "2025-06-01",
  "2025-08-01",
  "2026-04-01",
  "2026-06-01",
  "2026-09-01",
] as const;

/** Microsoft.KeyVault/vaults (@azure/arm-keyvault 5 sends 2026-02-01). */
export const KEYVAULT_API_VERSIONS = [
  "2019-09-01",
  "2021-04-01-preview",
  "2021-06-01-preview",
  "2021-10-01",
  "2021-11-01-preview",
  "2022-02-01-preview",
  "2022-07-01",
  "2022-11-01",
  "2023-02-01",
  "2023-07-01",
  "2024-04-01-preview",
  "2024-11-01",
  "2024-12-01-preview",
  "2025-05-01",
  "2026-02-01",
] as const;

/** Microsoft.ResourceGraph/resources (@azure/arm-resourcegraph 5 sends 2024-04-01). */
export const RESOURCE_GRAPH_API_VERSIONS = [
  "2019-04-01",
  "2020-04-01-preview",
  "2021-03-01",
  "2021-06-01-preview",
  "2022-10-01",
  "2024-04-01",
] as const;
