/**
 * Microsoft.Authorization at any scope: role definitions, role assignments (list with the documented
 * `$filter` semantics, get, create, delete), deny assignments, and the caller's own permissions.
 *
 * `$filter` semantics (Role Assignments - List For Scope, api-version 2022-04-01):
 * - no filter: assignments at, above and below the scope;
 * - `atScope()`: at or above the scope only;
 * - `principalId eq '{id}'`: that principal's assignments at, above or below the scope (not group-transitive);
 * - `assignedTo('{id}')`: that user's/service principal's assignments at, above or below the scope
 *   (transitive through groups in Azure; the sandbox has no group memberships, so it equals principalId eq);
 * - combinations with `and` intersect (e.g. `atScope() and assignedTo('{id}')`).
 * Deny assignments take the same filters plus `denyAssignmentName eq '{name}'`; a principal "has" a deny
 * assignment when it is listed (or Everyone is) and it is not excluded.
 */
import type { SandboxResponse } from "../../contract.js";
import { EVERYONE, isAtOrBelow, roleDefinitionOf, sameArmId } from "../../rbac.js";
import type { DenyAssignmentState, RoleAssignmentState, RoleDefinitionState } from "../../state.js";
import { AUTHORIZATION_API_VERSIONS } from "./api-versions.js";
import {
  ArmError,
  authorize,
  bodyObject,
  eqi,
  findResourceGroup,
  findSubscription,
  isGuid,
  json,
  paged,
  propertiesOf,
  queryParam,
  requireApiVersion,
  type ArmCall,
} from "./common.js";

const PROVIDER = "/providers/Microsoft.Authorization";

interface ScopeFilter {
  atScope: boolean;
  principalId?: string;
  denyAssignmentName?: string;
  roleName?: string;
  roleType?: string;
}

