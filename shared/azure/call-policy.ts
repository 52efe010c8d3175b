/**
 * The one pipeline policy every Azure client of a run shares (`additionalPolicies`, per retry):
 * - counts every HTTP request actually sent, per service, for the report's metadata;
 * - keeps retries inside the run's total time budget: the SDK's retry strategies honour
 *   `Retry-After` (429/503) and back off on 5xx; when the wait Azure asks for (or the next backoff)
 *   would overrun the budget, the policy stops the retries with RetryBudgetExceededError, which the
 *   fact collectors record as "could not verify" — a fail-closed finding, never a pass;
 * - holds a dropped connection (the transport throws: no response) to the same budget: the SDK retries
 *   those too, so without it a storm of resets would be bounded by maxRetries alone.
 */
import { isRestError, type PipelinePolicy, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { CloudProfile } from "../cloud/profile.js";
import { log } from "../log.js";
import { RetryBudgetExceededError } from "./fetch-failure.js";

export const CALL_POLICY_NAME = "azureAuthGateCallPolicy";

/** Requests sent to Azure during a run, by service ("arm/Microsoft.Authorization", "graph", "keyvault", "blob"). */
export class AzureCallLog {
  total = 0;
  readonly byService: Record<string, number> = {};

  record(service: string): void {
    this.total++;
    this.byService[service] = (this.byService[service] ?? 0) + 1;
  }

  snapshot(): { total: number; byService: Record<string, number> } {
    return { total: this.total, byService: { ...this.byService } };
  }
}

function templateMatcher(template: string, placeholder: string): RegExp {
  const [head = "", tail = ""] = template.split(placeholder);
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${esc(head.toLowerCase())}[^/.]+${esc(tail.toLowerCase())}(/|$|\\?)`);
}

/** Names the service a URL belongs to, from the cloud profile's endpoints. */
export function serviceClassifier(profile: CloudProfile): (url: string) => string {
  const arm = profile.resourceManagerEndpoint.replace(/\/+$/, "").toLowerCase();
  const graph = profile.graphEndpoint.replace(/\/+$/, "").toLowerCase();
  const vault = templateMatcher(profile.keyVaultUrlTemplate, "{name}");
  const blob = templateMatcher(profile.blobUrlTemplate, "{account}");
  return (raw) => {
    const url = raw.toLowerCase();
    if (url.startsWith(`${arm}/`) || url === arm) {
      const path = new URL(raw).pathname;
      const providers = [...path.matchAll(/\/providers\/([^/]+)/gi)].map((m) => m[1] ?? "");
      return `arm/${providers.at(-1) ?? "Microsoft.Resources"}`;
    }
    if (url.startsWith(`${graph}/`)) return "graph";
    if (vault.test(url)) return "keyvault";
    if (blob.test(url)) return "blob";
    return "other";
  };
}

/** Statuses worth another attempt (the SDK's set; 501/505 never change on retry). */
export function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** The wait a response asks for, in ms, from the headers the SDK's throttling strategy reads. */
export function retryAfterMs(response: PipelineResponse, now: number): number | undefined {
  for (const [name, factor] of [
    ["retry-after-ms", 1],
    ["x-ms-retry-after-ms", 1],
    ["retry-after", 1000],
  ] as const) {
    const raw = response.headers.get(name);
    if (!raw) continue;
    const n = Number(raw);
    if (Number.isFinite(n)) return Math.max(0, n * factor);
    if (name === "retry-after") {
      const at = Date.parse(raw);
      if (Number.isFinite(at)) return Math.max(0, at - now);
    }
  }
  return undefined;
}

/**
 * Transport failures the SDK's exponential retry strategy retries (its `isSystemError` codes, which it does
 * not export): a socket reset, refused or timed out, a name that did not resolve.
 */
const RETRIED_CONNECTION_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT", "ECONNREFUSED", "ECONNRESET", "ENOENT", "ENOTFOUND"]);

/** A request that failed without a response: the transport's error code (never its message, which may name more). */
function connectionFailure(err: unknown): { code: string; retried: boolean } | undefined {
  if (!isRestError(err) || err.response) return undefined;
  const code = err.code ?? "REQUEST_SEND_ERROR";
  return { code, retried: RETRIED_CONNECTION_CODES.has(code) };
}

function errorCode(response: PipelineResponse): string | undefined {
  const header = response.headers.get("x-ms-error-code");
  if (header) return header;
  try {
    const body = JSON.parse(response.bodyAsText ?? "") as { error?: { code?: unknown } };
    return typeof body.error?.code === "string" ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

export interface CallPolicyOptions {
  log: AzureCallLog;
  classify: (url: string) => string;
  /** Epoch ms after which no retry may start. */
  deadline: number;
  /** The smallest backoff the SDK uses when no Retry-After is given. */
  minBackoffMs: number;
  now?: () => number;
  /** false for a pipeline that never retries: the policy only counts (no retry, so no budget to keep). */
  retries?: boolean;
}

export function callPolicy(opts: CallPolicyOptions): PipelinePolicy {
  const now = opts.now ?? Date.now;
  // The last failed attempt of each request (an HTTP status, or a connection failure with no status).
  const lastFailure = new WeakMap<PipelineRequest, { status: number | undefined; code: string | undefined }>();
  return {
    name: CALL_POLICY_NAME,
    async sendRequest(request, next) {
      const previous = lastFailure.get(request);
      if (previous && now() >= opts.deadline) throw new RetryBudgetExceededError(previous.status, previous.code, 0);
      const service = opts.classify(request.url);
      opts.log.record(service);
      // The path only: a query string may carry a SAS signature or a skip token.
      const sent = `azure call: ${service} ${request.method} ${new URL(request.url).pathname} →`;
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (err) {
        const dropped = connectionFailure(err);
        if (!dropped) throw err;
        const call = `${sent} connection failed (${dropped.code})`;
        if (opts.retries === false || !dropped.retried) {
          log.debug(call);
          throw err;
        }
        lastFailure.set(request, { status: undefined, code: dropped.code });
        // The SDK backs off before it reconnects: the smallest backoff is the soonest the next attempt starts.
        if (now() + opts.minBackoffMs > opts.deadline) {
          log.debug(`${call}; another attempt would start past the run's retry deadline: not verified`);
          throw new RetryBudgetExceededError(undefined, dropped.code, opts.minBackoffMs);
        }
        log.debug(`${call}; the SDK retries`);
        throw err;
      }
      const call = `${sent} ${response.status}`;
      if (opts.retries === false || !isRetryable(response.status)) {
        log.debug(call);
        return response;
      }
      const code = errorCode(response);
      lastFailure.set(request, { status: response.status, code });
      const wait = retryAfterMs(response, now()) ?? (response.status === 429 ? undefined : opts.minBackoffMs);
      if (wait !== undefined && now() + wait > opts.deadline) {
        log.debug(`${call}${code ? ` ${code}` : ""}; a retry after ${wait} ms would overrun the run's retry budget: not verified`);
        throw new RetryBudgetExceededError(response.status, code, wait);
      }
      log.debug(`${call}${code ? ` ${code}` : ""}; the SDK retries${wait !== undefined ? ` after ${wait} ms` : ""}`);
      return response;
    },
  };
}
