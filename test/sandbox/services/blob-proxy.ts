/**
 * The authorizing front of Blob Storage: path-style `/{account}/{container}/{blob}` in front of the
 * real Azurite, which stores the data but does no RBAC. For each request, as Storage does:
 *   1. the storage firewall (publicNetworkAccess, default action, VNet/IP rules) → 403 AuthorizationFailure;
 *   2. authentication: a bearer token from the sandbox's Entra ID for https://storage.azure.com
 *      → otherwise 401 NoAuthenticationInformation / InvalidAuthenticationInfo with the
 *      `WWW-Authenticate: Bearer authorization_uri=… resource_id=…` challenge the SDK understands;
 *      SharedKey and SAS requests are passed to Azurite, which checks them with the account key;
 *   3. Azure RBAC: the operation's permission — a data action (`…/containers/blobs/read|write|delete`)
 *      or, for container operations, a control-plane action (`…/blobServices/containers/read|write|delete`),
 *      as the "Permissions for Blob service operations" table lists them — evaluated at the
 *      container's scope → 403 AuthorizationPermissionMismatch;
 *   4. forwarding to Azurite, whose answers (ContainerNotFound, BlobNotFound, data) go back unchanged.
 *
 * Azurite `--oauth basic` only accepts issuers under https://sts.windows.net/ and checks lifetimes
 * against the real clock; the proxy has already verified the token (signature, issuer, lifetime on the
 * sandbox clock, audience), so it forwards the same claims re-stamped in the form Azurite accepts.
 */
import https from "node:https";
import { randomUUID } from "node:crypto";
import type { AccessTokenClaims, Handler, SandboxRequest, SandboxResponse, ServiceContext } from "../contract.js";
import { evaluateFirewall, networkSourceOf } from "../network.js";
import { checkAction, checkDataAction } from "../rbac.js";
import type { StorageAccountState, TenantState } from "../state.js";

export const STORAGE_RESOURCE = "https://storage.azure.com";
const STORAGE_APP_ID = "e406a681-f3d4-42a8-90b6-c2b029497af1";
export const STORAGE_AUDIENCES = [STORAGE_RESOURCE, `${STORAGE_RESOURCE}/`, STORAGE_APP_ID];
const X_MS_VERSION = "2026-04-06";

export interface AzuriteEndpoint {
  /** Where to forward (Azurite's blob service; the queue front passes its queue service here). */
  blobUrl: string;
  /** PEM to trust Azurite's certificate (defaults to the process's trust store). */
  ca?: string;
}

/** What one request needs, in RBAC terms. */
export interface BlobPermission {
  plane: "data" | "control";
  action: string;
  scope: string;
  subOperation?: string;
}

const BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";
const CONTAINERS = "Microsoft.Storage/storageAccounts/blobServices/containers";

/** Maps a Blob REST call to its RBAC permission (learn.microsoft.com: "Permissions for Blob service operations"). */
export function blobPermission(
  account: StorageAccountState,
  method: string,
  query: URLSearchParams,
  container: string | undefined,
  blob: string | undefined,
): BlobPermission {
  const service = `${account.id}/blobServices/default`;
  const comp = query.get("comp") ?? "";
  const restype = query.get("restype") ?? "";
  const m = method.toUpperCase();
  if (!container) {
    if (comp === "list") return { plane: "control", action: `${CONTAINERS}/read`, scope: service };
    if (comp === "userdelegationkey")
      return {
        plane: "control",
        action: "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        scope: service,
      };
    if (restype === "account") return { plane: "data", action: `${BLOBS}/read`, scope: service };
    return {
      plane: "control",
      action: `Microsoft.Storage/storageAccounts/blobServices/${m === "GET" || m === "HEAD" ? "read" : "write"}`,
      scope: service,
    };
  }
  const scope = `${service}/containers/${container}`;
  if (!blob) {
    if (comp === "list") return { plane: "data", action: `${BLOBS}/read`, scope, subOperation: "Blob.List" };
    if (m === "DELETE") return { plane: "control", action: `${CONTAINERS}/delete`, scope };
    if (m === "GET" || m === "HEAD") return { plane: "control", action: `${CONTAINERS}/read`, scope };
    return { plane: "control", action: `${CONTAINERS}/write`, scope };
  }
  if (comp === "tags") return { plane: "data", action: `${BLOBS}/tags/${m === "GET" ? "read" : "write"}`, scope };
  if (m === "GET" || m === "HEAD") return { plane: "data", action: `${BLOBS}/read`, scope };
  if (m === "DELETE") return { plane: "data", action: `${BLOBS}/delete`, scope };
  return { plane: "data", action: `${BLOBS}/write`, scope };
}

export function storageError(
  ctx: ServiceContext,
  req: SandboxRequest,
  status: number,
  code: string,
  message: string,
  extra = "",
  headers: Record<string, string> = {},
): SandboxResponse {
  const requestId = randomUUID();
  const time = new Date(ctx.now()).toISOString().replace(/Z$/, "0000Z"); // Storage prints 7 fractional digits
  const xml = `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${time}</Message>${extra}</Error>`;
  return {
    status,
    headers: {
      "x-ms-error-code": code,
      "x-ms-request-id": requestId,
      "x-ms-version": X_MS_VERSION,
      server: "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0",
      ...(req.method === "HEAD" ? {} : { "content-type": "application/xml" }),
      ...headers,
    },
    body: req.method === "HEAD" ? undefined : xml,
  };
}

