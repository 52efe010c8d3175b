/**
 * The sandbox's Microsoft Graph (`/v1.0`): applications (password credentials, federated identity
 * credentials, owners), service principals (app registrations' and managed identities'), and
 * `directoryObjects/getByIds`. Authorization follows Graph's application permissions from the token's
 * `roles` claim:
 * - reads need Application.Read.All, Application.ReadWrite.OwnedBy, Application.ReadWrite.All or
 *   Directory.Read(Write).All (OwnedBy may read every application, as in Entra);
 * - writes (addPassword, removePassword, federated credentials) need Application.ReadWrite.All, or
 *   Application.ReadWrite.OwnedBy AND the caller (token `oid`) listed among the application's owners.
 * `secretText` is returned once, by addPassword; every read shows `secretText: null`, as Graph does.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { AccessTokenClaims, Handler, SandboxRequest, SandboxResponse, ServiceContext } from "../contract.js";
import type { ApplicationState, FederatedCredentialState, IdentityState, PasswordCredentialState } from "../state.js";

const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** Tenant that owns managed identities' first-party application objects. */
const MICROSOFT_SERVICES_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
const READ_ROLES = [
  "Application.Read.All",
  "Application.ReadWrite.OwnedBy",
  "Application.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];
const DEFAULT_PAGE = 100;
const MAX_FICS = 20;

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface GraphCall {
  req: SandboxRequest;
  ctx: ServiceContext;
  claims: AccessTokenClaims;
  base: string;
}

const denied = () => new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
const notFound = (id: string) =>
  new GraphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
const badRequest = (message: string) => new GraphError(400, "Request_BadRequest", message);
const unsupportedQuery = (message: string) => new GraphError(400, "Request_UnsupportedQuery", message);

// ---------------------------------------------------------------------------------------------
// Authentication and permissions
// ---------------------------------------------------------------------------------------------

function graphAudiences(ctx: ServiceContext): string[] {
  const own = ctx.urls.graph.replace(/\/+$/, "");
  return ["https://graph.microsoft.com", "https://graph.microsoft.com/", GRAPH_APP_ID, own, `${own}/`];
}

function authenticate(ctx: ServiceContext, req: SandboxRequest): AccessTokenClaims {
  if (req.bearer === undefined || req.bearer === "") throw new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.");
  const check = ctx.verifyAccessToken(req.bearer, graphAudiences(ctx));
  if (check.ok) return check.claims;
  const why = `${check.error} ${check.description}`;
  if (/audience/i.test(why)) throw new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
  if (/expir|lifetime/i.test(why))
    throw new GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
  throw new GraphError(401, "InvalidAuthenticationToken", "Access token validation failure.");
}

function roles(call: GraphCall): string[] {
  return call.claims.roles ?? [];
}

function requireRead(call: GraphCall): void {
  if (!roles(call).some((r) => READ_ROLES.includes(r))) throw denied();
}

function requireWrite(call: GraphCall, app: ApplicationState): void {
  const granted = roles(call);
  if (granted.includes("Application.ReadWrite.All")) return;
  if (granted.includes("Application.ReadWrite.OwnedBy") && app.owners.some((o) => eqi(o, call.claims.oid))) return;
  throw denied();
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

function eqi(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

function passwordJson(p: PasswordCredentialState): Record<string, unknown> {
  return {
    customKeyIdentifier: null,
    displayName: p.displayName,
    endDateTime: p.endDateTime,
    hint: p.hint,
    keyId: p.keyId,
    secretText: null,
    startDateTime: p.startDateTime,
  };
}

function ficJson(f: FederatedCredentialState): Record<string, unknown> {
  return { id: f.id, name: f.name, issuer: f.issuer, subject: f.subject, description: null, audiences: [...f.audiences] };
}

function applicationJson(call: GraphCall, a: ApplicationState): Record<string, unknown> {
  return {
    id: a.id,
    deletedDateTime: null,
    appId: a.appId,
    displayName: a.displayName,
    createdDateTime: new Date(call.ctx.state.startedAt.getTime() - 90 * 86_400_000).toISOString(),
    description: null,
    signInAudience: "AzureADMyOrg",
    publisherDomain: `${call.ctx.state.tenantName}.onmicrosoft.com`,
    identifierUris: [],
    tags: [...a.tags],
    keyCredentials: [],
    passwordCredentials: a.passwordCredentials.map(passwordJson),
    requiredResourceAccess: [],
  };
}

function appServicePrincipalJson(call: GraphCall, a: ApplicationState): Record<string, unknown> {
  return {
    id: a.servicePrincipalId,
    deletedDateTime: null,
    accountEnabled: true,
    appId: a.appId,
    appDisplayName: a.displayName,
    displayName: a.displayName,
    appOwnerOrganizationId: call.ctx.state.tenantId,
    servicePrincipalType: "Application",
    servicePrincipalNames: [a.appId],
    alternativeNames: [],
    tags: [...a.tags],
    signInAudience: "AzureADMyOrg",
    keyCredentials: [],
    passwordCredentials: [],
    appRoles: [],
  };
}

function identityServicePrincipalJson(i: IdentityState): Record<string, unknown> {
  return {
    id: i.principalId,
    deletedDateTime: null,
    accountEnabled: true,
    appId: i.clientId,
    appDisplayName: null,
    displayName: i.name,
    appOwnerOrganizationId: MICROSOFT_SERVICES_TENANT,
    servicePrincipalType: "ManagedIdentity",
    servicePrincipalNames: [i.clientId, `https://identity.azure.net/${Buffer.from(i.id).toString("base64url").slice(0, 43)}=`],
    alternativeNames: ["isExplicit=True", i.id],
    tags: [],
    signInAudience: "AzureADMyOrg",
    keyCredentials: [],
    passwordCredentials: [],
    appRoles: [],
  };
}

function servicePrincipals(call: GraphCall): Record<string, unknown>[] {
  return [
    ...call.ctx.state.applications.map((a) => appServicePrincipalJson(call, a)),
    ...call.ctx.state.identities.map(identityServicePrincipalJson),
  ];
}

function directoryObject(call: GraphCall, id: string): Record<string, unknown> | undefined {
  const app = call.ctx.state.applications.find((a) => eqi(a.id, id));
  if (app) return { "@odata.type": "#microsoft.graph.application", ...applicationJson(call, app) };
  const sp = servicePrincipals(call).find((s) => eqi(String(s.id), id));
  if (sp) return { "@odata.type": "#microsoft.graph.servicePrincipal", ...sp };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// OData query options
// ---------------------------------------------------------------------------------------------

function query(call: GraphCall, name: string): string | undefined {
  for (const [k, v] of call.req.query)
    if (k.toLowerCase() === name.toLowerCase() || k.toLowerCase() === name.slice(1).toLowerCase()) return v;
  return undefined;
}

function selectFields(call: GraphCall, typeName: string, sample: Record<string, unknown>): string[] | undefined {
  const raw = query(call, "$select");
  if (raw === undefined) return undefined;
  const fields = raw
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of fields) {
    if (!Object.keys(sample).some((k) => k.toLowerCase() === f.toLowerCase())) {
      throw badRequest(`Could not find a property named '${f}' on type 'microsoft.graph.${typeName}'.`);
    }
  }
  return fields;
}

function project(obj: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  if (!fields) return obj;
  const out: Record<string, unknown> = {};
  if (obj["@odata.type"] !== undefined) out["@odata.type"] = obj["@odata.type"];
  for (const f of fields) {
    const key = Object.keys(obj).find((k) => k.toLowerCase() === f.toLowerCase());
    if (key !== undefined) out[key] = obj[key];
  }
  return out;
}

/** `$filter` with a single `prop eq 'value'` clause over `allowed` properties (plus `servicePrincipalNames/any(x:x eq 'v')` where asked). */
function filterOf(
  call: GraphCall,
  allowed: string[],
  typeName: string,
  allowSpnAny = false,
): ((o: Record<string, unknown>) => boolean) | undefined {
  const raw = query(call, "$filter");
  if (raw === undefined || raw.trim() === "") return undefined;
  const eq = /^\s*([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(raw);
  if (eq && allowed.some((p) => eqi(p, eq[1]))) {
    const prop = allowed.find((p) => eqi(p, eq[1])) ?? "";
    const value = (eq[2] ?? "").replace(/''/g, "'");
    // OData string comparison on directory properties is case-insensitive.
    return (o) => eqi(String(o[prop] ?? ""), value);
  }
  const any = /^\s*servicePrincipalNames\/any\(\s*(\w+)\s*:\s*\1\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$/i.exec(raw);
  if (allowSpnAny && any) {
    const value = (any[2] ?? "").replace(/''/g, "'");
    return (o) => Array.isArray(o.servicePrincipalNames) && o.servicePrincipalNames.some((n) => eqi(String(n), value));
  }
  const starts = /^\s*startswith\(\s*displayName\s*,\s*'((?:[^']|'')*)'\s*\)\s*$/i.exec(raw);
  if (starts) {
    const prefix = (starts[1] ?? "").replace(/''/g, "'").toLowerCase();
    return (o) =>
      String(o.displayName ?? "")
        .toLowerCase()
        .startsWith(prefix);
  }
  throw unsupportedQuery(`Unsupported or invalid query filter clause specified for resource '${typeName}': '${raw}'.`);
}

/** A collection page with `@odata.context` and `@odata.nextLink` (`$top` 1..999, opaque `$skiptoken`). */
function collection(call: GraphCall, entitySet: string, items: Record<string, unknown>[], fields: string[] | undefined): SandboxResponse {
  const topRaw = query(call, "$top");
  const top = topRaw === undefined ? DEFAULT_PAGE : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > 999)
    throw badRequest(`Invalid page size specified: '${topRaw}'. Must be between 1 and 999 inclusive.`);
  let offset = 0;
  const token = query(call, "$skiptoken");
  if (token !== undefined) {
    offset = Number(Buffer.from(token, "base64url").toString("utf8"));
    if (!Number.isInteger(offset) || offset < 0) throw badRequest("Invalid $skiptoken.");
  }
  const page = items.slice(offset, offset + top).map((o) => project(o, fields));
  const context = `${call.base}/$metadata#${entitySet}${fields ? `(${fields.join(",")})` : ""}`;
  const body: Record<string, unknown> = { "@odata.context": context, value: page };
  if (offset + top < items.length) {
    const q = new URLSearchParams();
    for (const [k, v] of call.req.query) if (!["$skiptoken", "skiptoken"].includes(k.toLowerCase())) q.append(k, v);
    q.set("$skiptoken", Buffer.from(String(offset + top)).toString("base64url"));
    body["@odata.nextLink"] = `${call.base}${call.req.path.replace(/^\/v1\.0/, "")}?${q.toString().replace(/\+/g, "%20")}`;
  }
  return { status: 200, body };
}

function entity(call: GraphCall, contextPath: string, obj: Record<string, unknown>, fields?: string[]): SandboxResponse {
  return { status: 200, body: { "@odata.context": `${call.base}/$metadata#${contextPath}`, ...project(obj, fields) } };
}

// ---------------------------------------------------------------------------------------------
// Applications
// ---------------------------------------------------------------------------------------------

/** `{id}` or `(appId='{appId}')` → the application, or Graph's 404. */
function findApplication(call: GraphCall, key: string): ApplicationState {
  const byAppId = /^\(appId='([^']*)'\)$/i.exec(key);
  const app = byAppId
    ? call.ctx.state.applications.find((a) => eqi(a.appId, byAppId[1]))
    : call.ctx.state.applications.find((a) => eqi(a.id, key));
  if (!app) throw notFound(byAppId ? `appId '${byAppId[1] ?? ""}'` : key);
  return app;
}

function secretText(): string {
  // Shape of Entra client secrets: 40 characters, a '~' after a 3-character prefix and 2-character version.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const body = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-";
  const pick = (set: string, n: number) => Array.from(randomBytes(n), (b) => set[b % set.length]).join("");
  return `${pick(alphabet, 3)}8Q~${pick(body, 34)}`;
}

function isoOr(value: unknown, fallback: Date, field: string): string {
  if (value === undefined || value === null) return fallback.toISOString();
  if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
    throw badRequest(`Invalid value specified for property '${field}' of resource 'PasswordCredential'.`);
  return new Date(value).toISOString();
}

function addPassword(call: GraphCall, app: ApplicationState): SandboxResponse {
  requireWrite(call, app);
  const body = (call.req.json ?? {}) as Record<string, unknown>;
  const cred = body.passwordCredential;
  if (cred === null || typeof cred !== "object") throw badRequest("The 'passwordCredential' parameter is required.");
  const c = cred as Record<string, unknown>;
  const start = new Date(isoOr(c.startDateTime, new Date(call.ctx.now()), "startDateTime"));
  const defaultEnd = new Date(start);
  defaultEnd.setUTCFullYear(defaultEnd.getUTCFullYear() + 2);
  const end = isoOr(c.endDateTime, defaultEnd, "endDateTime");
  if (Date.parse(end) <= start.getTime()) throw badRequest("Key credential end date must be later than its start date.");
  const secret = secretText();
  const created: PasswordCredentialState = {
    keyId: randomUUID(),
    displayName: typeof c.displayName === "string" ? c.displayName : "",
    hint: secret.slice(0, 3),
    startDateTime: start.toISOString(),
    endDateTime: end,
    secretText: secret,
  };
  app.passwordCredentials.push(created);
  return {
    status: 200,
    body: { "@odata.context": `${call.base}/$metadata#microsoft.graph.passwordCredential`, ...passwordJson(created), secretText: secret },
  };
}

function removePassword(call: GraphCall, app: ApplicationState): SandboxResponse {
  requireWrite(call, app);
  const keyId = ((call.req.json ?? {}) as Record<string, unknown>).keyId;
  if (typeof keyId !== "string" || keyId === "") throw badRequest("The 'keyId' parameter is required.");
  const index = app.passwordCredentials.findIndex((p) => eqi(p.keyId, keyId));
  if (index < 0) throw badRequest(`No password credential with keyId '${keyId}' exists on application '${app.id}'.`);
  app.passwordCredentials.splice(index, 1);
  return { status: 204 };
}

function parseFic(body: Record<string, unknown>, existing?: FederatedCredentialState): Omit<FederatedCredentialState, "id"> {
  const name = body.name ?? existing?.name;
  const issuer = body.issuer ?? existing?.issuer;
  const subject = body.subject ?? existing?.subject;
  const audiences = body.audiences ?? existing?.audiences;
  if (typeof name !== "string" || !/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$/.test(name))
    throw badRequest("Invalid value specified for property 'name' of resource 'FederatedIdentityCredential'.");
  if (typeof issuer !== "string" || issuer === "")
    throw badRequest("Invalid value specified for property 'issuer' of resource 'FederatedIdentityCredential'.");
  if (typeof subject !== "string" || subject === "")
    throw badRequest("Invalid value specified for property 'subject' of resource 'FederatedIdentityCredential'.");
  if (!Array.isArray(audiences) || audiences.length !== 1 || typeof audiences[0] !== "string") {
    throw badRequest(
      "Invalid value specified for property 'audiences' of resource 'FederatedIdentityCredential'. Exactly one audience is allowed.",
    );
  }
  return { name, issuer, subject, audiences: [audiences[0]] };
}

function federatedCredentials(call: GraphCall, app: ApplicationState, idOrName: string | undefined): SandboxResponse {
  const set = `applications('${app.id}')/federatedIdentityCredentials`;
  const method = call.req.method;
  if (idOrName === undefined) {
    if (method === "GET") {
      requireRead(call);
      const all = app.federatedIdentityCredentials.map(ficJson);
      const filter = filterOf(call, ["subject", "issuer", "name"], "federatedIdentityCredential");
      return collection(
        call,
        set,
        filter ? all.filter(filter) : all,
        selectFields(call, "federatedIdentityCredential", ficJson({ id: "", name: "", issuer: "", subject: "", audiences: [] })),
      );
    }
    if (method === "POST") {
      requireWrite(call, app);
      const wanted = parseFic((call.req.json ?? {}) as Record<string, unknown>);
      if (app.federatedIdentityCredentials.some((f) => eqi(f.name, wanted.name))) {
        throw new GraphError(
          409,
          "Request_MultipleObjectsWithSameKeyValue",
          `FederatedIdentityCredential with name ${wanted.name} already exists.`,
        );
      }
      if (app.federatedIdentityCredentials.length >= MAX_FICS)
        throw badRequest(`An application can have at most ${MAX_FICS} federated identity credentials.`);
      const created: FederatedCredentialState = { id: randomUUID(), ...wanted };
      app.federatedIdentityCredentials.push(created);
      return { status: 201, body: { "@odata.context": `${call.base}/$metadata#${set}/$entity`, ...ficJson(created) } };
    }
    throw new GraphError(405, "Request_BadRequest", `The method '${method}' is not allowed on this collection.`);
  }
  const fic = app.federatedIdentityCredentials.find((f) => eqi(f.id, idOrName) || eqi(f.name, idOrName));
  if (method === "GET") {
    requireRead(call);
    if (!fic) throw notFound(idOrName);
    return entity(call, `${set}/$entity`, ficJson(fic));
  }
  if (method === "PATCH") {
    requireWrite(call, app);
    if (!fic) throw notFound(idOrName);
    const body = (call.req.json ?? {}) as Record<string, unknown>;
    if (body.name !== undefined && body.name !== fic.name)
      throw badRequest("The 'name' of a federated identity credential cannot be changed.");
    Object.assign(fic, parseFic(body, fic));
    return { status: 204 };
  }
  if (method === "DELETE") {
    requireWrite(call, app);
    if (!fic) throw notFound(idOrName);
    app.federatedIdentityCredentials.splice(app.federatedIdentityCredentials.indexOf(fic), 1);
    return { status: 204 };
  }
  throw new GraphError(405, "Request_BadRequest", `The method '${method}' is not allowed.`);
}

function applications(call: GraphCall, parts: string[]): SandboxResponse {
  const [head, action, sub, ...more] = parts;
  const key = head === "applications" ? undefined : head?.slice("applications".length);
  if (key === undefined || key === "") {
    if (parts.length > 1) throw notFound(parts.slice(1).join("/"));
    if (call.req.method !== "GET")
      throw new GraphError(405, "Request_BadRequest", "The sandbox does not create applications; describe them in the scenario.");
    requireRead(call);
    const all = call.ctx.state.applications.map((a) => applicationJson(call, a));
    const filter = filterOf(call, ["appId", "id", "displayName"], "application");
    const sample =
      all[0] ??
      applicationJson(call, {
        id: "",
        appId: "",
        displayName: "",
        passwordCredentials: [],
        federatedIdentityCredentials: [],
        owners: [],
        servicePrincipalId: "",
        graphPermissions: [],
        tags: [],
      });
    return collection(call, "applications", filter ? all.filter(filter) : all, selectFields(call, "application", sample));
  }
  const app = findApplication(call, key.startsWith("/") ? key.slice(1) : key);
  const verb = action?.toLowerCase();
  if (verb === undefined) {
    if (call.req.method !== "GET")
      throw new GraphError(405, "Request_BadRequest", "The sandbox does not change applications except through their actions.");
    requireRead(call);
    const json = applicationJson(call, app);
    return entity(call, "applications/$entity", json, selectFields(call, "application", json));
  }
  if (more.length > 0) throw notFound(parts.join("/"));
  if (verb === "addpassword" && call.req.method === "POST" && sub === undefined) return addPassword(call, app);
  if (verb === "removepassword" && call.req.method === "POST" && sub === undefined) return removePassword(call, app);
  if (verb === "federatedidentitycredentials") return federatedCredentials(call, app, sub);
  if (verb === "owners" && call.req.method === "GET" && sub === undefined) {
    requireRead(call);
    const owners = app.owners.map((id) => directoryObject(call, id) ?? { "@odata.type": "#microsoft.graph.directoryObject", id });
    return collection(call, "directoryObjects", owners, undefined);
  }
  throw notFound(parts.join("/"));
}

function servicePrincipalsRoute(call: GraphCall, parts: string[]): SandboxResponse {
  const [head, ...more] = parts;
  if (call.req.method !== "GET" || more.length > 0) throw notFound(parts.join("/"));
  requireRead(call);
  const all = servicePrincipals(call);
  const key = head === "servicePrincipals" ? "" : (head ?? "").slice("servicePrincipals".length);
  if (key === "") {
    const filter = filterOf(call, ["appId", "id", "displayName", "servicePrincipalType"], "servicePrincipal", true);
    return collection(call, "servicePrincipals", filter ? all.filter(filter) : all, selectFields(call, "servicePrincipal", all[0] ?? {}));
  }
  // `servicePrincipals/{id}` or `servicePrincipals(appId='{appId}')`.
  const byAppId = /^\(appId='([^']*)'\)$/i.exec(key);
  const id = key.startsWith("/") ? key.slice(1) : undefined;
  const sp = byAppId ? all.find((s) => eqi(String(s.appId), byAppId[1])) : all.find((s) => eqi(String(s.id), id));
  if (!sp) throw notFound(byAppId?.[1] ?? id ?? key);
  return entity(call, "servicePrincipals/$entity", sp, selectFields(call, "servicePrincipal", sp));
}

function getByIds(call: GraphCall): SandboxResponse {
  requireRead(call);
  const body = (call.req.json ?? {}) as Record<string, unknown>;
  const ids = body.ids;
  if (!Array.isArray(ids) || !ids.every((i) => typeof i === "string")) throw badRequest("The 'ids' parameter is required.");
  const types = Array.isArray(body.types) ? body.types.map((t) => String(t).toLowerCase()) : undefined;
  const found = ids
    .map((id) => directoryObject(call, id))
    .filter((o): o is Record<string, unknown> => o !== undefined)
    .filter((o) => !types || types.includes(String(o["@odata.type"]).replace("#microsoft.graph.", "").toLowerCase()));
  return { status: 200, body: { "@odata.context": `${call.base}/$metadata#directoryObjects`, value: found } };
}

/**
 * Path segments after `/v1.0`, with the entity key folded into the first one so both addressing
 * forms look alike: `applications/{id}/addPassword` → ["applications/{id}", "addPassword"],
 * `applications(appId='…')/addPassword` → ["applications(appId='…')", "addPassword"].
 */
function splitPath(path: string): string[] {
  const raw = path
    .split("/")
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const [set, second, ...rest] = raw;
  if (set && second && (set === "applications" || set === "servicePrincipals") && !second.startsWith("(")) {
    return [`${set}/${second}`, ...rest];
  }
  return raw;
}

function route(call: GraphCall, parts: string[]): SandboxResponse {
  const head = parts[0] ?? "";
  if (head === "applications" || head.startsWith("applications(") || head.startsWith("applications/")) return applications(call, parts);
  if (head === "servicePrincipals" || head.startsWith("servicePrincipals(") || head.startsWith("servicePrincipals/"))
    return servicePrincipalsRoute(call, parts);
  if (head === "directoryObjects" && parts[1] === "getByIds" && parts.length === 2 && call.req.method === "POST") return getByIds(call);
  throw new GraphError(400, "BadRequest", `Resource not found for the segment '${head}'.`);
}

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function graphService(ctx: ServiceContext): Handler {
  return (req) => {
    const requestId = randomUUID();
    const clientRequestId = header(req, "client-request-id") ?? requestId;
    const headers: Record<string, string> = { "request-id": requestId, "client-request-id": clientRequestId, "odata-version": "4.0" };
    try {
      const claims = authenticate(ctx, req);
      if (!req.path.startsWith("/v1.0/"))
        throw new GraphError(400, "BadRequest", "Invalid version: the sandbox serves Microsoft Graph v1.0 only.");
      const call: GraphCall = { req, ctx, claims, base: `${ctx.urls.graph.replace(/\/+$/, "")}/v1.0` };
      const res = route(call, splitPath(req.path.slice("/v1.0".length)));
      return { ...res, headers: { ...headers, ...res.headers } };
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      if (err.status === 401)
        headers["www-authenticate"] =
          `Bearer realm="", authorization_uri="${ctx.urls.authorityHost}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`;
      const date = new Date(ctx.now()).toISOString().replace(/\.\d+Z$/, "");
      return {
        status: err.status,
        headers,
        body: {
          error: {
            code: err.code,
            message: err.message,
            innerError: { date, "request-id": requestId, "client-request-id": clientRequestId },
          },
        },
      };
    }
  };
}
