/**
 * Azure Resource Graph: `POST /providers/Microsoft.ResourceGraph/resources`. Tables `Resources`
 * (managed clusters, user-assigned identities and their federated credentials, storage accounts,
 * vaults) and `AuthorizationResources` (role assignments and definitions), each row rendered the way
 * ARG does (lower-case `type` and `resourceGroup`, ARM `properties`). Like ARG, a caller sees only rows
 * it may read. The query language is the subset in kql.ts; anything else is a 400.
 *
 * `resourceGraphIndex(state)` simulates an index that lacks rows (tests and benchmarks): whole types
 * it does not index (e.g. federated credentials, which we could not confirm real ARG indexes) and ids
 * (or id prefixes) it has not indexed yet. ARM itself is unaffected.
 */
import type { SandboxResponse } from "../../contract.js";
import type { TenantState } from "../../state.js";
import { checkAction, hasAnyAssignmentTouching } from "../../rbac.js";
import { RESOURCE_GRAPH_API_VERSIONS } from "./api-versions.js";
import { assignmentJson } from "./authorization.js";
import { ArmError, eqi, encodeSkipToken, json, requireApiVersion, type ArmCall } from "./common.js";
import { fullType, type ResourceKind } from "./kind.js";
import { KqlError, parseKql, runKql, type Row } from "./kql.js";
import { ficJson } from "./msi.js";

/** What this sandbox's Resource Graph leaves out of its index (lower-cased types; lower-cased id prefixes). */
export interface ResourceGraphIndexGaps {
  omitTypes: Set<string>;
  omitIdPrefixes: Set<string>;
}

const gaps = new WeakMap<TenantState, ResourceGraphIndexGaps>();

/** The index gaps of a tenant's Resource Graph, created empty on first use; add to the sets to hide rows. */
export function resourceGraphIndex(state: TenantState): ResourceGraphIndexGaps {
  let g = gaps.get(state);
  if (!g) {
    g = { omitTypes: new Set(), omitIdPrefixes: new Set() };
    gaps.set(state, g);
  }
  return g;
}

function indexed(state: TenantState, row: Row): boolean {
  const g = gaps.get(state);
  if (!g) return true;
  const id = String(row.id).toLowerCase();
  return !g.omitTypes.has(String(row.type).toLowerCase()) && ![...g.omitIdPrefixes].some((p) => id.startsWith(p.toLowerCase()));
}

