/**
 * A small typed Microsoft Graph client on the Azure SDK's own HTTP stack (@azure/core-rest-pipeline):
 * bearer token for the profile's Graph audience, the SDK's retry strategies (Retry-After in every
 * form, exponential backoff on 5xx, dropped connections), the run's call policy (request counting,
 * retry budget: fail closed beyond it) and the SDK's logging (AZURE_LOG_LEVEL) — exactly like the
 * ARM and Key Vault clients. (The Graph SDK drops the Authorization header on hosts it does not know,
 * so sovereign clouds and the sandbox need this client rather than @microsoft/microsoft-graph-client.)
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  RestError,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { scopeFor, type CloudProfile } from "../cloud/profile.js";
import { profileHttpClient } from "../cloud/tls.js";

export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
}

export interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appOwnerOrganizationId?: string;
}

/** A client secret's metadata as Graph lists it (`secretText` is only ever returned by addPassword). */
export interface GraphPasswordCredential {
  keyId: string;
  displayName: string | null;
  hint: string | null;
  startDateTime: string | null;
  endDateTime: string | null;
}

/** An application (or service principal) with its client secrets' metadata and tags. */
export interface GraphSecretHolder {
  id: string;
  appId: string;
  displayName: string;
  tags?: string[];
  passwordCredentials: GraphPasswordCredential[];
}

/** addPassword's answer: the only time Graph returns the secret value. */
export interface GraphNewPassword extends GraphPasswordCredential {
  secretText: string;
}

export interface GraphFederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface GraphClientOptions {
  /** The run's call policy (AzureClients builds it once for every client): counts requests, enforces the retry budget. */
  callPolicy: PipelinePolicy;
  /** The same policy without the retry budget, for the write that is never retried (addPassword). */
  countingPolicy: PipelinePolicy;
  maxRetries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
}

interface Page<T> {
  value?: T[];
  "@odata.nextLink"?: string;
}

