/**
 * Microsoft.Storage/storageAccounts (network rule set, public network access, private endpoints) and
 * their blob containers (`…/blobServices/default/containers`).
 */
import type { SandboxResponse } from "../../contract.js";
import type { NetworkState, StorageAccountState } from "../../state.js";
import { STORAGE_API_VERSIONS } from "./api-versions.js";
import { ArmError, authorize, json, paged, type ArmCall } from "./common.js";
import { defineKind, type ResourceTarget } from "./kind.js";

const CONTAINER_TYPE = "Microsoft.Storage/storageAccounts/blobServices/containers";

/** A private endpoint connection as the RP lists it once the connection is approved. */
export function privateEndpointConnections(
  resourceId: string,
  name: string,
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  network: NetworkState,
): unknown[] {
  if (!network.privateEndpoint) return [];
  const peName = `${name}-pe`;
  return [
    {
      id: `${resourceId}/privateEndpointConnections/${peName}.conn`,
      name: `${peName}.conn`,
      type: `${type}/privateEndpointConnections`,
      properties: {
        provisioningState: "Succeeded",
        privateEndpoint: {
          id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/privateEndpoints/${peName}`,
        },
        privateLinkServiceConnectionState: { status: "Approved", description: "Auto-Approved", actionRequired: "None" },
      },
    },
  ];
}

function accountJson(call: ArmCall, a: StorageAccountState): Record<string, unknown> {
  const n = a.network;
  return {
    id: a.id,
    name: a.name,
    type: "Microsoft.Storage/storageAccounts",
    location: a.location,
    tags: {},
    kind: "StorageV2",
    sku: { name: "Standard_LRS", tier: "Standard" },
    properties: {
      provisioningState: "Succeeded",
      creationTime: call.ctx.state.startedAt.toISOString(),
      primaryLocation: a.location,
      statusOfPrimary: "available",
      accessTier: "Hot",
      primaryEndpoints: {
        blob: `${call.ctx.urls.blob}/${a.name}/`,
        queue: `${call.ctx.urls.queue}/${a.name}/`,
      },
      publicNetworkAccess: n.publicNetworkAccess,
      networkAcls: {
        bypass: n.bypassAzureServices ? "AzureServices" : "None",
        defaultAction: n.defaultAction,
        virtualNetworkRules: n.virtualNetworkRules.map((id) => ({ id, action: "Allow", state: "Succeeded" })),
        ipRules: n.ipRules.map((value) => ({ value, action: "Allow" })),
        resourceAccessRules: [],
      },
      privateEndpointConnections: privateEndpointConnections(
        a.id,
        a.name,
        a.subscriptionId,
        a.resourceGroup,
        "Microsoft.Storage/storageAccounts",
        n,
      ),
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: true,
      minimumTlsVersion: "TLS1_2",
      supportsHttpsTrafficOnly: true,
      isHnsEnabled: false,
      encryption: { keySource: "Microsoft.Storage", services: { blob: { enabled: true, keyType: "Account" } } },
    },
  };
}

export function containerJson(call: ArmCall, a: StorageAccountState, name: string): Record<string, unknown> {
  return {
    id: `${a.id}/blobServices/default/containers/${name}`,
    name,
    type: CONTAINER_TYPE,
    etag: `"0x8DC${Buffer.from(name).toString("hex").slice(0, 12).toUpperCase()}"`,
    properties: {
      publicAccess: "None",
      leaseStatus: "Unlocked",
      leaseState: "Available",
      lastModifiedTime: call.ctx.state.startedAt.toISOString(),
      hasImmutabilityPolicy: false,
      hasLegalHold: false,
      deleted: false,
      remainingRetentionDays: 0,
      defaultEncryptionScope: "$account-encryption-key",
      denyEncryptionScopeOverride: false,
    },
  };
}

function storageChild(call: ArmCall, target: ResourceTarget<StorageAccountState>, rest: string[]): SandboxResponse {
  const lower = rest.map((s) => s.toLowerCase());
  if (call.req.method !== "GET" || lower[0] !== "blobservices" || lower[1] !== "default") {
    throw new ArmError(
      404,
      "NotFound",
      `The sandbox does not emulate '${call.req.method} …/storageAccounts/${target.name}/${rest.join("/")}'.`,
    );
  }
  const blobServiceId = `${target.requestId}/blobServices/default`;
  if (rest.length === 2) {
    authorize(call, "Microsoft.Storage/storageAccounts/blobServices/read", blobServiceId);
    const a = target.resolve();
    return json(200, {
      id: `${a.id}/blobServices/default`,
      name: "default",
      type: "Microsoft.Storage/storageAccounts/blobServices",
      sku: { name: "Standard_LRS", tier: "Standard" },
      properties: { cors: { corsRules: [] }, deleteRetentionPolicy: { enabled: false } },
    });
  }
  if (lower[2] !== "containers" || rest.length > 4) {
    throw new ArmError(404, "NotFound", `The sandbox does not emulate '…/blobServices/default/${rest.slice(2).join("/")}'.`);
  }
  const containerName = rest[3];
  if (containerName === undefined) {
    authorize(call, `${CONTAINER_TYPE}/read`, blobServiceId);
    const a = target.resolve();
    return paged(
      call,
      a.containers.map((c) => containerJson(call, a, c)),
    );
  }
  authorize(call, `${CONTAINER_TYPE}/read`, `${blobServiceId}/containers/${containerName}`);
  const a = target.resolve();
  // Container names are lowercase in Azure; the RP matches them exactly.
  if (!a.containers.includes(containerName)) {
    throw new ArmError(404, "ContainerNotFound", "The specified container does not exist.");
  }
  return json(200, containerJson(call, a, containerName));
}

export const storageAccounts = defineKind<StorageAccountState>({
  namespace: "Microsoft.Storage",
  type: "storageAccounts",
  apiVersions: STORAGE_API_VERSIONS,
  all: (state) => state.storageAccounts,
  toJson: accountJson,
  child: storageChild,
});