export function decodePayload(token: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Same identity, re-stamped for Azurite: v1 issuer, lifetime on the real clock. Signature is not checked by Azurite. */
export function tokenForAzurite(token: string, claims: AccessTokenClaims): string {
  const [header, , signature] = token.split(".");
  const now = Math.floor(Date.now() / 1000);
  const payload = { ...claims, iss: `https://sts.windows.net/${claims.tid}/`, iat: now - 60, nbf: now - 60, exp: now + 3600 };
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${signature ?? ""}`;
}

const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "proxy-authorization",
  "proxy-connection",
  "upgrade",
  "expect",
  "content-length",
]);

export function forward(target: AzuriteEndpoint, req: SandboxRequest, authorization: string | undefined): Promise<SandboxResponse> {
  const url = new URL(target.blobUrl);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === "authorization") continue;
    headers[name] = value;
  }
  if (authorization) headers.authorization = authorization;
  headers["content-length"] = String(req.body.length);
  return new Promise((resolve, reject) => {
    const upstream = https.request(
      {
        host: url.hostname,
        port: Number(url.port),
        method: req.method,
        path: `${req.url.pathname}${req.url.search}`,
        headers,
        ca: target.ca,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined || (HOP_BY_HOP.has(name) && !(name === "content-length" && req.method === "HEAD"))) continue;
            out[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: res.statusCode ?? 502, headers: out, body: req.method === "HEAD" ? undefined : Buffer.concat(chunks) });
        });
      },
    );
    upstream.on("error", reject);
    upstream.end(req.body);
  });
}

function findAccount(state: TenantState, name: string): StorageAccountState | undefined {
  return state.storageAccounts.find((a) => a.name === name);
}

export function blobProxyService(ctx: ServiceContext, azurite: AzuriteEndpoint): Handler {
  const basePath = new URL(ctx.urls.blob).pathname.replace(/\/+$/, "");
  const challenge = `Bearer authorization_uri=${ctx.urls.authorityHost}/${ctx.state.tenantId}/oauth2/authorize resource_id=${STORAGE_RESOURCE}`;
  const authFailed = (req: SandboxRequest, code: string, detail?: string) =>
    storageError(
      ctx,
      req,
      401,
      code,
      "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.",
      detail ? `<AuthenticationErrorDetail>${detail}</AuthenticationErrorDetail>` : "",
      { "www-authenticate": challenge },
    );

  return async (req) => {
    const path = req.path.startsWith(basePath) ? req.path.slice(basePath.length) : req.path;
    const [accountName = "", container, ...blobParts] = path.split("/").filter(Boolean).map(decodeURIComponent);
    const blob = blobParts.length > 0 ? blobParts.join("/") : undefined;
    const account = findAccount(ctx.state, accountName);
    if (!account)
      return storageError(
        ctx,
        req,
        404,
        "ResourceNotFound",
        `The specified resource does not exist. (No storage account '${accountName}' in this sandbox.)`,
      );

    const source = networkSourceOf(ctx.state, req.remoteAddress);
    if (!evaluateFirewall(account.network, source).allowed) {
      return storageError(ctx, req, 403, "AuthorizationFailure", "This request is not authorized to perform this operation.");
    }

    const authorization = typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
    const keyOrSas = (authorization !== undefined && /^SharedKey(Lite)? /i.test(authorization)) || req.query.has("sig");
    if (keyOrSas) return forward(azurite, req, authorization);
    if (!req.bearer) return authFailed(req, "NoAuthenticationInformation");

    const check = ctx.verifyAccessToken(req.bearer, STORAGE_AUDIENCES);
    if (!check.ok) {
      const claims = decodePayload(req.bearer);
      if (typeof claims?.aud === "string" && !STORAGE_AUDIENCES.includes(claims.aud))
        return authFailed(req, "InvalidAuthenticationInfo", "Audience validation failed. Audience did not match.");
      if (typeof claims?.exp === "number" && claims.exp * 1000 <= ctx.now())
        return authFailed(req, "InvalidAuthenticationInfo", "Lifetime validation failed. The token is expired.");
      return authFailed(req, "InvalidAuthenticationInfo", `Signature validation failed. ${check.description}`);
    }

    const need = blobPermission(account, req.method, req.query, container, blob);
    const decision =
      need.plane === "data"
        ? checkDataAction(
            ctx.state,
            check.claims.oid,
            need.scope,
            need.action,
            need.subOperation ? { subOperation: need.subOperation } : {},
          )
        : checkAction(ctx.state, check.claims.oid, need.scope, need.action);
    if (!decision.allowed) {
      return storageError(
        ctx,
        req,
        403,
        "AuthorizationPermissionMismatch",
        "This request is not authorized to perform this operation using this permission.",
      );
    }
    return forward(azurite, req, `Bearer ${tokenForAzurite(req.bearer, check.claims)}`);
  };
}
