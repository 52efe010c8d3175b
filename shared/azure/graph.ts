/**
 * A small typed Microsoft Graph client: `fetch` + `credential.getToken(<graph audience>/.default)`.
 * (The Graph SDK drops the Authorization header on hosts it does not know, so sovereign clouds and
 * the sandbox need this.) It counts its requests in the run's AzureCallLog and retries like the
 * SDK clients: honouring Retry-After within the run's budget, failing closed beyond it.
 */
import type { TokenCredential } from "@azure/core-auth";
import { RestError } from "@azure/core-rest-pipeline";
import { scopeFor, type CloudProfile } from "../cloud/profile.js";
import { isRetryable, type AzureCallLog } from "./call-policy.js";
import { RetryBudgetExceededError } from "./errors.js";

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
  log: AzureCallLog;
  deadline: number;
  maxRetries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
  now?: () => number;
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
  private readonly now: () => number;

  constructor(
    private readonly profile: CloudProfile,
    private readonly credential: TokenCredential,
    private readonly options: GraphClientOptions,
  ) {
    this.base = `${profile.graphEndpoint.replace(/\/+$/, "")}/v1.0`;
    this.now = options.now ?? Date.now;
  }

  private async send(url: string, write?: { body: unknown; retry: boolean }): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.credential.getToken(scopeFor(this.profile.graphAudience));
      if (!token) throw new RestError("no token for Microsoft Graph", { code: "NoToken" });
      this.options.log.record("graph");
      const headers: Record<string, string> = { authorization: `Bearer ${token.token}`, accept: "application/json" };
      const init: RequestInit = write ? { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(write.body) } : { headers };
      const res = await fetch(url, init);
      // A write that is not idempotent (addPassword) is never retried blindly: the caller reconciles instead.
      if (!isRetryable(res.status) || attempt >= this.options.maxRetries || (write && !write.retry)) return res;
      const header = res.headers.get("retry-after");
      const backoff = Math.min(this.options.retryDelayInMs * 2 ** attempt, this.options.maxRetryDelayInMs);
      const wait = header !== null && Number.isFinite(Number(header)) ? Number(header) * 1000 : backoff;
      if (this.now() + wait > this.options.deadline) throw new RetryBudgetExceededError(res.status, await errorCode(res), wait);
      await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** GET a Graph path (relative to /v1.0) or an absolute nextLink. */
  async get<T>(pathOrUrl: string): Promise<T> {
    const url = pathOrUrl.startsWith("https://") ? pathOrUrl : `${this.base}${pathOrUrl}`;
    const res = await this.send(url);
    if (!res.ok) throw await answerError(res);
    return (await res.json()) as T;
  }

  /**
   * POST a Graph action (relative to /v1.0). `retry: false` for actions that are not idempotent. The
   * error thrown never carries the request or response body (addPassword's answer holds a secret).
   */
  async post<T>(path: string, body: unknown, options: { retry: boolean }): Promise<T | undefined> {
    const res = await this.send(`${this.base}${path}`, { body, retry: options.retry });
    if (!res.ok) throw await answerError(res);
    if (res.status === 204) return undefined;
    const text = await res.text();
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
    const app = await this.get<{ passwordCredentials?: GraphPasswordCredential[] }>(`/applications/${encodeURIComponent(applicationObjectId)}?$select=id,passwordCredentials`);
    return app.passwordCredentials ?? [];
  }

  /** `addPassword` (never retried: a lost answer leaves an orphan that the rotation removes on its next run). */
  async addPassword(applicationObjectId: string, credential: { displayName: string; endDateTime: string }): Promise<GraphNewPassword> {
    const created = await this.post<GraphNewPassword>(`/applications/${encodeURIComponent(applicationObjectId)}/addPassword`, { passwordCredential: credential }, { retry: false });
    if (!created || typeof created.secretText !== "string" || typeof created.keyId !== "string") throw new RestError("Microsoft Graph addPassword returned no secret", { code: "NoSecretText" });
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

/** The error for a failed answer: status and Graph error code only (never the body: it may hold a secret). */
async function answerError(res: Response): Promise<RestError> {
  const code = await errorCode(res);
  return new RestError(`Microsoft Graph answered ${res.status}${code ? ` ${code}` : ""}`, { statusCode: res.status, ...(code ? { code } : {}) });
}

async function errorCode(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === "string" ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}
