/**
 * Key Vault data plane (secrets), path-style: one server, a vault's URL is `${urls.keyVault}/{vault}`.
 *
 * What it reproduces, in Key Vault's order: the bearer challenge (a request without a token — the
 * SDK's first, empty-bodied request — gets 401 + `WWW-Authenticate: Bearer authorization=…,
 * resource=https://vault.azure.net`), api-version validation (BadParameter), token audience
 * (AKV10022), the vault firewall (ForbiddenByConnection / ForbiddenByFirewall), authorization
 * (RBAC data actions at the secret's scope → ForbiddenByRbac, or access policies → ForbiddenByPolicy),
 * then the operation with Key Vault's own error bodies (SecretNotFound, SecretDisabled, Conflict …).
 *
 * Behaviour worth knowing: expired and not-yet-valid secrets ARE returned (Key Vault documents that
 * `exp`/`nbf` are informational for secrets; Azure/AzureKeyVault#19 confirms a 200 after expiry);
 * disabled versions are refused with 403 SecretDisabled.
 *
 * One deliberate deviation: object ids (`id`, `recoveryId`) are `${origin}/secrets/{name}/{version}`
 * WITHOUT the vault path segment, because every SDK (JS keyvault-common, Python parse_key_vault_id)
 * rejects an id whose path has more than 3 segments. `nextLink`s keep the vault path so paging works.
 */
import { createHash, randomUUID } from "node:crypto";
import type { AccessTokenClaims, Handler, SandboxRequest, SandboxResponse, ServiceContext } from "../contract.js";
import { networkSourceOf, evaluateFirewall } from "../network.js";
import { checkDataAction, checkKeyVaultAccessPolicy } from "../rbac.js";
import type { KeyVaultState, SecretVersionState, VaultSecretState } from "../state.js";

export const KEY_VAULT_RESOURCE = "https://vault.azure.net";
/** Key Vault's first-party application id: tokens may name it as the audience instead of the URL. */
const KEY_VAULT_APP_ID = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093";
/** GA data-plane versions (the SDK here sends 2026-04-01; Debian's Python SDK sends 7.x). */
export const KEY_VAULT_API_VERSIONS = ["2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"];
const LATEST_API_VERSION = "2026-04-01";
const PAGE_MAX = 25;
const RETENTION_DAYS = 90;
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

type Permission = "get" | "list" | "set" | "delete" | "recover" | "purge" | "backup" | "restore";

/** RBAC data action and access-policy permission of each operation (Key Vault RBAC guide). */
const OPERATIONS = {
  get: { action: "Microsoft.KeyVault/vaults/secrets/getSecret/action", permission: "get" },
  list: { action: "Microsoft.KeyVault/vaults/secrets/readMetadata/action", permission: "list" },
  getDeleted: { action: "Microsoft.KeyVault/vaults/secrets/readMetadata/action", permission: "get" },
  set: { action: "Microsoft.KeyVault/vaults/secrets/setSecret/action", permission: "set" },
  update: { action: "Microsoft.KeyVault/vaults/secrets/update/action", permission: "set" },
  delete: { action: "Microsoft.KeyVault/vaults/secrets/delete", permission: "delete" },
  recover: { action: "Microsoft.KeyVault/vaults/secrets/recover/action", permission: "recover" },
  purge: { action: "Microsoft.KeyVault/vaults/secrets/purge/action", permission: "purge" },
} satisfies Record<string, { action: string; permission: Permission }>;
type Operation = keyof typeof OPERATIONS;

interface Call {
  req: SandboxRequest;
  vault: KeyVaultState;
  claims: AccessTokenClaims;
  apiVersion: string;
  /** Path-style base used in nextLinks: `${urls.keyVault}/{vault}`. */
  vaultUrl: string;
  /** Base of object ids: the server origin (see the header comment). */
  idBase: string;
}

function kvError(status: number, code: string, message: string, innerCode?: string, headers: Record<string, string> = {}): SandboxResponse {
  const error: Record<string, unknown> = { code, message };
  if (innerCode) error.innererror = { code: innerCode };
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: { error } };
}

function ok(body: unknown, vault: KeyVaultState, status = 200): SandboxResponse {
  return {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "x-ms-keyvault-region": vault.location,
      "x-ms-keyvault-service-version": "1.9.2607.1",
      "x-ms-request-id": randomUUID(),
    },
    body,
  };
}

