/**
 * The sandbox's Azure Resource Manager: `armService(ctx)` answers the REST calls the real
 * @azure/arm-* clients (and az 2.45) make, with ARM's authentication (401 + WWW-Authenticate),
 * authorization (403 AuthorizationFailed from the sandbox's own RBAC engine), api-version checks,
 * 404 bodies, `nextLink` paging and diagnostic headers.
 *
 * Routes (paths are matched case-insensitively, after the framework collapsed `//`):
 *   /tenants, /subscriptions[/{sub}]                                resources.ts
 *   /subscriptions/{sub}/resourcegroups[/{rg}]                      resources.ts
 *   /subscriptions/{sub}/resources                                  resources.ts (generic list)
 *   /subscriptions/{sub}[/resourceGroups/{rg}]/providers/{ns}/{type}           list a tracked type
 *   /subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/…]  get it / its children
 *   {any scope}/providers/Microsoft.Authorization/…                 authorization.ts
 *   /providers/Microsoft.ResourceGraph/resources                    resourcegraph.ts
 */
import type { Handler, SandboxRequest, SandboxResponse, ServiceContext } from "../../contract.js";
import { checkAction } from "../../rbac.js";
import { authorizationProvider } from "./authorization.js";
import {
  ArmError,
  armHeaders,
  authorize,
  eqi,
  errorBody,
  findResourceGroup,
  findSubscription,
  json,
  paged,
  queryParam,
  requireApiVersion,
  resourceGroupScope,
  resourceNotFound,
  subscriptionScope,
  type ArmCall,
  type ArmOptions,
} from "./common.js";
import { managedClusters } from "./containerservice.js";
import { vaults } from "./keyvault.js";
import { fullType, type ResourceKind, type ResourceTarget, type TrackedResource } from "./kind.js";
import { userAssignedIdentities } from "./msi.js";
import { resourceGraph } from "./resourcegraph.js";
import { genericResources, resourceGroups, subscriptions, tenants } from "./resources.js";
import { storageAccounts } from "./storage.js";

export type { ArmOptions } from "./common.js";

export const ARM_KINDS: ResourceKind[] = [managedClusters, userAssignedIdentities, storageAccounts, vaults];

/** Audiences ARM accepts: its public ones (az still asks for management.core.windows.net) and the sandbox's own URL. */
function armAudiences(ctx: ServiceContext): string[] {
  const own = ctx.urls.arm.replace(/\/+$/, "");
  return [
    "https://management.azure.com",
    "https://management.azure.com/",
    "https://management.core.windows.net",
    "https://management.core.windows.net/",
    own,
    `${own}/`,
  ];
}

