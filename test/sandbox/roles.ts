/**
 * Azure built-in role definitions the sandbox knows, with their REAL GUIDs, actions, notActions,
 * dataActions and notDataActions (Azure built-in roles documentation: general, storage, security).
 * Scenarios name them (`Storage Blob Data Reader`) or give their GUID.
 */
import type { RoleDefinitionState } from "./state.js";

type Permissions = RoleDefinitionState["permissions"][number];

interface BuiltIn {
  guid: string;
  roleName: string;
  description: string;
  permissions: Partial<Permissions>;
}

const KV_CONTROL_READ = [
  "Microsoft.Authorization/*/read",
  "Microsoft.Insights/alertRules/*",
  "Microsoft.Resources/deployments/*",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.Support/*",
  "Microsoft.KeyVault/checkNameAvailability/read",
  "Microsoft.KeyVault/deletedVaults/read",
  "Microsoft.KeyVault/locations/*/read",
  "Microsoft.KeyVault/vaults/*/read",
  "Microsoft.KeyVault/operations/read",
];
const KV_ONLY_RBAC = "Only works for key vaults that use the 'Azure role-based access control' permission model.";
const BLOB = "Microsoft.Storage/storageAccounts/blobServices";
const QUEUE = "Microsoft.Storage/storageAccounts/queueServices";

const BUILT_INS: BuiltIn[] = [
  {
    guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    roleName: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    permissions: { actions: ["*"] },
  },
  {
    guid: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    description:
      "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    permissions: {
      actions: ["*"],
      notActions: [
        "Microsoft.Authorization/*/Delete",
        "Microsoft.Authorization/*/Write",
        "Microsoft.Authorization/elevateAccess/Action",
        "Microsoft.Blueprint/blueprintAssignments/write",
        "Microsoft.Blueprint/blueprintAssignments/delete",
        "Microsoft.Compute/galleries/share/action",
        "Microsoft.Purview/consents/write",
        "Microsoft.Purview/consents/delete",
        "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
        "Microsoft.Subscription/cancel/action",
        "Microsoft.Subscription/enable/action",
      ],
    },
  },
  {
    guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    roleName: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    permissions: { actions: ["*/read"] },
  },
  {
    guid: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    roleName: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    permissions: { actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] },
  },
  {
    guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    roleName: "Storage Blob Data Reader",
    description: "Allows for read access to Azure Storage blob containers and data",
    permissions: {
      actions: [`${BLOB}/containers/read`, `${BLOB}/generateUserDelegationKey/action`],
      dataActions: [`${BLOB}/containers/blobs/read`],
    },
  },
  {
    guid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    roleName: "Storage Blob Data Contributor",
    description: "Allows for read, write and delete access to Azure Storage blob containers and data",
    permissions: {
      actions: [
        `${BLOB}/containers/delete`,
        `${BLOB}/containers/read`,
        `${BLOB}/containers/write`,
        `${BLOB}/generateUserDelegationKey/action`,
      ],
      dataActions: [
        `${BLOB}/containers/blobs/delete`,
        `${BLOB}/containers/blobs/read`,
        `${BLOB}/containers/blobs/move/action`,
        `${BLOB}/containers/blobs/write`,
        `${BLOB}/containers/blobs/add/action`,
      ],
    },
  },
  {
    guid: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    roleName: "Storage Blob Data Owner",
    description: "Allows for full access to Azure Storage blob containers and data, including assigning POSIX access control.",
    permissions: {
      actions: [`${BLOB}/containers/*`, `${BLOB}/generateUserDelegationKey/action`],
      dataActions: [`${BLOB}/containers/blobs/*`],
    },
  },
  {
    guid: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    roleName: "Storage Queue Data Contributor",
    description: "Allows for read, write, and delete access to Azure Storage queues and queue messages",
    permissions: {
      actions: [`${QUEUE}/queues/delete`, `${QUEUE}/queues/read`, `${QUEUE}/queues/write`],
      dataActions: [
        `${QUEUE}/queues/messages/delete`,
        `${QUEUE}/queues/messages/read`,
        `${QUEUE}/queues/messages/write`,
        `${QUEUE}/queues/messages/process/action`,
      ],
    },
  },
  {
    guid: "4633458b-17de-408a-b874-0445c86b69e6",
    roleName: "Key Vault Secrets User",
    description: `Read secret contents. ${KV_ONLY_RBAC}`,
    permissions: {
      dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
    },
  },
  {
    guid: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    roleName: "Key Vault Secrets Officer",
    description: `Perform any action on the secrets of a key vault, except manage permissions. ${KV_ONLY_RBAC}`,
    permissions: { actions: KV_CONTROL_READ, dataActions: ["Microsoft.KeyVault/vaults/secrets/*"] },
  },
  {
    guid: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    roleName: "Key Vault Administrator",
    description: `Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets. Cannot manage key vault resources or manage role assignments. ${KV_ONLY_RBAC}`,
    permissions: { actions: KV_CONTROL_READ, dataActions: ["Microsoft.KeyVault/vaults/*"] },
  },
  {
    guid: "21090545-7ca7-4776-b22c-e363652d74d2",
    roleName: "Key Vault Reader",
    description: `Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material. ${KV_ONLY_RBAC}`,
    permissions: {
      actions: KV_CONTROL_READ,
      dataActions: ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
    },
  },
];

export function builtInRoleDefinitions(): RoleDefinitionState[] {
  return BUILT_INS.map((r) => ({
    id: `/providers/Microsoft.Authorization/roleDefinitions/${r.guid}`,
    name: r.guid,
    roleName: r.roleName,
    description: r.description,
    type: "BuiltInRole",
    permissions: [
      {
        actions: [...(r.permissions.actions ?? [])],
        notActions: [...(r.permissions.notActions ?? [])],
        dataActions: [...(r.permissions.dataActions ?? [])],
        notDataActions: [...(r.permissions.notDataActions ?? [])],
      },
    ],
    assignableScopes: ["/"],
  }));
}

/** A built-in role's GUID by its name (case-insensitive) or GUID; undefined when unknown. */
export function builtInRoleGuid(nameOrGuid: string): string | undefined {
  const wanted = nameOrGuid.trim().toLowerCase();
  return BUILT_INS.find((r) => r.guid === wanted || r.roleName.toLowerCase() === wanted)?.guid;
}