function secretNotFound(name: string): SandboxResponse {
  return kvError(
    404,
    "SecretNotFound",
    `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

function nowSeconds(ctx: ServiceContext): number {
  return Math.floor(ctx.now() / 1000);
}

function versionId(vault: string, name: string, index: number): string {
  return createHash("sha256").update(`kv-version\0${vault}\0${name}\0${index}`).digest("hex").slice(0, 32);
}

function attributes(v: SecretVersionState, vault: KeyVaultState): Record<string, unknown> {
  const attrs: Record<string, unknown> = { enabled: v.enabled, created: v.created, updated: v.updated };
  if (v.notBefore !== undefined) attrs.nbf = v.notBefore;
  if (v.expires !== undefined) attrs.exp = v.expires;
  attrs.recoveryLevel = vault.softDelete ? "Recoverable+Purgeable" : "Purgeable";
  if (vault.softDelete) attrs.recoverableDays = RETENTION_DAYS;
  return attrs;
}

function bundle(call: Call, secret: VaultSecretState, v: SecretVersionState, withValue: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: `${call.idBase}/secrets/${secret.name}/${v.version}`, attributes: attributes(v, call.vault) };
  if (withValue) out.value = v.value;
  if (v.contentType !== undefined) out.contentType = v.contentType;
  if (Object.keys(v.tags).length > 0) out.tags = v.tags;
  return out;
}

function listItem(call: Call, secret: VaultSecretState, v: SecretVersionState, withVersion: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: `${call.idBase}/secrets/${secret.name}${withVersion ? `/${v.version}` : ""}`,
    attributes: attributes(v, call.vault),
  };
  if (v.contentType !== undefined) out.contentType = v.contentType;
  if (Object.keys(v.tags).length > 0) out.tags = v.tags;
  return out;
}

function deletedInfo(call: Call, secret: VaultSecretState): Record<string, unknown> {
  const deletedDate = secret.deletedOn ?? 0;
  return {
    recoveryId: `${call.idBase}/deletedsecrets/${secret.name}`,
    deletedDate,
    scheduledPurgeDate: deletedDate + RETENTION_DAYS * 86400,
  };
}

function findSecret(vault: KeyVaultState, name: string): VaultSecretState | undefined {
  return vault.secrets.find((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** A page of `items` with Key Vault's `maxresults` / `$skiptoken` / `nextLink` paging. */
function page(call: Call, path: string, items: Record<string, unknown>[]): SandboxResponse {
  const max = Number(call.req.query.get("maxresults") ?? PAGE_MAX);
  if (!Number.isInteger(max) || max < 1 || max > PAGE_MAX) {
    return kvError(
      400,
      "BadParameter",
      `Invalid maxresults value: ${call.req.query.get("maxresults") ?? ""}. The value must be between 1 and ${PAGE_MAX}.`,
    );
  }
  const skip = Number(Buffer.from(call.req.query.get("$skiptoken") ?? "", "base64url").toString() || "0");
  const slice = items.slice(skip, skip + max);
  const next =
    skip + max < items.length
      ? `${call.vaultUrl}${path}?api-version=${call.apiVersion}&$skiptoken=${Buffer.from(String(skip + max)).toString("base64url")}&maxresults=${max}`
      : null;
  return ok({ value: slice, nextLink: next }, call.vault);
}

function parseAttributes(body: Record<string, unknown>): { enabled?: boolean; exp?: number; nbf?: number } | string {
  const attrs = body.attributes;
  if (attrs === undefined || attrs === null) return {};
  if (typeof attrs !== "object") return "attributes must be an object";
  const a = attrs as Record<string, unknown>;
  const out: { enabled?: boolean; exp?: number; nbf?: number } = {};
  if (a.enabled !== undefined) {
    if (typeof a.enabled !== "boolean") return "attributes.enabled must be a boolean";
    out.enabled = a.enabled;
  }
  for (const key of ["exp", "nbf"] as const) {
    if (a[key] === undefined || a[key] === null) continue;
    if (typeof a[key] !== "number") return `attributes.${key} must be a number of seconds since the epoch`;
    out[key] = a[key];
  }
  return out;
}

function parseTags(body: Record<string, unknown>): Record<string, string> | undefined | string {
  if (body.tags === undefined || body.tags === null) return undefined;
  if (typeof body.tags !== "object") return "tags must be an object";
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(body.tags as Record<string, unknown>)) {
    if (typeof v !== "string") return `tag '${k}' must be a string`;
    tags[k] = v;
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

function getSecret(call: Call, name: string, version: string | undefined): SandboxResponse {
  const secret = findSecret(call.vault, name);
  if (!secret || secret.deletedOn !== undefined) return secretNotFound(version ? `${name}/${version}` : name);
  const v = version ? secret.versions.find((x) => x.version === version) : secret.versions.at(-1);
  if (!v) return secretNotFound(`${name}/${version ?? ""}`);
  if (!v.enabled) return kvError(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
  return ok(bundle(call, secret, v, true), call.vault);
}

function setSecret(call: Call, ctx: ServiceContext, name: string): SandboxResponse {
  const body = call.req.json;
  if (!body || typeof body !== "object") return kvError(400, "BadParameter", "The request body is missing or is not a JSON object.");
  const b = body as Record<string, unknown>;
  if (typeof b.value !== "string") return kvError(400, "BadParameter", "Property 'value' is required and must be a string.");
  const attrs = parseAttributes(b);
  if (typeof attrs === "string") return kvError(400, "BadParameter", attrs);
  const tags = parseTags(b);
  if (typeof tags === "string") return kvError(400, "BadParameter", tags);
  if (b.contentType !== undefined && typeof b.contentType !== "string")
    return kvError(400, "BadParameter", "Property 'contentType' must be a string.");

  let secret = findSecret(call.vault, name);
  if (secret?.deletedOn !== undefined) {
    return kvError(
      409,
      "Conflict",
      `Secret ${secret.name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
      "ObjectIsDeletedButRecoverable",
    );
  }
  if (!secret) {
    secret = { name, versions: [] };
    call.vault.secrets.push(secret);
  }
  const now = nowSeconds(ctx);
  const v: SecretVersionState = {
    version: versionId(call.vault.name, secret.name, secret.versions.length),
    value: b.value,
    enabled: attrs.enabled ?? true,
    created: now,
    updated: now,
    tags: tags ?? {},
  };
  if (attrs.exp !== undefined) v.expires = attrs.exp;
  if (attrs.nbf !== undefined) v.notBefore = attrs.nbf;
  if (typeof b.contentType === "string") v.contentType = b.contentType;
  secret.versions.push(v);
  return ok(bundle(call, secret, v, true), call.vault);
}