function normaliseScope(scope: string): string {
  const trimmed = scope.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

/** Checks the subscription (and resource group) named in a scope exist; resources below are not checked. */
function validateScope(call: ArmCall, scope: string): void {
  const parts = scope.split("/").filter(Boolean);
  if (parts[0]?.toLowerCase() !== "subscriptions" || parts[1] === undefined) return;
  findSubscription(call, parts[1]);
  if (parts[2]?.toLowerCase() === "resourcegroups" && parts[3] !== undefined) findResourceGroup(call, parts[1], parts[3]);
}

function unsupportedFilter(filter: string, supported: string): ArmError {
  return new ArmError(400, "UnsupportedQuery", `The filter '${filter}' is not supported. Supported filters are ${supported}.`);
}

/** Parses `$filter` clauses joined by `and`; `allowed` lists the clause kinds the collection accepts. */
function parseFilter(raw: string | undefined, allowed: ReadonlyArray<keyof ScopeFilter>, supported: string): ScopeFilter {
  const filter: ScopeFilter = { atScope: false };
  if (raw === undefined || raw.trim() === "") return filter;
  const clauses = raw.split(/\s+and\s+/i);
  for (const clause of clauses) {
    const c = clause.trim();
    let m: RegExpExecArray | null;
    if (/^atScope\(\s*\)$/i.test(c) && allowed.includes("atScope")) filter.atScope = true;
    else if ((m = /^assignedTo\(\s*'([^']*)'\s*\)$/i.exec(c)) && allowed.includes("principalId")) filter.principalId = m[1];
    else if ((m = /^principalId\s+eq\s+'([^']*)'$/i.exec(c)) && allowed.includes("principalId")) filter.principalId = m[1];
    else if ((m = /^denyAssignmentName\s+eq\s+'([^']*)'$/i.exec(c)) && allowed.includes("denyAssignmentName"))
      filter.denyAssignmentName = m[1];
    else if ((m = /^roleName\s+eq\s+'([^']*)'$/i.exec(c)) && allowed.includes("roleName")) filter.roleName = m[1];
    else if ((m = /^type\s+eq\s+'([^']*)'$/i.exec(c)) && allowed.includes("roleType")) filter.roleType = m[1];
    else throw unsupportedFilter(raw, supported);
  }
  return filter;
}

/** At/above the scope always; below it too unless `atScope()` was asked for. */
function scopeMatches(itemScope: string, requestScope: string, filter: ScopeFilter): boolean {
  if (isAtOrBelow(itemScope, requestScope)) return true;
  return !filter.atScope && isAtOrBelow(requestScope, itemScope);
}

// ---------------------------------------------------------------------------------------------
// Role definitions
// ---------------------------------------------------------------------------------------------

/** Role definitions are served under the subscription of the request scope (or at the root). */
function definitionPrefix(scope: string): string {
  const parts = scope.split("/").filter(Boolean);
  return parts[0]?.toLowerCase() === "subscriptions" && parts[1] ? `/subscriptions/${parts[1]}` : "";
}

function definitionJson(d: RoleDefinitionState, scope: string, call: ArmCall): Record<string, unknown> {
  return {
    id: `${definitionPrefix(scope)}${PROVIDER}/roleDefinitions/${d.name}`,
    name: d.name,
    type: "Microsoft.Authorization/roleDefinitions",
    properties: {
      roleName: d.roleName,
      type: d.type,
      description: d.description,
      assignableScopes: [...d.assignableScopes],
      permissions: d.permissions.map((p) => ({
        actions: [...p.actions],
        notActions: [...p.notActions],
        dataActions: [...p.dataActions],
        notDataActions: [...p.notDataActions],
      })),
      createdOn: call.ctx.state.startedAt.toISOString(),
      updatedOn: call.ctx.state.startedAt.toISOString(),
      createdBy: null,
      updatedBy: null,
    },
  };
}

function definitionVisibleAt(d: RoleDefinitionState, scope: string): boolean {
  if (d.type === "BuiltInRole") return true;
  return d.assignableScopes.some((s) => isAtOrBelow(s, scope));
}

function roleDefinitions(call: ArmCall, scope: string, id: string | undefined): SandboxResponse {
  if (call.req.method !== "GET") throw new ArmError(405, "MethodNotAllowed", "The sandbox does not create or change role definitions.");
  // Built-in definitions at the tenant root are readable by any signed-in caller.
  if (scope !== "/") authorize(call, "Microsoft.Authorization/roleDefinitions/read", scope);
  validateScope(call, scope);
  const defs = call.ctx.state.roleDefinitions.filter((d) => definitionVisibleAt(d, scope));
  if (id !== undefined) {
    const d = defs.find((x) => eqi(x.name, id));
    if (!d) throw new ArmError(404, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${id}' does not exist.`);
    return json(200, definitionJson(d, scope, call));
  }
  const f = parseFilter(
    queryParam(call.req, "$filter"),
    ["roleName", "roleType"],
    "'roleName eq '{value}'' or 'type eq 'BuiltInRole|CustomRole''",
  );
  const selected = defs.filter(
    (d) => (f.roleName === undefined || eqi(d.roleName, f.roleName)) && (f.roleType === undefined || eqi(d.type, f.roleType)),
  );
  return paged(
    call,
    selected.map((d) => definitionJson(d, scope, call)),
  );
}

// ---------------------------------------------------------------------------------------------
// Role assignments
// ---------------------------------------------------------------------------------------------

export function assignmentJson(a: RoleAssignmentState): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      roleDefinitionId: a.roleDefinitionId,
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      condition: a.condition ?? null,
      conditionVersion: a.condition ? (a.conditionVersion ?? "2.0") : null,
      createdOn: a.createdOn,
      updatedOn: a.createdOn,
      createdBy: null,
      updatedBy: null,
      delegatedManagedIdentityResourceId: null,
      description: null,
    },
  };
}

const ASSIGNMENT_FILTERS = "either 'atScope()' or 'principalId eq '{value}'' or 'assignedTo('{value}')'";

function listAssignments(call: ArmCall, scope: string): SandboxResponse {
  authorize(call, "Microsoft.Authorization/roleAssignments/read", scope);
  validateScope(call, scope);
  const f = parseFilter(queryParam(call.req, "$filter"), ["atScope", "principalId"], ASSIGNMENT_FILTERS);
  const selected = call.ctx.state.roleAssignments.filter(
    (a) => scopeMatches(a.scope, scope, f) && (f.principalId === undefined || eqi(a.principalId, f.principalId)),
  );
  return paged(call, selected.map(assignmentJson));
}

function principalTypeOf(call: ArmCall, principalId: string): RoleAssignmentState["principalType"] | undefined {
  const s = call.ctx.state;
  if (s.identities.some((i) => eqi(i.principalId, principalId))) return "ServicePrincipal";
  if (s.applications.some((a) => eqi(a.servicePrincipalId, principalId))) return "ServicePrincipal";
  return undefined;
}

