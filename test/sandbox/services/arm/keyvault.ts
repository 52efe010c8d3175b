/**
 * Microsoft.KeyVault/vaults: the permission model (enableRbacAuthorization), access policies, network
 * rules and the vault URI (the sandbox's path-style Key Vault URL). `PUT …/accessPolicies/{add|replace|remove}`
 * changes the live state, so the Key Vault data plane honours it on the next request.
 */
import type { SandboxResponse } from "../../contract.js";
import type { AccessPolicyState, KeyVaultState } from "../../state.js";
import { ArmError, authorize, bodyObject, json, propertiesOf, type ArmCall } from "./common.js";
import { KEYVAULT_API_VERSIONS } from "./api-versions.js";
import { defineKind, type ResourceTarget } from "./kind.js";
import { privateEndpointConnections } from "./storage.js";

function policyJson(p: AccessPolicyState): Record<string, unknown> {
  return {
    tenantId: p.tenantId,
    objectId: p.objectId,
    permissions: { keys: [...p.permissions.keys], secrets: [...p.permissions.secrets], certificates: [...p.permissions.certificates] },
  };
}

/** The vault's data-plane URL; like Azure's `https://{name}.vault.azure.net/` it ends with a slash. */
export function vaultUri(call: ArmCall, v: KeyVaultState): string {
  return `${call.ctx.urls.keyVault}/${v.name}/`;
}

function vaultJson(call: ArmCall, v: KeyVaultState): Record<string, unknown> {
  const n = v.network;
  return {
    id: v.id,
    name: v.name,
    type: "Microsoft.KeyVault/vaults",
    location: v.location,
    tags: {},
    properties: {
      sku: { family: "A", name: "standard" },
      tenantId: call.ctx.state.tenantId,
      accessPolicies: v.accessPolicies.map(policyJson),
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: v.softDelete,
      softDeleteRetentionInDays: 90,
      enableRbacAuthorization: v.enableRbacAuthorization,
      vaultUri: vaultUri(call, v),
      provisioningState: "Succeeded",
      publicNetworkAccess: n.publicNetworkAccess,
      networkAcls: {
        bypass: n.bypassAzureServices ? "AzureServices" : "None",
        defaultAction: n.defaultAction,
        ipRules: n.ipRules.map((value) => ({ value })),
        virtualNetworkRules: n.virtualNetworkRules.map((id) => ({ id, ignoreMissingVnetServiceEndpoint: false })),
      },
      privateEndpointConnections: privateEndpointConnections(
        v.id,
        v.name,
        v.subscriptionId,
        v.resourceGroup,
        "Microsoft.KeyVault/vaults",
        n,
      ),
    },
  };
}

function permissionList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((x) => typeof x === "string")) {
    throw new ArmError(400, "BadRequest", `The access policy permission list '${field}' must be an array of strings.`);
  }
  return value.map((x) => x.toLowerCase());
}

function parsePolicies(call: ArmCall): AccessPolicyState[] {
  const list = propertiesOf(bodyObject(call)).accessPolicies;
  if (!Array.isArray(list)) throw new ArmError(400, "BadRequest", "The 'accessPolicies' property is required.");
  return list.map((raw: unknown) => {
    const p = (raw ?? {}) as Record<string, unknown>;
    const perms = (p.permissions ?? {}) as Record<string, unknown>;
    if (typeof p.objectId !== "string" || typeof p.tenantId !== "string") {
      throw new ArmError(400, "BadRequest", "An access policy needs 'tenantId' and 'objectId'.");
    }
    return {
      objectId: p.objectId,
      tenantId: p.tenantId,
      permissions: {
        keys: permissionList(perms.keys, "keys"),
        secrets: permissionList(perms.secrets, "secrets"),
        certificates: permissionList(perms.certificates, "certificates"),
      },
    };
  });
}

type PermissionKind = keyof AccessPolicyState["permissions"];
const KINDS: PermissionKind[] = ["keys", "secrets", "certificates"];

function applyPolicies(vault: KeyVaultState, operation: string, updates: AccessPolicyState[]): void {
  for (const u of updates) {
    const existing = vault.accessPolicies.find(
      (p) => p.objectId.toLowerCase() === u.objectId.toLowerCase() && p.tenantId.toLowerCase() === u.tenantId.toLowerCase(),
    );
    if (operation === "replace") {
      if (existing) existing.permissions = u.permissions;
      else vault.accessPolicies.push(u);
    } else if (operation === "add") {
      if (!existing) {
        vault.accessPolicies.push(u);
        continue;
      }
      for (const k of KINDS) existing.permissions[k] = [...new Set([...existing.permissions[k], ...u.permissions[k]])];
    } else if (existing) {
      for (const k of KINDS) existing.permissions[k] = existing.permissions[k].filter((x) => !u.permissions[k].includes(x));
      if (KINDS.every((k) => existing.permissions[k].length === 0)) vault.accessPolicies.splice(vault.accessPolicies.indexOf(existing), 1);
    }
  }
}

function vaultChild(call: ArmCall, target: ResourceTarget<KeyVaultState>, rest: string[]): SandboxResponse {
  const [collection, operation, ...more] = rest;
  const op = operation?.toLowerCase();
  if (collection?.toLowerCase() !== "accesspolicies" || op === undefined || more.length > 0 || call.req.method !== "PUT") {
    throw new ArmError(404, "NotFound", `The sandbox does not emulate '${call.req.method} …/vaults/${target.name}/${rest.join("/")}'.`);
  }
  if (op !== "add" && op !== "replace" && op !== "remove") {
    throw new ArmError(400, "BadRequest", `The access policy operation kind '${operation}' is invalid; use 'add', 'replace' or 'remove'.`);
  }
  authorize(call, "Microsoft.KeyVault/vaults/accessPolicies/write", target.requestId);
  const vault = target.resolve();
  applyPolicies(vault, op, parsePolicies(call));
  return json(200, {
    id: `${vault.id}/accessPolicies/${op}`,
    name: op,
    type: "Microsoft.KeyVault/vaults/accessPolicies",
    location: vault.location,
    properties: { accessPolicies: vault.accessPolicies.map(policyJson) },
  });
}

export const vaults = defineKind<KeyVaultState>({
  namespace: "Microsoft.KeyVault",
  type: "vaults",
  apiVersions: KEYVAULT_API_VERSIONS,
  all: (state) => state.keyVaults,
  toJson: vaultJson,
  child: vaultChild,
});