function updateSecret(call: Call, ctx: ServiceContext, name: string, version: string | undefined): SandboxResponse {
  const secret = findSecret(call.vault, name);
  if (!secret || secret.deletedOn !== undefined) return secretNotFound(version ? `${name}/${version}` : name);
  const v = version ? secret.versions.find((x) => x.version === version) : secret.versions.at(-1);
  if (!v) return secretNotFound(`${name}/${version ?? ""}`);
  const b = (call.req.json ?? {}) as Record<string, unknown>;
  const attrs = parseAttributes(b);
  if (typeof attrs === "string") return kvError(400, "BadParameter", attrs);
  const tags = parseTags(b);
  if (typeof tags === "string") return kvError(400, "BadParameter", tags);
  if (attrs.enabled !== undefined) v.enabled = attrs.enabled;
  if (attrs.exp !== undefined) v.expires = attrs.exp;
  if (attrs.nbf !== undefined) v.notBefore = attrs.nbf;
  if (tags !== undefined) v.tags = tags;
  if (typeof b.contentType === "string") v.contentType = b.contentType;
  v.updated = nowSeconds(ctx);
  return ok(bundle(call, secret, v, false), call.vault);
}

function deleteSecret(call: Call, ctx: ServiceContext, name: string): SandboxResponse {
  const secret = findSecret(call.vault, name);
  const current = secret?.versions.at(-1);
  if (!secret || !current || secret.deletedOn !== undefined) return secretNotFound(name);
  if (!call.vault.softDelete) {
    call.vault.secrets = call.vault.secrets.filter((s) => s !== secret);
    return ok(bundle(call, secret, current, false), call.vault);
  }
  secret.deletedOn = nowSeconds(ctx);
  return ok({ ...deletedInfo(call, secret), ...bundle(call, secret, current, false) }, call.vault);
}

function deletedSecret(call: Call, name: string): VaultSecretState | SandboxResponse {
  const secret = findSecret(call.vault, name);
  if (!secret || secret.deletedOn === undefined) return kvError(404, "SecretNotFound", `Deleted Secret not found: ${name}`);
  return secret;
}