function createAssignment(call: ArmCall, scope: string, name: string): SandboxResponse {
  if (!isGuid(name))
    throw new ArmError(
      400,
      "InvalidRoleAssignmentId",
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    );
  authorize(call, "Microsoft.Authorization/roleAssignments/write", scope);
  validateScope(call, scope);
  const p = propertiesOf(bodyObject(call));
  const { roleDefinitionId, principalId, principalType, condition, conditionVersion } = p;
  if (typeof roleDefinitionId !== "string" || typeof principalId !== "string") {
    throw new ArmError(400, "InvalidRequestContent", "The request content was invalid: 'roleDefinitionId' and 'principalId' are required.");
  }
  const role = roleDefinitionOf(call.ctx.state, roleDefinitionId);
  if (!role) {
    const guid = roleDefinitionId.split("/").filter(Boolean).pop() ?? roleDefinitionId;
    throw new ArmError(400, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${guid}' does not exist.`);
  }
  const known = principalTypeOf(call, principalId);
  const givenType = typeof principalType === "string" ? principalType : undefined;
  // ARM looks the principal up in the directory unless the caller states its type (the replication-delay escape hatch).
  if (!known && !givenType) {
    throw new ArmError(
      400,
      "PrincipalNotFound",
      `Principal ${principalId.replace(/-/g, "")} does not exist in the directory ${call.ctx.state.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    );
  }
  const assignments = call.ctx.state.roleAssignments;
  const sameName = assignments.find((a) => eqi(a.name, name));
  const duplicate = assignments.find(
    (a) =>
      eqi(a.principalId, principalId) &&
      sameArmId(a.scope, scope) &&
      eqi(roleDefinitionOf(call.ctx.state, a.roleDefinitionId)?.name, role.name),
  );
  if (duplicate) throw new ArmError(409, "RoleAssignmentExists", "The role assignment already exists.");
  if (sameName)
    throw new ArmError(
      409,
      "RoleAssignmentUpdateNotPermitted",
      "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
    );
  const prefix = scope === "/" ? "" : scope;
  const created: RoleAssignmentState = {
    id: `${prefix}${PROVIDER}/roleAssignments/${name}`,
    name,
    scope,
    roleDefinitionId,
    principalId,
    principalType: (givenType ?? known ?? "ServicePrincipal") as RoleAssignmentState["principalType"],
    createdOn: new Date(call.ctx.now()).toISOString(),
    ...(typeof condition === "string"
      ? { condition, conditionVersion: typeof conditionVersion === "string" ? conditionVersion : "2.0" }
      : {}),
  };
  assignments.push(created);
  return json(201, assignmentJson(created));
}

function roleAssignments(call: ArmCall, scope: string, name: string | undefined): SandboxResponse {
  if (name === undefined) {
    if (call.req.method !== "GET")
      throw new ArmError(405, "MethodNotAllowed", `The requested method '${call.req.method}' is not allowed on a collection.`);
    return listAssignments(call, scope);
  }
  const find = () => call.ctx.state.roleAssignments.find((a) => eqi(a.name, name) && sameArmId(a.scope, scope));
  switch (call.req.method) {
    case "GET": {
      authorize(call, "Microsoft.Authorization/roleAssignments/read", scope);
      validateScope(call, scope);
      const a = find();
      if (!a) throw new ArmError(404, "RoleAssignmentNotFound", `The role assignment '${name}' is not found.`);
      return json(200, assignmentJson(a));
    }
    case "PUT":
      return createAssignment(call, scope, name);
    case "DELETE": {
      authorize(call, "Microsoft.Authorization/roleAssignments/delete", scope);
      validateScope(call, scope);
      const a = find();
      if (!a) return { status: 204 };
      call.ctx.state.roleAssignments.splice(call.ctx.state.roleAssignments.indexOf(a), 1);
      return json(200, assignmentJson(a));
    }
    default:
      throw new ArmError(405, "MethodNotAllowed", `The requested method '${call.req.method}' is not allowed.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Deny assignments
// ---------------------------------------------------------------------------------------------

function denyPrincipal(call: ArmCall, id: string): { id: string; type: string } {
  if (id === EVERYONE) return { id, type: "SystemDefined" };
  return { id, type: principalTypeOf(call, id) ?? "ServicePrincipal" };
}

function denyJson(call: ArmCall, d: DenyAssignmentState): Record<string, unknown> {
  return {
    id: d.id,
    name: d.name,
    type: "Microsoft.Authorization/denyAssignments",
    properties: {
      denyAssignmentName: d.denyAssignmentName,
      description: `Deny assignment '${d.denyAssignmentName}'`,
      permissions: d.permissions.map((p) => ({
        actions: [...p.actions],
        notActions: [...p.notActions],
        dataActions: [...p.dataActions],
        notDataActions: [...p.notDataActions],
        condition: null,
        conditionVersion: null,
      })),
      scope: d.scope,
      doNotApplyToChildScopes: false,
      principals: d.principals.map((p) => denyPrincipal(call, p)),
      excludePrincipals: d.excludePrincipals.map((p) => denyPrincipal(call, p)),
      isSystemProtected: true,
      condition: null,
      conditionVersion: null,
      createdOn: call.ctx.state.startedAt.toISOString(),
      updatedOn: call.ctx.state.startedAt.toISOString(),
      createdBy: null,
      updatedBy: null,
    },
  };
}

function denyAppliesTo(d: DenyAssignmentState, principalId: string): boolean {
  if (d.excludePrincipals.some((p) => eqi(p, principalId))) return false;
  return d.principals.some((p) => eqi(p, principalId) || p === EVERYONE);
}

function denyAssignments(call: ArmCall, scope: string, id: string | undefined): SandboxResponse {
  if (call.req.method !== "GET") throw new ArmError(405, "MethodNotAllowed", "Deny assignments are read-only.");
  authorize(call, "Microsoft.Authorization/denyAssignments/read", scope);
  validateScope(call, scope);
  if (id !== undefined) {
    const d = call.ctx.state.denyAssignments.find((x) => eqi(x.name, id) && sameArmId(x.scope, scope));
    if (!d) throw new ArmError(404, "DenyAssignmentNotFound", `The deny assignment '${id}' is not found.`);
    return json(200, denyJson(call, d));
  }
  const f = parseFilter(
    queryParam(call.req, "$filter"),
    ["atScope", "principalId", "denyAssignmentName"],
    "'atScope()', 'principalId eq '{value}'', 'assignedTo('{value}')' or 'denyAssignmentName eq '{value}''",
  );
  const selected = call.ctx.state.denyAssignments.filter(
    (d) =>
      scopeMatches(d.scope, scope, f) &&
      (f.principalId === undefined || denyAppliesTo(d, f.principalId)) &&
      (f.denyAssignmentName === undefined || eqi(d.denyAssignmentName, f.denyAssignmentName)),
  );
  return paged(
    call,
    selected.map((d) => denyJson(call, d)),
  );
}

// ---------------------------------------------------------------------------------------------
// Caller's permissions
// ---------------------------------------------------------------------------------------------

/** `…/providers/Microsoft.Authorization/permissions`: the CALLER's effective permission blocks at the scope (no one else's). */
function permissions(call: ArmCall, scope: string): SandboxResponse {
  if (call.req.method !== "GET") throw new ArmError(405, "MethodNotAllowed", "permissions is read-only.");
  validateScope(call, scope);
  const blocks: unknown[] = [];
  for (const a of call.ctx.state.roleAssignments) {
    if (!eqi(a.principalId, call.claims.oid) || !isAtOrBelow(a.scope, scope)) continue;
    const role = roleDefinitionOf(call.ctx.state, a.roleDefinitionId);
    if (!role) continue;
    for (const p of role.permissions) {
      blocks.push({
        actions: [...p.actions],
        notActions: [...p.notActions],
        dataActions: [...p.dataActions],
        notDataActions: [...p.notDataActions],
        ...(a.condition ? { condition: a.condition, conditionVersion: a.conditionVersion ?? "2.0" } : {}),
      });
    }
  }
  return paged(call, blocks);
}

/**
 * Entry point: `scope` is everything before `/providers/Microsoft.Authorization/` ("" = tenant root),
 * `rest` the segments after it.
 */
export function authorizationProvider(call: ArmCall, rawScope: string, rest: string[]): SandboxResponse {
  requireApiVersion(call, (rest[0] ?? "").toString(), AUTHORIZATION_API_VERSIONS);
  const scope = normaliseScope(rawScope);
  const [collection, id, ...more] = rest;
  if (more.length === 0) {
    switch (collection?.toLowerCase()) {
      case "roleassignments":
        return roleAssignments(call, scope, id);
      case "roledefinitions":
        return roleDefinitions(call, scope, id);
      case "denyassignments":
        return denyAssignments(call, scope, id);
      case "permissions":
        if (id === undefined) return permissions(call, scope);
        break;
    }
  }
  throw new ArmError(404, "NotFound", `The sandbox does not emulate 'Microsoft.Authorization/${rest.join("/")}'.`);
}
