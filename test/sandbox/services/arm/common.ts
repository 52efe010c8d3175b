/**
 * Shared plumbing of the ARM emulator: the per-request call object (caller, api-version, helpers),
 * ARM's error bodies, authorization with Azure's exact 403 message, and `nextLink` paging.
 */
import { randomUUID } from "node:crypto";
import type { AccessTokenClaims, SandboxRequest, SandboxResponse, ServiceContext } from "../../contract.js";
import { checkAction } from "../../rbac.js";
import type { ResourceGroupState, SubscriptionState } from "../../state.js";

export interface ArmOptions {
  /** Default page size of list operations (ARM's real default is larger; small values exercise paging). */
  pageSize?: number;
}

/** Thrown by handlers; turned into ARM's `{"error":{"code","message"}}` body by the router. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

export interface ArmCall {
  req: SandboxRequest;
  ctx: ServiceContext;
  claims: AccessTokenClaims;
  apiVersion: string;
  pageSize: number;
  /** Path segments (original case) of the collapsed path. */
  segments: string[];
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, body, headers };
}

/** Case-insensitive query lookup (ARM accepts `$skipToken` and `$skiptoken`, `$filter` and `$Filter`). */
export function queryParam(req: SandboxRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of req.query) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

export function eqi(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// api-version
// ---------------------------------------------------------------------------------------------

/**
 * Rejects an api-version the resource type does not publish, the way ARM does: resource providers
 * answer NoRegisteredProviderFound, ARM's own types (subscriptions, resource groups) InvalidApiVersionParameter.
 */
export function requireApiVersion(call: ArmCall, typeLabel: string, supported: readonly string[], ownType = false): void {
  if (supported.includes(call.apiVersion)) return;
  const list = supported.map((v) => `'${v}'`).join(", ");
  if (ownType) {
    throw new ArmError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${call.apiVersion}' is invalid. The supported versions are '${supported.join(",")}'.`,
    );
  }
  throw new ArmError(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for location 'westeurope' and API version '${call.apiVersion}' for type '${typeLabel}'. The supported api-versions are ${list}. The supported locations are 'westeurope, northeurope, eastus, westus2'.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Authorization
// ---------------------------------------------------------------------------------------------

/** Throws ARM's AuthorizationFailed (403) unless the caller may perform `action` at `scope`. */
export function authorize(call: ArmCall, action: string, scope: string): void {
  const oid = call.claims.oid;
  const decision = checkAction(call.ctx.state, oid, scope, action);
  if (decision.allowed) return;
  const client = call.claims.appid || oid;
  const deny = decision.deny;
  if (deny) {
    throw new ArmError(
      403,
      "AuthorizationFailed",
      `The client '${client}' with object id '${oid}' has permission to perform action '${action}' on scope '${scope}'; however, the access is denied because of the deny assignment with name '${deny.denyAssignmentName}' and Id '${deny.name}' at scope '${deny.scope}'.`,
    );
  }
  throw new ArmError(
    403,
    "AuthorizationFailed",
    `The client '${client}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

export function isAllowed(call: ArmCall, action: string, scope: string): boolean {
  return checkAction(call.ctx.state, call.claims.oid, scope, action).allowed;
}

// ---------------------------------------------------------------------------------------------
// Lookups with ARM's 404 bodies
// ---------------------------------------------------------------------------------------------

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(s: string): boolean {
  return GUID.test(s);
}

export function findSubscription(call: ArmCall, subscriptionId: string): SubscriptionState {
  if (!isGuid(subscriptionId)) {
    throw new ArmError(400, "InvalidSubscriptionId", `The provided subscription identifier '${subscriptionId}' is malformed or invalid.`);
  }
  const sub = call.ctx.state.subscriptions.find((s) => eqi(s.subscriptionId, subscriptionId));
  if (!sub) throw new ArmError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
  return sub;
}

export function findResourceGroup(call: ArmCall, subscriptionId: string, name: string): ResourceGroupState {
  const rg = call.ctx.state.resourceGroups.find((g) => eqi(g.subscriptionId, subscriptionId) && eqi(g.name, name));
  if (!rg) throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${name}' could not be found.`);
  return rg;
}

export function resourceNotFound(typePath: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource '${typePath}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

export function resourceGroupScope(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

// ---------------------------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------------------------

function decodeSkipToken(token: string | undefined): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown };
    if (typeof parsed.o === "number" && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through
  }
  throw new ArmError(400, "InvalidSkipToken", `The skip token '${token}' is invalid.`);
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), "utf8").toString("base64url");
}