function getDeleted(call: Call, name: string): SandboxResponse {
  const secret = deletedSecret(call, name);
  if ("status" in secret) return secret;
  const current = secret.versions.at(-1)!;
  return ok({ ...deletedInfo(call, secret), ...bundle(call, secret, current, false) }, call.vault);
}

function recover(call: Call, name: string): SandboxResponse {
  const secret = deletedSecret(call, name);
  if ("status" in secret) return secret;
  delete secret.deletedOn;
  return ok(bundle(call, secret, secret.versions.at(-1)!, false), call.vault);
}

function purge(call: Call, name: string): SandboxResponse {
  const secret = deletedSecret(call, name);
  if ("status" in secret) return secret;
  call.vault.secrets = call.vault.secrets.filter((s) => s !== secret);
  return { status: 204 };
}

function listSecrets(call: Call): SandboxResponse {
  const items = call.vault.secrets
    .filter((s) => s.deletedOn === undefined && s.versions.length > 0)
    .map((s) => listItem(call, s, s.versions.at(-1)!, false));
  return page(call, "/secrets", items);
}

function listVersions(call: Call, name: string): SandboxResponse {
  const secret = findSecret(call.vault, name);
  if (!secret || secret.deletedOn !== undefined) return secretNotFound(name);
  return page(
    call,
    `/secrets/${secret.name}/versions`,
    secret.versions.map((v) => listItem(call, secret, v, true)),
  );
}

function listDeleted(call: Call): SandboxResponse {
  const items = call.vault.secrets
    .filter((s) => s.deletedOn !== undefined)
    .map((s) => ({ ...deletedInfo(call, s), ...listItem(call, s, s.versions.at(-1)!, false) }));
  return page(call, "/deletedsecrets", items);
}

// ---------------------------------------------------------------------------------------------
// Routing, authentication, network and authorization
// ---------------------------------------------------------------------------------------------

interface Route {
  op: Operation;
  name?: string;
  run(call: Call, ctx: ServiceContext): SandboxResponse;
}

function route(method: string, rest: string[]): Route | undefined {
  const [collection, name, third, ...more] = rest;
  if (more.length > 0) return undefined;
  if (collection === "secrets") {
    if (name === undefined) return method === "GET" ? { op: "list", run: (c) => listSecrets(c) } : undefined;
    if (third === "versions" && method === "GET") return { op: "list", name, run: (c) => listVersions(c, name) };
    if (method === "GET") return { op: "get", name, run: (c) => getSecret(c, name, third) };
    if (method === "PATCH") return { op: "update", name, run: (c, x) => updateSecret(c, x, name, third) };
    if (third !== undefined) return undefined;
    if (method === "PUT") return { op: "set", name, run: (c, x) => setSecret(c, x, name) };
    if (method === "DELETE") return { op: "delete", name, run: (c, x) => deleteSecret(c, x, name) };
    return undefined;
  }
  if (collection === "deletedsecrets") {
    if (name === undefined) return method === "GET" ? { op: "list", run: (c) => listDeleted(c) } : undefined;
    if (third === "recover" && method === "POST") return { op: "recover", name, run: (c) => recover(c, name) };
    if (third !== undefined) return undefined;
    if (method === "GET") return { op: "getDeleted", name, run: (c) => getDeleted(c, name) };
    if (method === "DELETE") return { op: "purge", name, run: (c) => purge(c, name) };
  }
  return undefined;
}