function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export class GraphClient {
  private readonly base: string;
  /** The profile's CA applies to the profile's own hosts only (tls.ts); otherwise the SDK's default client. */
  private readonly http: HttpClient;
  /** Reads and idempotent actions: retried like every SDK client. */
  private readonly retrying: Pipeline;
  /** Actions that are not idempotent (addPassword) are never retried blindly: the caller reconciles instead. */
  private readonly once: Pipeline;

  constructor(profile: CloudProfile, credential: TokenCredential, options: GraphClientOptions) {
    this.base = `${profile.graphEndpoint.replace(/\/+$/, "")}/v1.0`;
    this.http = profileHttpClient(profile) ?? createDefaultHttpClient();
    const scopes = scopeFor(profile.graphAudience);
    const build = (maxRetries: number, policy: PipelinePolicy): Pipeline => {
      const pipeline = createPipelineFromOptions({
        retryOptions: { maxRetries, retryDelayInMs: options.retryDelayInMs, maxRetryDelayInMs: options.maxRetryDelayInMs },
      });
      pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes }));
      pipeline.addPolicy(policy, { afterPhase: "Sign" }); // per retry, as `additionalPolicies: perRetry` in the SDK clients
      return pipeline;
    };
    this.retrying = build(options.maxRetries, options.callPolicy);
    this.once = build(0, options.countingPolicy);
  }

  private send(url: string, write?: { body: unknown; retry: boolean }): Promise<PipelineResponse> {
    const headers = createHttpHeaders({ accept: "application/json", ...(write ? { "content-type": "application/json" } : {}) });
    const request = createPipelineRequest({
      url,
      method: write ? "POST" : "GET",
      headers,
      ...(write ? { body: JSON.stringify(write.body) } : {}),
    });
    return (write && !write.retry ? this.once : this.retrying).sendRequest(this.http, request);
  }

  /** GET a Graph path (relative to /v1.0) or an absolute nextLink. */
  async get<T>(pathOrUrl: string): Promise<T> {
    const url = pathOrUrl.startsWith("https://") ? pathOrUrl : `${this.base}${pathOrUrl}`;
    const res = await this.send(url);
    if (!ok(res)) throw answerError(res);
    return JSON.parse(res.bodyAsText ?? "null") as T;
  }

  /**
   * POST a Graph action (relative to /v1.0). `retry: false` for actions that are not idempotent. The
   * error thrown never carries the request or response body (addPassword's answer holds a secret).
   */
  async post<T>(path: string, body: unknown, options: { retry: boolean }): Promise<T | undefined> {
    const res = await this.send(`${this.base}${path}`, { body, retry: options.retry });
    if (!ok(res)) throw answerError(res);
    if (res.status === 204) return undefined;
    const text = res.bodyAsText ?? "";
    return text ? (JSON.parse(text) as T) : undefined;
  }

  /** Every item of a collection, following @odata.nextLink. */
  async list<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: Page<T> = await this.get<Page<T>>(next);
      out.push(...(page.value ?? []));
      next = page["@odata.nextLink"];
    }
    return out;
  }

  async applicationByAppId(appId: string): Promise<GraphApplication | undefined> {
    const q = new URLSearchParams({ $filter: `appId eq ${odataString(appId)}`, $select: "id,appId,displayName" });
    return (await this.list<GraphApplication>(`/applications?${q.toString().replace(/\+/g, "%20")}`))[0];
  }

  async servicePrincipalByAppId(appId: string): Promise<GraphServicePrincipal | undefined> {
    const q = new URLSearchParams({ $filter: `appId eq ${odataString(appId)}`, $select: "id,appId,displayName,appOwnerOrganizationId" });
    return (await this.list<GraphServicePrincipal>(`/servicePrincipals?${q.toString().replace(/\+/g, "%20")}`))[0];
  }

  /** Every application with its client secrets' metadata (Application.Read.All or ReadWrite.OwnedBy). */
  async applicationsWithSecrets(): Promise<GraphSecretHolder[]> {
    return this.list<GraphSecretHolder>("/applications?$select=id,appId,displayName,tags,passwordCredentials");
  }

  /** Every service principal with its own client secrets (service principals can hold passwords too). */
  async servicePrincipalsWithSecrets(): Promise<GraphSecretHolder[]> {
    return this.list<GraphSecretHolder>("/servicePrincipals?$select=id,appId,displayName,tags,passwordCredentials");
  }

  /** One application's client secrets (metadata only). */
  async applicationSecrets(applicationObjectId: string): Promise<GraphPasswordCredential[]> {
    const app = await this.get<{ passwordCredentials?: GraphPasswordCredential[] }>(
      `/applications/${encodeURIComponent(applicationObjectId)}?$select=id,passwordCredentials`,
    );
    return app.passwordCredentials ?? [];
  }

  /** `addPassword` (never retried: a lost answer leaves an orphan that the rotation removes on its next run). */
  async addPassword(applicationObjectId: string, credential: { displayName: string; endDateTime: string }): Promise<GraphNewPassword> {
    const created = await this.post<GraphNewPassword>(
      `/applications/${encodeURIComponent(applicationObjectId)}/addPassword`,
      { passwordCredential: credential },
      { retry: false },
    );
    if (!created || typeof created.secretText !== "string" || typeof created.keyId !== "string")
      throw new RestError("Microsoft Graph addPassword returned no secret", { code: "NoSecretText" });
    return created;
  }

  /** `removePassword` (idempotent in effect: retried; a 404 for the key means it is already gone). */
  async removePassword(applicationObjectId: string, keyId: string): Promise<void> {
    await this.post(`/applications/${encodeURIComponent(applicationObjectId)}/removePassword`, { keyId }, { retry: true });
  }

  async applicationFederatedCredentials(applicationObjectId: string): Promise<GraphFederatedCredential[]> {
    return this.list<GraphFederatedCredential>(`/applications/${encodeURIComponent(applicationObjectId)}/federatedIdentityCredentials`);
  }
}

function ok(res: PipelineResponse): boolean {
  return res.status >= 200 && res.status < 300;
}

/** The error for a failed answer: status and Graph error code only (never the body: it may hold a secret). */
function answerError(res: PipelineResponse): RestError {
  const code = errorCode(res);
  return new RestError(`Microsoft Graph answered ${res.status}${code ? ` ${code}` : ""}`, {
    statusCode: res.status,
    ...(code ? { code } : {}),
  });
}

function errorCode(res: PipelineResponse): string | undefined {
  try {
    const body = JSON.parse(res.bodyAsText ?? "") as { error?: { code?: unknown } };
    return typeof body.error?.code === "string" ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}
