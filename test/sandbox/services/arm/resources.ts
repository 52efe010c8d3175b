/**
 * Microsoft.Resources: subscriptions, resource groups, and the generic `/subscriptions/{id}/resources`
 * list (what @azure/arm-keyvault's `vaults.list()` calls). Lists are filtered to what the caller can
 * see, like ARM: a principal with a role only on one resource group still sees that group's subscription.
 */
import type { SandboxResponse } from "../../contract.js";
import { checkAction, hasAnyAssignmentTouching } from "../../rbac.js";
import type { ResourceGroupState, SubscriptionState } from "../../state.js";
import { RESOURCES_API_VERSIONS } from "./api-versions.js";
import {
  ArmError,
  authorize,
  eqi,
  findResourceGroup,
  findSubscription,
  json,
  paged,
  queryParam,
  requireApiVersion,
  subscriptionScope,
  type ArmCall,
} from "./common.js";
import { fullType, type ResourceKind } from "./kind.js";

function subscriptionJson(call: ArmCall, s: SubscriptionState): Record<string, unknown> {
  return {
    id: subscriptionScope(s.subscriptionId),
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: call.ctx.state.tenantId,
    displayName: s.name,
    state: "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
  };
}

function resourceGroupJson(g: ResourceGroupState): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    type: "Microsoft.Resources/resourceGroups",
    location: g.location,
    properties: { provisioningState: "Succeeded" },
  };
}

function canSeeSubscription(call: ArmCall, s: SubscriptionState): boolean {
  return hasAnyAssignmentTouching(call.ctx.state, call.claims.oid, subscriptionScope(s.subscriptionId));
}

/** GET /subscriptions and /subscriptions/{id}. */
export function subscriptions(call: ArmCall, subscriptionId: string | undefined): SandboxResponse {
  requireApiVersion(call, "subscriptions", RESOURCES_API_VERSIONS, true);
  if (call.req.method !== "GET") throw new ArmError(405, "MethodNotAllowed", `The requested method '${call.req.method}' is not allowed.`);
  if (subscriptionId === undefined) {
    return paged(
      call,
      call.ctx.state.subscriptions.filter((s) => canSeeSubscription(call, s)).map((s) => subscriptionJson(call, s)),
    );
  }
  const sub = findSubscription(call, subscriptionId);
  if (!canSeeSubscription(call, sub)) authorize(call, "Microsoft.Resources/subscriptions/read", subscriptionScope(subscriptionId));
  return json(200, subscriptionJson(call, sub));
}

/** GET /tenants: the tenants the caller belongs to (az lists them at login). */
export function tenants(call: ArmCall): SandboxResponse {
  requireApiVersion(call, "tenants", RESOURCES_API_VERSIONS, true);
  if (call.req.method !== "GET") throw new ArmError(405, "MethodNotAllowed", `The requested method '${call.req.method}' is not allowed.`);
  const { tenantId, tenantName } = call.ctx.state;
  return paged(call, [
    {
      id: `/tenants/${tenantId}`,
      tenantId,
      tenantCategory: "Home",
      displayName: tenantName,
      defaultDomain: `${tenantName}.onmicrosoft.com`,
      domains: [`${tenantName}.onmicrosoft.com`],
      tenantType: "AAD",
    },
  ]);
}

/** GET /subscriptions/{id}/resourcegroups[/{name}]. */
export function resourceGroups(call: ArmCall, subscriptionId: string, name: string | undefined): SandboxResponse {
  requireApiVersion(call, "resourceGroups", RESOURCES_API_VERSIONS, true);
  // HEAD …/resourcegroups/{name} is "does it exist" (az group exists): 204 or 404, no body.
  if (call.req.method === "HEAD" && name !== undefined) {
    findSubscription(call, subscriptionId);
    authorize(call, "Microsoft.Resources/subscriptions/resourceGroups/read", `/subscriptions/${subscriptionId}/resourceGroups/${name}`);
    const exists = call.ctx.state.resourceGroups.some((g) => eqi(g.subscriptionId, subscriptionId) && eqi(g.name, name));
    return { status: exists ? 204 : 404 };
  }
  if (call.req.method !== "GET") throw new ArmError(405, "MethodNotAllowed", `The requested method '${call.req.method}' is not allowed.`);
  findSubscription(call, subscriptionId);
  const action = "Microsoft.Resources/subscriptions/resourceGroups/read";
  if (name === undefined) {
    const scope = subscriptionScope(subscriptionId);
    const groups = call.ctx.state.resourceGroups.filter((g) => eqi(g.subscriptionId, subscriptionId));
    if (checkAction(call.ctx.state, call.claims.oid, scope, action).allowed) return paged(call, groups.map(resourceGroupJson));
    const visible = groups.filter((g) => checkAction(call.ctx.state, call.claims.oid, g.id, action).allowed);
    if (visible.length === 0) authorize(call, action, scope);
    return paged(call, visible.map(resourceGroupJson));
  }
  authorize(call, action, `/subscriptions/${subscriptionId}/resourceGroups/${name}`);
  return json(200, resourceGroupJson(findResourceGroup(call, subscriptionId, name)));
}

/** GET /subscriptions/{id}/resources?$filter=resourceType eq '…' — the generic resource list. */
export function genericResources(call: ArmCall, subscriptionId: string, kinds: ResourceKind[]): SandboxResponse {
  requireApiVersion(call, "resources", RESOURCES_API_VERSIONS, true);
  findSubscription(call, subscriptionId);
  const filter = queryParam(call.req, "$filter");
  let typeFilter: string | undefined;
  if (filter !== undefined) {
    const m = /^\s*resourceType\s+eq\s+'([^']+)'\s*$/i.exec(filter);
    if (!m)
      throw new ArmError(
        400,
        "InvalidFilterInQueryString",
        `Invalid $filter '${filter}' specified in the query string. The sandbox supports "resourceType eq '<type>'".`,
      );
    typeFilter = m[1];
  }
  const rows: unknown[] = [];
  for (const kind of kinds) {
    const type = fullType(kind);
    if (typeFilter !== undefined && !eqi(type, typeFilter)) continue;
    for (const r of kind.all(call.ctx.state)) {
      if (!eqi(r.subscriptionId, subscriptionId)) continue;
      if (!checkAction(call.ctx.state, call.claims.oid, r.id, `${type}/read`).allowed) continue;
      rows.push({ id: r.id, name: r.name, type, location: r.location, tags: {} });
    }
  }
  return paged(call, rows);
}