function authenticate(ctx: ServiceContext, req: SandboxRequest): ArmCall["claims"] {
  const header = req.headers.authorization;
  if (req.bearer === undefined) {
    if (header)
      throw new ArmError(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
      );
    throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
  }
  const check = ctx.verifyAccessToken(req.bearer, armAudiences(ctx));
  if (check.ok) return check.claims;
  const why = `${check.error} ${check.description}`;
  if (/audience/i.test(why)) {
    throw new ArmError(
      401,
      "InvalidAuthenticationTokenAudience",
      `The access token has been obtained for wrong audience or resource. It should exactly match with one of the allowed audiences '${armAudiences(ctx).join("','")}'.`,
    );
  }
  if (/expir|lifetime/i.test(why))
    throw new ArmError(401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.");
  throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.");
}

function wwwAuthenticate(ctx: ServiceContext, err: ArmError): string {
  const description =
    err.code === "AuthenticationFailed" ? "The authentication failed because of missing 'Authorization' header." : err.message;
  return `Bearer authorization_uri="${ctx.urls.authorityHost}/${ctx.state.tenantId}", error="invalid_token", error_description="${description.replace(/"/g, "'")}"`;
}

function findKind(namespace: string, type: string): ResourceKind {
  const inNamespace = ARM_KINDS.filter((k) => eqi(k.namespace, namespace));
  if (inNamespace.length === 0) throw new ArmError(400, "InvalidResourceNamespace", `The resource namespace '${namespace}' is invalid.`);
  const kind = inNamespace.find((k) => eqi(k.type, type));
  if (!kind)
    throw new ArmError(400, "InvalidResourceType", `The resource type '${type}' could not be found in the namespace '${namespace}'.`);
  return kind;
}

/** Lists a tracked type in a subscription or resource group, filtered to what the caller may read. */
function listKind(call: ArmCall, kind: ResourceKind, subscriptionId: string, resourceGroup: string | undefined): SandboxResponse {
  requireApiVersion(call, kind.type, kind.apiVersions);
  if (call.req.method !== "GET")
    throw new ArmError(405, "MethodNotAllowed", `The requested method '${call.req.method}' is not allowed on a collection.`);
  findSubscription(call, subscriptionId);
  const scope = resourceGroup === undefined ? subscriptionScope(subscriptionId) : resourceGroupScope(subscriptionId, resourceGroup);
  const action = `${fullType(kind)}/read`;
  const all = kind
    .all(call.ctx.state)
    .filter((r) => eqi(r.subscriptionId, subscriptionId) && (resourceGroup === undefined || eqi(r.resourceGroup, resourceGroup)));
  let visible: TrackedResource[] = all;
  if (!checkAction(call.ctx.state, call.claims.oid, scope, action).allowed) {
    visible = all.filter((r) => checkAction(call.ctx.state, call.claims.oid, r.id, action).allowed);
    if (visible.length === 0) authorize(call, action, scope);
  }
  if (resourceGroup !== undefined) findResourceGroup(call, subscriptionId, resourceGroup);
  return paged(
    call,
    visible.map((r) => kind.toJson(call, r)),
  );
}

function resourceOperation(
  call: ArmCall,
  kind: ResourceKind,
  subscriptionId: string,
  resourceGroup: string,
  name: string,
  rest: string[],
): SandboxResponse {
  requireApiVersion(call, kind.type, kind.apiVersions);
  findSubscription(call, subscriptionId);
  const target: ResourceTarget<TrackedResource> = {
    subscriptionId,
    resourceGroup,
    name,
    requestId: `${resourceGroupScope(subscriptionId, resourceGroup)}/providers/${kind.namespace}/${kind.type}/${name}`,
    resolve: () => {
      findResourceGroup(call, subscriptionId, resourceGroup);
      const r = kind
        .all(call.ctx.state)
        .find((x) => eqi(x.subscriptionId, subscriptionId) && eqi(x.resourceGroup, resourceGroup) && eqi(x.name, name));
      if (!r) throw resourceNotFound(fullType(kind), name, resourceGroup);
      return r;
    },
  };
  if (rest.length > 0) {
    if (!kind.child) throw new ArmError(404, "NotFound", `The sandbox does not emulate '${fullType(kind)}/${name}/${rest.join("/")}'.`);
    return kind.child(call, target, rest);
  }
  if (call.req.method !== "GET") {
    throw new ArmError(
      405,
      "MethodNotAllowed",
      `The sandbox does not create, change or delete ${fullType(kind)} resources; describe them in the scenario.`,
    );
  }
  authorize(call, `${fullType(kind)}/read`, target.requestId);
  return json(200, kind.toJson(call, target.resolve()));
}

function lastProviderIndex(lower: string[], namespace: string): number {
  for (let i = lower.length - 2; i >= 0; i--) if (lower[i] === "providers" && lower[i + 1] === namespace) return i;
  return -1;
}

function route(call: ArmCall): SandboxResponse {
  const segs = call.segments;
  const lower = segs.map((s) => s.toLowerCase());
  const auth = lastProviderIndex(lower, "microsoft.authorization");
  if (auth >= 0) return authorizationProvider(call, `/${segs.slice(0, auth).join("/")}`, segs.slice(auth + 2));
  if (lower.length === 3 && lower[0] === "providers" && lower[1] === "microsoft.resourcegraph" && lower[2] === "resources")
    return resourceGraph(call, ARM_KINDS);
  if (lower.length === 1 && lower[0] === "tenants") return tenants(call);
  if (lower[0] === "subscriptions") {
    const sub = segs[1];
    if (sub === undefined) return subscriptions(call, undefined);
    if (segs.length === 2) return subscriptions(call, sub);
    if (lower[2] === "resourcegroups") {
      if (segs.length <= 4) return resourceGroups(call, sub, segs[3]);
      const [, , , rg, providers, ns, type, name] = segs;
      if (lower[4] === "providers" && rg && providers && ns && type) {
        const kind = findKind(ns, type);
        if (name === undefined) return listKind(call, kind, sub, rg);
        return resourceOperation(call, kind, sub, rg, name, segs.slice(8));
      }
    }
    if (lower[2] === "resources" && segs.length === 3) return genericResources(call, sub, ARM_KINDS);
    if (lower[2] === "providers" && segs.length === 5) return listKind(call, findKind(segs[3] ?? "", segs[4] ?? ""), sub, undefined);
  }
  throw new ArmError(404, "NotFound", `The sandbox ARM emulator does not serve '${call.req.method} ${call.req.path}'.`);
}

/** List page size unless the sandbox was started with `armPageSize` (small values exercise paging). */
const DEFAULT_PAGE_SIZE = 100;

export function armService(ctx: ServiceContext, options: ArmOptions = {}): Handler {
  return (req) => {
    const headers = armHeaders(req);
    try {
      const claims = authenticate(ctx, req);
      const apiVersion = queryParam(req, "api-version");
      if (!apiVersion)
        throw new ArmError(
          400,
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        );
      const call: ArmCall = {
        req,
        ctx,
        claims,
        apiVersion,
        pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
        segments: req.path.split("/").filter(Boolean).map(safeDecode),
      };
      const res = route(call);
      return { ...res, headers: { ...headers, ...res.headers } };
    } catch (err) {
      if (!(err instanceof ArmError)) throw err;
      if (err.status === 401) headers["www-authenticate"] = wwwAuthenticate(ctx, err);
      return { status: err.status, headers, body: errorBody(err) };
    }
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
