/**
 * The shared call policy inside the SDK's real retry pipeline (core-rest-pipeline's retry strategies):
 * it counts every attempt and stops retrying when Retry-After would overrun the run's budget.
 * The transport is a scripted HttpClient (no network); the sandbox tests cover the real services.
 */
import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  defaultRetryPolicy,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BUILT_IN_CLOUDS } from "../../shared/cloud/profile.js";
import { AzureCallLog, callPolicy, serviceClassifier } from "../../shared/azure/call-policy.js";
import { RetryBudgetExceededError, toFetchFailure } from "../../shared/azure/fetch-failure.js";

function scripted(statuses: { status: number; headers?: Record<string, string>; body?: string }[]): HttpClient & { sent: number } {
  const client = {
    sent: 0,
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const next = statuses[Math.min(client.sent, statuses.length - 1)]!;
      client.sent++;
      return { request, status: next.status, headers: createHttpHeaders(next.headers ?? {}), bodyAsText: next.body ?? "" };
    },
  };
  return client;
}

function pipeline(budgetMs: number, log: AzureCallLog) {
  const p = createEmptyPipeline();
  // The same retry policy every SDK client's pipeline uses (throttling with Retry-After + exponential backoff).
  p.addPolicy(defaultRetryPolicy({ maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 20 }));
  p.addPolicy(
    callPolicy({ log, classify: serviceClassifier(BUILT_IN_CLOUDS.AzureCloud!), deadline: Date.now() + budgetMs, minBackoffMs: 10 }),
    { afterPhase: "Retry" },
  );
  return p;
}

const ARM_URL = "https://management.azure.com/subscriptions/s/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01";

afterEach(() => {
  vi.useRealTimers();
});

describe("call policy", () => {
  it("honours a short Retry-After and counts every attempt", async () => {
    const log = new AzureCallLog();
    const http = scripted([{ status: 429, headers: { "retry-after": "0" } }, { status: 200 }]);
    const res = await pipeline(5_000, log).sendRequest(http, createPipelineRequest({ url: ARM_URL }));
    expect(res.status).toBe(200);
    expect(http.sent).toBe(2);
    expect(log.snapshot()).toEqual({ total: 2, byService: { "arm/Microsoft.Authorization": 2 } });
  });

  it("stops when Retry-After would overrun the budget (fail closed, no long sleep)", async () => {
    // A fake clock: any wait the retry policy started would only pass when the test runs the timers, and
    // would move the clock. So "no sleep" is: every timer run, the clock still where it started, one request.
    vi.useFakeTimers({ now: 0 });
    const log = new AzureCallLog();
    const http = scripted([
      { status: 429, headers: { "retry-after": "30" }, body: JSON.stringify({ error: { code: "TooManyRequests" } }) },
    ]);
    const outcome = pipeline(1_000, log)
      .sendRequest(http, createPipelineRequest({ url: ARM_URL }))
      .catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const err = await outcome;
    expect(Date.now()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(err).toBeInstanceOf(RetryBudgetExceededError);
    expect(toFetchFailure(err)).toMatchObject({ status: 429, code: "TooManyRequests" });
    expect(http.sent).toBe(1);
  });

  it("gives a persistent 500 up after the SDK's retries", async () => {
    const log = new AzureCallLog();
    const http = scripted([{ status: 500 }]);
    const res = await pipeline(5_000, log).sendRequest(
      http,
      createPipelineRequest({ url: "https://graph.microsoft.com/v1.0/applications" }),
    );
    expect(res.status).toBe(500);
    expect(http.sent).toBe(4);
    expect(log.byService).toEqual({ graph: 4 });
  });

  it("classifies Key Vault and Blob hosts from the profile's templates", () => {
    const classify = serviceClassifier(BUILT_IN_CLOUDS.AzureCloud!);
    expect(classify("https://kv-app.vault.azure.net/secrets?api-version=7.6")).toBe("keyvault");
    expect(classify("https://stmedia.blob.core.windows.net/media?restype=container")).toBe("blob");
    expect(classify("https://management.azure.com/subscriptions/s?api-version=1")).toBe("arm/Microsoft.Resources");
  });
});
