/**
 * Microsoft.KeyVault/vaults: the permission model (enableRbacAuthorization), access policies, network
 * rules and the vault URI (the sandbox's path-style Key Vault URL). `PUT …/accessPolicies/{add|replace|remove}`
 * changes the live state, so the Key Vault data plane honours it on the next request.
 *
 * `GET …/vaults/{v}/secrets[/{name}]` is ARM's view of the secrets (REST "Secrets - List/Get",
 * Microsoft.KeyVault/vaults/secrets): the current version's attributes and URIs, never the value. It is
 * authorized by ARM RBAC alone (`Microsoft.KeyVault/vaults/secrets/read`, which Reader's wildcard read covers):
 * neither the vault's access policies nor its firewall apply to the control plane.
 */
import type { SandboxResponse } from "../../contract.js";
import type { AccessPolicyState, KeyVaultState, VaultSecretState } from "../../state.js";
import { ArmError, authorize, bodyObject, eqi, json, paged, propertiesOf, resourceNotFound, type ArmCall } from "./common.js";
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

const SECRET_TYPE = "Microsoft.KeyVault/vaults/secrets";

/** ARM's rendering of a secret: attributes in epoch seconds, as the RP answers; `value` is never returned. */
function secretJson(call: ArmCall, v: KeyVaultState, s: VaultSecretState): Record<string, unknown> {
  const current = s.versions[s.versions.length - 1]!;
  const uri = `${vaultUri(call, v)}secrets/${s.name}`;
  return {
    id: `${v.id}/secrets/${s.name}`,
    name: s.name,
    type: SECRET_TYPE,
    location: v.location,
    tags: { ...current.tags },
    properties: {
      ...(current.contentType ? { contentType: current.contentType } : {}),
      attributes: {
        enabled: current.enabled,
        ...(current.notBefore !== undefined ? { nbf: current.notBefore } : {}),
        ...(current.expires !== undefined ? { exp: current.expires } : {}),
        created: current.created,
        updated: current.updated,
      },
      secretUri: uri,
      secretUriWithVersion: `${uri}/${current.version}`,
    },
  };
}

function secretsChild(call: ArmCall, target: ResourceTarget<KeyVaultState>, name: string | undefined): SandboxResponse {
  if (call.req.method !== "GET") {
    throw new ArmError(
      405,
      "MethodNotAllowed",
      "The sandbox serves ARM's secrets read-only; set secrets through the Key Vault data plane.",
    );
  }
  if (name === undefined) {
    authorize(call, `${SECRET_TYPE}/read`, `${target.requestId}/secrets`);
    const vault = target.resolve();
    return paged(
      call,
      vault.secrets.filter((s) => s.deletedOn === undefined && s.versions.length > 0).map((s) => secretJson(call, vault, s)),
    );
  }
  authorize(call, `${SECRET_TYPE}/read`, `${target.requestId}/secrets/${name}`);
  const vault = target.resolve();
  const secret = vault.secrets.find((s) => eqi(s.name, name) && s.deletedOn === undefined && s.versions.length > 0);
  if (!secret) throw resourceNotFound(SECRET_TYPE, `${vault.name}/${name}`, vault.resourceGroup);
  return json(200, secretJson(call, vault, secret));
}

function vaultChild(call: ArmCall, target: ResourceTarget<KeyVaultState>, rest: string[]): SandboxResponse {
  const [collection, operation, ...more] = rest;
  const op = operation?.toLowerCase();
  if (collection?.toLowerCase() === "secrets" && more.length === 0) return secretsChild(call, target, operation);
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
