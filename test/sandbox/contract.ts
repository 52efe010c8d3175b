/**
 * The contract between the sandbox's HTTP framework (http.ts, index.ts) and its services
 * (services/*.ts). A service is a plain request → response function; the framework adds TLS,
 * the request log, latency and fault injection, and JSON encoding.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { DenyAssignmentState, TenantState } from "./state.js";

export interface SandboxRequest {
  method: string;
  /** Parsed with `new URL("https://host" + req.url)` so ARM's `//subscriptions/…` paths survive. */
  url: URL;
  /** Path with duplicate leading slashes collapsed, no query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Parsed JSON body (undefined when empty); a malformed body is answered 400 by the framework. */
  json: unknown;
  /** The `Authorization: Bearer …` token, if any. */
  bearer: string | undefined;
  /** Remote address as the service sees it (always loopback here). */
  remoteAddress: string;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON (content-type application/json); strings and Buffers as-is. */
  body?: unknown;
}

export type Handler = (req: SandboxRequest) => Promise<SandboxResponse> | SandboxResponse;

/** Claims of an access token issued by the sandbox's Entra ID. */
export interface AccessTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  appid: string;
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
  /** Graph application permissions (app roles) granted to the caller. */
  roles?: string[];
  idtyp?: "app";
}

export type TokenCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; status: 401; error: string; description: string };

export interface SandboxUrls {
  /** https://127.0.0.1:PORT (Entra ID authority host). */
  authorityHost: string;
  arm: string;
  graph: string;
  /** Key Vault base; a vault's URL is `${keyVault}/${vaultName}` (path-style, one server for all vaults). */
  keyVault: string;
  /** Authorizing proxy in front of Azurite; an account's URL is `${blob}/${account}` (path-style). */
  blob: string;
  /** Queue front (token checks on the sandbox clock) in front of Azurite's queue service, `${queue}/${account}`. */
  queue: string;
  /** Kubernetes API of a cluster: `${kubernetes}/clusters/${clusterName}`. */
  kubernetes: string;
  /** OIDC issuers: cluster issuers under `${issuers}/clusters/{guid}/`, GitHub's under `${issuers}/github`. */
  issuers: string;
  /** IMDS emulator (set AZURE_POD_IDENTITY_AUTHORITY_HOST / IMDS_ENDPOINT to it). Plain http, as IMDS is. */
  imds: string;
  /** GitHub REST API (GITHUB_API_URL). */
  github: string;
  /** Actions runtime ID-token endpoint base (ACTIONS_ID_TOKEN_REQUEST_URL is derived from it). Plain http. */
  actions: string;
  /** Loopback CONNECT proxy for child processes (HTTPS_PROXY). Plain http. */
  proxy: string;
}

export interface ServiceContext {
  state: TenantState;
  urls: SandboxUrls;
  /** Verifies a bearer token was issued by this sandbox's Entra ID for one of `audiences`, and is unexpired. */
  verifyAccessToken(token: string | undefined, audiences: string[]): TokenCheck;
  /** Epoch milliseconds (overridable clock for expiry tests). */
  now(): number;
  /** The sandbox certificate (child processes — Azurite, probe pods, Python — need the files). */
  tls: SandboxTls;
  /** A scratch directory owned by this sandbox instance, removed on stop. */
  workDir: string;
}

/** RBAC evaluation (rbac.ts): the sandbox's own, independent of the product's. */
export interface AccessDecision {
  allowed: boolean;
  /** Human-readable reason, e.g. "no role assignment grants … at …" or "denied by deny assignment X". */
  reason: string;
  /** The deny assignment that decided a refusal, when one did (services quote its name, id and scope). */
  deny?: DenyAssignmentState;
}

/** The sandbox's services; each listens on its own loopback port. */
export type ServiceName =
  "entra" | "issuers" | "arm" | "graph" | "keyvault" | "blob" | "queue" | "kubernetes" | "imds" | "github" | "actions";

/**
 * What a service module gives the framework (index.ts). The framework owns the listener (HTTPS with the
 * sandbox certificate unless `plainHttp`), the request log, latency and fault injection; the service owns
 * its routes and rules. `start`/`stop` are for services that run a child process (Azurite).
 */
export interface SandboxService {
  name: ServiceName;
  /** IMDS and the Actions runtime endpoint are plain http, as the real ones are. */
  plainHttp?: boolean;
  handler: Handler;
  /** The framework leaves the body undecoded (blob payloads may be labelled JSON without being JSON). */
  rawBody?: boolean;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** TLS material of a running sandbox (the certificate is its own CA; clients trust it via NODE_EXTRA_CA_CERTS, caData, REQUESTS_CA_BUNDLE). */
export interface SandboxTls {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}