/** Page size for a list call: `$top` or `$maxpagesize` when given (capped at 1000), else the configured default. */
export function pageSizeOf(call: ArmCall): number {
  const raw = queryParam(call.req, "$top") ?? queryParam(call.req, "$maxpagesize");
  if (raw === undefined) return call.pageSize;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new ArmError(400, "InvalidQueryParameterValue", `The value '${raw}' of query parameter '$top' is invalid.`);
  return Math.min(n, 1000);
}

/**
 * One page of `items` as `{ value, nextLink }`. The nextLink repeats the request's query (api-version,
 * $filter, $top) with an opaque `$skipToken`, on the sandbox's own ARM URL, as ARM does.
 */
export function paged(call: ArmCall, items: unknown[]): SandboxResponse {
  const offset = decodeSkipToken(queryParam(call.req, "$skipToken"));
  const size = pageSizeOf(call);
  const value = items.slice(offset, offset + size);
  const body: { value: unknown[]; nextLink?: string } = { value };
  if (offset + size < items.length) {
    const query = new URLSearchParams();
    for (const [k, v] of call.req.query) if (k.toLowerCase() !== "$skiptoken") query.append(k, v);
    query.set("$skipToken", encodeSkipToken(offset + size));
    body.nextLink = `${call.ctx.urls.arm}${call.req.path}?${query.toString().replace(/\+/g, "%20")}`;
  }
  return json(200, body);
}

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

let readsRemaining = 11999;
let writesRemaining = 1199;

/** ARM's diagnostic and throttling headers, on every response (including errors). */
export function armHeaders(req: SandboxRequest): Record<string, string> {
  const requestId = randomUUID();
  const correlation = headerValue(req, "x-ms-correlation-request-id") ?? headerValue(req, "x-ms-client-request-id") ?? requestId;
  readsRemaining = readsRemaining > 1 ? readsRemaining - 1 : 11999;
  const headers: Record<string, string> = {
    "x-ms-request-id": requestId,
    "x-ms-correlation-request-id": correlation,
    "x-ms-routing-request-id": `WESTEUROPE:${new Date().toISOString().replace(/[-:.]/g, "").slice(0, 15)}Z:${requestId}`,
    "x-ms-ratelimit-remaining-subscription-reads": String(readsRemaining),
    "cache-control": "no-cache",
  };
  const client = headerValue(req, "x-ms-client-request-id");
  if (client) headers["x-ms-client-request-id"] = client;
  if (req.method !== "GET" && req.method !== "HEAD") {
    writesRemaining = writesRemaining > 1 ? writesRemaining - 1 : 1199;
    headers["x-ms-ratelimit-remaining-subscription-writes"] = String(writesRemaining);
  }
  return headers;
}

function headerValue(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function errorBody(err: ArmError): unknown {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}

/** The request body as an object, or ARM's 400 for a missing/invalid one. */
export function bodyObject(call: ArmCall): Record<string, unknown> {
  const b = call.req.json;
  if (b === null || typeof b !== "object" || Array.isArray(b)) {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: 'Expected a JSON object'.",
    );
  }
  return b as Record<string, unknown>;
}

export function propertiesOf(body: Record<string, unknown>): Record<string, unknown> {
  const p = body.properties;
  if (p === null || typeof p !== "object" || Array.isArray(p)) {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: 'Required property 'properties' not found in JSON'.",
    );
  }
  return p as Record<string, unknown>;
}
