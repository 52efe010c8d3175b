/**
 * A small typed Microsoft Graph client: `fetch` + `credential.getToken(<graph audience>/.default)`.
 * (The Graph SDK drops the Authorization header on hosts it does not know, so sovereign clouds and
 * the sandbox need this.) It counts its requests in the run's AzureCallLog and retries like the
 * SDK clients: honouring Retry-After within the run's budget, failing closed beyond it.
 */
import type { TokenCredential } from "@azure/core-auth";
import { RestError } from "@azure/core-rest-pipeline";
import { scopeFor, type CloudProfile } from "../cloud/profile.js";
import type { AzureCallLog } from "./call-policy.js";
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

  private async send(url: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.credential.getToken(scopeFor(this.profile.graphAudience));
      if (!token) throw new RestError("no token for Microsoft Graph", { code: "NoToken" });
      this.options.log.record("graph");
      const res = await fetch(url, { headers: { authorization: `Bearer ${token.token}`, accept: "application/json" } });
      const retryable = res.status === 429 || res.status === 408 || (res.status >= 500 && res.status !== 501 && res.status !== 505);
      if (!retryable || attempt >= this.options.maxRetries) return res;
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
    if (!res.ok) {
      const code = await errorCode(res);
      throw new RestError(`Microsoft Graph answered ${res.status}${code ? ` ${code}` : ""}`, { statusCode: res.status, ...(code ? { code } : {}) });
    }
    return (await res.json()) as T;
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

  async applicationFederatedCredentials(applicationObjectId: string): Promise<GraphFederatedCredential[]> {
    return this.list<GraphFederatedCredential>(`/applications/${encodeURIComponent(applicationObjectId)}/federatedIdentityCredentials`);
  }
}

async function errorCode(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === "string" ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}
