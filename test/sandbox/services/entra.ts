/**
 * The sandbox's Entra ID (authority host): OpenID discovery, JWKS, the v2.0 (and v1) token endpoint
 * for client credentials, and `/common/discovery/instance` for Python MSAL (reached through the
 * egress proxy's login.microsoftonline.com tunnel). It says no the way Entra does — status, `error`,
 * `error_description` "AADSTSnnnn: …\r\nTrace ID: … Correlation ID: … Timestamp: …", `error_codes`,
 * `timestamp`, `trace_id`, `correlation_id`, `error_uri` — for each rule:
 *   unknown tenant 90002 · unknown client 700016 · bad scope 70011 · malformed assertion 50027 ·
 *   bad signature 700027 · issuer not served 90061 · assertion outside its lifetime 700024 ·
 *   no FIC for the issuer 700211 · subject differs 700213 (only by case: 7002138) · audience 70021 ·
 *   wrong secret 7000215 · expired secret 7000222 · no credential 7000218.
 */
import { randomUUID } from "node:crypto";
import type { Handler, SandboxRequest, SandboxResponse, ServiceContext } from "../contract.js";
import { decodeJwt, publicJwk, verifySignature } from "../jwt.js";
import type { ApplicationState, FederatedCredentialState, IdentityState } from "../state.js";
import { issueAccessToken, type TokenSubject } from "../tokens.js";
import { issuerKey } from "./issuers.js";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);
/** Entra tolerates this much clock skew on assertions. */
const SKEW_SECONDS = 300;

interface AadError {
  status: number;
  error: string;
  code: number;
  message: string;
}

const aad = (status: number, error: string, code: number, message: string): AadError => ({ status, error, code, message });

function entraTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function entraService(ctx: ServiceContext): Handler {
  const authority = ctx.urls.authorityHost.replace(/\/+$/, "");

  const errorResponse = (req: SandboxRequest, e: AadError): SandboxResponse => {
    const traceId = randomUUID();
    const correlationId = header(req, "client-request-id") ?? randomUUID();
    const at = ctx.now();
    return {
      status: e.status,
      headers: {
        "x-ms-request-id": traceId,
        "client-request-id": correlationId,
        "cache-control": "no-store, no-cache",
        "x-ms-ests-server": "2.1.sandbox",
      },
      body: {
        error: e.error,
        error_description: `AADSTS${e.code}: ${e.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${entraTimestamp(at)}`,
        error_codes: [e.code],
        timestamp: entraTimestamp(at),
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `${authority}/error?code=${e.code}`,
      },
    };
  };

  /** The tenant segment may be the tenant id or its domain name; anything else does not exist. */
  const knownTenant = (t: string | undefined) =>
    t !== undefined && (t.toLowerCase() === ctx.state.tenantId || t.toLowerCase() === `${ctx.state.tenantName}.onmicrosoft.com`);
  const tenantNotFound = (t: string) =>
    aad(
      400,
      "invalid_tenant",
      90002,
      `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    );

  function openidConfiguration(): SandboxResponse {
    const t = `${authority}/${ctx.state.tenantId}`;
    return {
      status: 200,
      headers: { "cache-control": "max-age=86400, private" },
      body: {
        token_endpoint: `${t}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        jwks_uri: `${t}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${t}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${authority}/oidc/userinfo`,
        authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${t}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${t}/oauth2/v2.0/logout`,
        claims_supported: [
          "sub",
          "iss",
          "cloud_instance_name",
          "cloud_instance_host_name",
          "cloud_graph_host_name",
          "msgraph_host",
          "aud",
          "exp",
          "iat",
          "auth_time",
          "acr",
          "nonce",
          "preferred_username",
          "name",
          "tid",
          "ver",
          "at_hash",
          "c_hash",
          "email",
        ],
        kerberos_endpoint: `${t}/kerberos`,
        tenant_region_scope: "EU",
        cloud_instance_name: new URL(authority).host,
        cloud_graph_host_name: "graph.windows.net",
        msgraph_host: "graph.microsoft.com",
        rbac_url: "https://pas.windows.net",
      },
    };
  }

  /** Python MSAL asks login.microsoftonline.com about any authority it does not know; we vouch for ourselves. */
  function instanceDiscovery(req: SandboxRequest): SandboxResponse {
    const endpoint = req.query.get("authorization_endpoint") ?? "";
    let tenant = ctx.state.tenantId;
    let host = new URL(authority).host;
    try {
      const u = new URL(endpoint);
      host = u.host;
      tenant = u.pathname.split("/").filter(Boolean)[0] ?? tenant;
    } catch {
      // no or bad authorization_endpoint: describe the sandbox's own authority
    }
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${authority}/${tenant}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
    };
  }

  type Client = { kind: "identity"; identity: IdentityState } | { kind: "app"; app: ApplicationState };

  function findClient(clientId: string): Client | undefined {
    const id = clientId.toLowerCase();
    const identity = ctx.state.identities.find((i) => i.clientId === id);
    if (identity) return { kind: "identity", identity };
    const app = ctx.state.applications.find((a) => a.appId === id);
    return app ? { kind: "app", app } : undefined;
  }

  function resourceOf(form: URLSearchParams, v1: boolean): string | AadError {
    if (v1) {
      const resource = form.get("resource");
      return resource
        ? resource
        : aad(
            400,
            "invalid_request",
            50001,
            "The resource principal named was not found in the tenant. The request must include a 'resource' parameter.",
          );
    }
    const raw = form.get("scope");
    if (!raw) return aad(400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
    const scopes = raw.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s));
    const bad = scopes.find((s) => !s.endsWith("/.default"));
    if (scopes.length === 0 || bad !== undefined) {
      return aad(
        400,
        "invalid_scope",
        70011,
        `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${bad ?? raw} is not valid. The scope format is invalid. Scope must be in a valid URI form <https://example/scope> or a valid Guid <guid/scope>.`,
      );
    }
    if (scopes.length > 1)
      return aad(
        400,
        "invalid_scope",
        70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${raw} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    return scopes[0]!.slice(0, -"/.default".length);
  }

  function checkAssertion(client: Client, clientId: string, assertion: string): AadError | undefined {
    const jwt = decodeJwt(assertion);
    if (!jwt) return aad(400, "invalid_client", 50027, "JWT token is invalid or malformed.");
    const { iss, sub, aud, exp, nbf } = jwt.payload;
    const fics: FederatedCredentialState[] =
      client.kind === "identity" ? client.identity.federatedCredentials : client.app.federatedIdentityCredentials;
    const key = issuerKey(ctx.state, ctx.urls.issuers, iss);
    if (!key) {
      // Entra looks the issuer up among the client's FICs first; only a configured issuer is fetched.
      if (fics.some((f) => f.issuer === iss))
        return aad(
          400,
          "invalid_request",
          90061,
          `Request to External OIDC endpoint failed. The issuer '${String(iss)}' could not be reached to fetch its OpenID configuration and signing keys.`,
        );
      return noIssuer(iss);
    }
    if (jwt.header.kid !== key.kid || !verifySignature(jwt, key.publicKey)) {
      return aad(
        401,
        "invalid_client",
        700027,
        `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${String(jwt.header.kid ?? jwt.header.x5t ?? "")}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
      );
    }
    const now = ctx.now() / 1000;
    if (typeof exp !== "number" || (typeof nbf === "number" && nbf > now + SKEW_SECONDS) || exp < now - SKEW_SECONDS) {
      const fmt = (s: unknown) => (typeof s === "number" ? new Date(s * 1000).toISOString() : "unknown");
      return aad(
        400,
        "invalid_client",
        700024,
        `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid from ${fmt(nbf ?? jwt.payload.iat)}, expiry time of assertion ${fmt(exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
      );
    }
    const byIssuer = fics.filter((f) => f.issuer === iss);
    if (byIssuer.length === 0) return noIssuer(iss);
    const bySubject = byIssuer.filter((f) => f.subject === sub);
    if (bySubject.length === 0) {
      if (typeof sub === "string" && byIssuer.some((f) => f.subject.toLowerCase() === sub.toLowerCase())) {
        return aad(
          400,
          "invalid_request",
          7002138,
          `No matching federated identity record found for presented assertion subject '${sub}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
        );
      }
      return aad(
        400,
        "invalid_request",
        700213,
        `No matching federated identity record found for presented assertion subject '${String(sub)}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
      );
    }
    const audiences = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === "string");
    if (!bySubject.some((f) => f.audiences.some((a) => audiences.includes(a)))) {
      return aad(
        400,
        "invalid_request",
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${String(iss)}'. Assertion Subject: '${String(sub)}'. Assertion Audience: '${audiences.join(",")}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
      );
    }
    return undefined;
  }

  const noIssuer = (iss: unknown) =>
    aad(
      400,
      "invalid_request",
      700211,
      `No matching federated identity record found for presented assertion issuer '${String(iss)}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
    );

  function checkSecret(client: Client, clientId: string, secret: string): AadError | undefined {
    const invalid = aad(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    );
    if (client.kind !== "app") return invalid;
    const matching = client.app.passwordCredentials.filter((p) => p.secretText === secret);
    if (matching.length === 0) return invalid;
    const now = ctx.now();
    const live = matching.filter((p) => Date.parse(p.startDateTime) <= now && Date.parse(p.endDateTime) > now);
    if (live.length > 0) return undefined;
    if (matching.some((p) => Date.parse(p.endDateTime) <= now)) {
      return aad(
        401,
        "invalid_client",
        7000222,
        `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
      );
    }
    return invalid;
  }

  function token(req: SandboxRequest, v1: boolean): SandboxResponse {
    const form = new URLSearchParams(req.body.toString("utf8"));
    const grant = form.get("grant_type");
    if (grant !== "client_credentials")
      return errorResponse(
        req,
        aad(
          400,
          "unsupported_grant_type",
          70003,
          `The app requested an unsupported grant type '${grant ?? ""}'. The sandbox's Entra ID serves client credentials only.`,
        ),
      );
    const clientId = form.get("client_id");
    if (!clientId)
      return errorResponse(req, aad(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."));
    const client = findClient(clientId);
    if (!client) {
      return errorResponse(
        req,
        aad(
          400,
          "unauthorized_client",
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${ctx.state.tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        ),
      );
    }
    const resource = resourceOf(form, v1);
    if (typeof resource !== "string") return errorResponse(req, resource);
    const assertion = form.get("client_assertion");
    const secret = form.get("client_secret");
    let refused: AadError | undefined;
    if (assertion !== null) {
      refused =
        form.get("client_assertion_type") !== JWT_BEARER
          ? aad(
              400,
              "invalid_request",
              50027,
              `Invalid client_assertion_type '${form.get("client_assertion_type") ?? ""}'; expected '${JWT_BEARER}'.`,
            )
          : checkAssertion(client, clientId, assertion);
    } else if (secret !== null) {
      refused = checkSecret(client, clientId, secret);
    } else {
      refused = aad(
        401,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    if (refused) return errorResponse(req, refused);
    const subject: TokenSubject =
      client.kind === "identity" ? { kind: "identity", identity: client.identity } : { kind: "app", app: client.app };
    const issued = issueAccessToken(ctx.state, subject, resource, ctx.now(), ctx.urls.graph);
    const body: Record<string, unknown> = {
      token_type: "Bearer",
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.token,
    };
    if (v1) Object.assign(body, { expires_on: String(issued.claims.exp), not_before: String(issued.claims.nbf), resource });
    return {
      status: 200,
      headers: {
        "cache-control": "no-store, no-cache",
        pragma: "no-cache",
        "client-request-id": header(req, "client-request-id") ?? randomUUID(),
        "x-ms-request-id": randomUUID(),
      },
      body,
    };
  }

  return (req) => {
    const segs = req.path.split("/").filter(Boolean);
    const [tenant, ...rest] = segs;
    const route = rest.join("/");
    if (tenant === "common" && route === "discovery/instance" && req.method === "GET") return instanceDiscovery(req);
    if (tenant === undefined)
      return { status: 404, body: { error: "not_found", error_description: "The sandbox Entra ID serves /{tenant}/… only." } };
    const known = knownTenant(tenant);
    if (route === "v2.0/.well-known/openid-configuration" || route === ".well-known/openid-configuration") {
      return known ? openidConfiguration() : errorResponse(req, tenantNotFound(tenant));
    }
    if (route === "discovery/v2.0/keys" || route === "discovery/keys") {
      return known ? { status: 200, body: { keys: [publicJwk(ctx.state.entraSigningKey)] } } : errorResponse(req, tenantNotFound(tenant));
    }
    if ((route === "oauth2/v2.0/token" || route === "oauth2/token") && req.method === "POST") {
      if (!known) return errorResponse(req, { ...tenantNotFound(tenant), error: "invalid_request" });
      return token(req, route === "oauth2/token");
    }
    return {
      status: 404,
      body: { error: "not_found", error_description: `The sandbox Entra ID does not serve ${req.method} ${req.path}.` },
    };
  };
}