function baseRow(
  call: ArmCall,
  id: string,
  name: string,
  type: string,
  subscriptionId: string,
  resourceGroup: string,
  location: string,
  properties: unknown,
): Row {
  return {
    id,
    name,
    type: type.toLowerCase(),
    tenantId: call.ctx.state.tenantId,
    kind: "",
    location,
    resourceGroup: resourceGroup.toLowerCase(),
    subscriptionId,
    managedBy: "",
    sku: null,
    plan: null,
    properties,
    tags: {},
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

function resourceRows(call: ArmCall, kinds: ResourceKind[]): Row[] {
  const rows: Row[] = [];
  for (const kind of kinds) {
    for (const r of kind.all(call.ctx.state)) {
      const body = kind.toJson(call, r);
      rows.push(baseRow(call, r.id, r.name, fullType(kind), r.subscriptionId, r.resourceGroup, r.location, body.properties));
    }
  }
  for (const identity of call.ctx.state.identities) {
    for (const f of identity.federatedCredentials) {
      const body = ficJson(identity, f);
      rows.push(
        baseRow(call, String(body.id), f.name, String(body.type), identity.subscriptionId, identity.resourceGroup, "", body.properties),
      );
    }
  }
  return rows;
}

function scopeParts(scope: string): { subscriptionId: string; resourceGroup: string } {
  const parts = scope.split("/").filter(Boolean);
  const subscriptionId = parts[0]?.toLowerCase() === "subscriptions" ? (parts[1] ?? "") : "";
  const resourceGroup = parts[2]?.toLowerCase() === "resourcegroups" ? (parts[3] ?? "") : "";
  return { subscriptionId, resourceGroup };
}

function authorizationRows(call: ArmCall): Row[] {
  const rows: Row[] = [];
  for (const a of call.ctx.state.roleAssignments) {
    const { subscriptionId, resourceGroup } = scopeParts(a.scope);
    rows.push(
      baseRow(
        call,
        a.id,
        a.name,
        "Microsoft.Authorization/roleAssignments",
        subscriptionId,
        resourceGroup,
        "",
        assignmentJson(a).properties,
      ),
    );
  }
  for (const d of call.ctx.state.roleDefinitions) {
    rows.push(
      baseRow(call, d.id, d.name, "Microsoft.Authorization/roleDefinitions", "", "", "", {
        roleName: d.roleName,
        type: d.type,
        description: d.description,
        assignableScopes: d.assignableScopes,
        permissions: d.permissions,
      }),
    );
  }
  return rows;
}

/**
 * The tenant as the RBAC engine needs it to decide the caller's reads: only the caller's own role
 * assignments (group membership is not modelled, so no other assignment can grant the caller
 * anything). The same decisions as the full state, without scanning every assignment once per row.
 */
function callerView(call: ArmCall): TenantState {
  return { ...call.ctx.state, roleAssignments: call.ctx.state.roleAssignments.filter((a) => eqi(a.principalId, call.claims.oid)) };
}

/** ARG shows a row when the caller may read it; role definitions are readable by everyone. */
function readable(call: ArmCall, view: TenantState, row: Row): boolean {
  const type = String(row.type);
  if (type === "microsoft.authorization/roledefinitions") return true;
  const action = type === "microsoft.authorization/roleassignments" ? "Microsoft.Authorization/roleAssignments/read" : `${type}/read`;
  return checkAction(view, call.claims.oid, String(row.id), action).allowed;
}

interface QueryRequest {
  query: string;
  subscriptions?: string[];
  top: number;
  skip: number;
  offset: number;
  table: boolean;
}

function parseRequest(call: ArmCall): QueryRequest {
  const b = call.req.json as Record<string, unknown> | undefined;
  if (!b || typeof b.query !== "string") throw new ArmError(400, "BadRequest", "The request body must contain a 'query' string.");
  const options = (b.options ?? {}) as Record<string, unknown>;
  const subs = b.subscriptions;
  if (subs !== undefined && (!Array.isArray(subs) || !subs.every((s) => typeof s === "string"))) {
    throw new ArmError(400, "BadRequest", "'subscriptions' must be an array of subscription ids.");
  }
  const top = options.$top === undefined ? 100 : Number(options.$top);
  const skip = options.$skip === undefined ? 0 : Number(options.$skip);
  if (!Number.isInteger(top) || top < 1 || top > 1000)
    throw new ArmError(400, "BadRequest", "'options.$top' must be an integer between 1 and 1000.");
  if (!Number.isInteger(skip) || skip < 0) throw new ArmError(400, "BadRequest", "'options.$skip' must be a non-negative integer.");
  let offset = 0;
  if (typeof options.$skipToken === "string" && options.$skipToken !== "") {
    try {
      const parsed = JSON.parse(Buffer.from(options.$skipToken, "base64url").toString("utf8")) as { o?: unknown };
      if (typeof parsed.o !== "number") throw new Error("bad token");
      offset = parsed.o;
    } catch {
      throw new ArmError(400, "BadRequest", "The '$skipToken' is invalid.");
    }
  }
  return { query: b.query, subscriptions: subs as string[] | undefined, top, skip, offset, table: options.resultFormat === "table" };
}

function invalidQuery(call: ArmCall, err: KqlError): ArmError {
  return new ArmError(
    400,
    "BadRequest",
    "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.",
    [
      {
        code: "InvalidQuery",
        message:
          "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.",
      },
      {
        code: "ParserFailure",
        message: `${err.message} (the sandbox supports a small KQL subset; see test/sandbox/services/arm/kql.ts)`,
        characterPositionInLine: err.position,
      },
    ],
  );
}

export function resourceGraph(call: ArmCall, kinds: ResourceKind[]): SandboxResponse {
  requireApiVersion(call, "resources", RESOURCE_GRAPH_API_VERSIONS);
  if (call.req.method !== "POST") throw new ArmError(405, "MethodNotAllowed", "Resource Graph queries are POSTed.");
  const request = parseRequest(call);
  let query;
  try {
    query = parseKql(request.query);
  } catch (err) {
    if (err instanceof KqlError) throw invalidQuery(call, err);
    throw err;
  }
  const subscriptions = (request.subscriptions ?? call.ctx.state.subscriptions.map((s) => s.subscriptionId)).filter((id) =>
    hasAnyAssignmentTouching(call.ctx.state, call.claims.oid, `/subscriptions/${id}`),
  );
  const source = query.table === "resources" ? resourceRows(call, kinds) : authorizationRows(call);
  const view = callerView(call);
  const rows = source.filter(
    (r) =>
      indexed(call.ctx.state, r) &&
      (r.subscriptionId === "" || subscriptions.some((s) => eqi(s, String(r.subscriptionId)))) &&
      readable(call, view, r),
  );
  const result = runKql(query, rows);
  // A skip token carries the absolute position of the next page; $skip only applies to the first request.
  const start = request.offset > 0 ? request.offset : request.skip;
  const page = result.slice(start, start + request.top);
  const more = start + request.top < result.length;
  const data = request.table ? toTable(page) : page;
  return json(200, {
    totalRecords: result.length,
    count: page.length,
    data,
    facets: [],
    resultTruncated: "false",
    ...(more ? { $skipToken: encodeSkipToken(start + request.top) } : {}),
  });
}

function toTable(rows: Row[]): { columns: { name: string; type: string }[]; rows: unknown[][] } {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const typeOf = (v: unknown): string =>
    typeof v === "number" ? "integer" : typeof v === "boolean" ? "boolean" : v !== null && typeof v === "object" ? "object" : "string";
  return {
    columns: names.map((name) => ({ name, type: typeOf(rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name]) })),
    rows: rows.map((r) => names.map((n) => r[n] ?? null)),
  };
}