function decodeClaims(token: string): Record<string, unknown> | undefined {
  try {
    const payload = token.split(".")[1];
    return payload ? (JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function caller(claims: AccessTokenClaims): string {
  return `appid=${claims.appid};oid=${claims.oid};iss=${claims.iss}`;
}

function authorize(ctx: ServiceContext, call: Call, op: Operation, secretName: string | undefined): SandboxResponse | undefined {
  const { action, permission } = OPERATIONS[op];
  const vaultTag = `${call.vault.name};location=${call.vault.location}`;
  if (!call.vault.enableRbacAuthorization) {
    const decision = checkKeyVaultAccessPolicy(call.vault, call.claims.oid, permission);
    if (decision.allowed) return undefined;
    return kvError(
      403,
      "Forbidden",
      `The user, group or application '${caller(call.claims)}' does not have secrets ${permission} permission on key vault '${vaultTag}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      "ForbiddenByPolicy",
    );
  }
  // Data actions are evaluated at the secret itself when the operation names one (per-secret assignments work).
  const scope = secretName ? `${call.vault.id}/secrets/${secretName}` : call.vault.id;
  const decision = checkDataAction(ctx.state, call.claims.oid, scope, action);
  if (decision.allowed) return undefined;
  const deny = decision.deny;
  const denyId = deny ? deny.id : "null";
  const message = [
    "Caller is not authorized to perform action on resource.",
    "If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.",
    `Caller: ${caller(call.claims)}`,
    `Action: '${action}'`,
    `Resource: '${scope.toLowerCase()}'`,
    "Assignment: (not found)",
    `DenyAssignmentId: ${denyId}`,
    `DecisionReason: ${deny ? "'DeniedWithDenyAssignment'" : "null"} `,
    `Vault: ${vaultTag}`,
    "",
  ].join("\r\n");
  return kvError(403, "Forbidden", message, "ForbiddenByRbac");
}

export function keyVaultService(ctx: ServiceContext): Handler {
  const base = new URL(ctx.urls.keyVault);
  const basePath = base.pathname.replace(/\/+$/, "");
  const challenge = `Bearer authorization="${ctx.urls.authorityHost}/${ctx.state.tenantId}", resource="${KEY_VAULT_RESOURCE}"`;
  const unauthorized = (message: string) => kvError(401, "Unauthorized", message, undefined, { "www-authenticate": challenge });

  return (req) => {
    const path = req.path.startsWith(basePath) ? req.path.slice(basePath.length) : req.path;
    const [vaultName, ...rest] = path.split("/").filter(Boolean);
    const vault = ctx.state.keyVaults.find((v) => v.name.toLowerCase() === (vaultName ?? "").toLowerCase());
    if (!vault)
      return kvError(
        404,
        "VaultNotFound",
        `No key vault named '${vaultName ?? ""}' exists in this sandbox (a real client would fail to resolve its host name).`,
      );

    const apiVersion = req.query.get("api-version");
    if (!apiVersion) return kvError(400, "BadParameter", "The 'api-version' query parameter is missing.");
    if (!KEY_VAULT_API_VERSIONS.includes(apiVersion)) {
      return kvError(
        400,
        "BadParameter",
        `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (${LATEST_API_VERSION}).`,
      );
    }

    if (!req.bearer) return unauthorized("AKV10000: Request is missing a Bearer or PoP token.");
    const check = ctx.verifyAccessToken(req.bearer, [KEY_VAULT_RESOURCE, KEY_VAULT_APP_ID]);
    if (!check.ok) {
      const aud = decodeClaims(req.bearer)?.aud;
      if (typeof aud === "string" && aud !== KEY_VAULT_RESOURCE && aud !== KEY_VAULT_APP_ID) {
        return unauthorized(`AKV10022: Invalid audience. Expected ${KEY_VAULT_RESOURCE} or ${KEY_VAULT_APP_ID}, found: ${aud}.`);
      }
      return unauthorized(`AKV10032: ${check.description}`);
    }

    const r = route(req.method, rest);
    if (rest[1] !== undefined && !SECRET_NAME.test(rest[1]))
      return kvError(400, "BadParameter", `The request URI contains an invalid name: ${rest[1]}`);
    if (!r)
      return kvError(
        405,
        "MethodNotAllowed",
        `The requested operation ${req.method} ${path} is not supported by this (sandbox) key vault.`,
      );

    const call: Call = {
      req,
      vault,
      claims: check.claims,
      apiVersion,
      vaultUrl: `${ctx.urls.keyVault}/${vault.name}`,
      idBase: base.origin,
    };
    const source = networkSourceOf(ctx.state, req.remoteAddress);
    const firewall = evaluateFirewall(vault.network, source);
    if (!firewall.allowed) {
      const vaultTag = `Vault: ${vault.name};location=${vault.location}`;
      if (firewall.reason === "public-network-disabled") {
        return kvError(
          403,
          "Forbidden",
          `Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\nCaller: ${caller(check.claims)}\r\n${vaultTag}`,
          "ForbiddenByConnection",
        );
      }
      return kvError(
        403,
        "Forbidden",
        `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${firewall.clientIp}\r\nCaller: ${caller(check.claims)}\r\n${vaultTag}`,
        "ForbiddenByFirewall",
      );
    }

    const denied = authorize(ctx, call, r.op, r.name);
    if (denied) return denied;
    const res = r.run(call, ctx);
    res.headers = { ...res.headers, "x-ms-keyvault-network-info": `conn_type=Ipv4;addr=${source.ip};act_addr_fam=InterNetwork;` };
    return res;
  };
}
