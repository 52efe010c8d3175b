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
  RestError,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BUILT_IN_CLOUDS } from "../../shared/cloud/profile.js";
import { AzureCallLog, callPolicy, serviceClassifier } from "../../shared/azure/call-policy.js";
import { RetryBudgetExceededError, toFetchFailure } from "../../shared/azure/fetch-failure.js";
import { enableDebug, withLogSink } from "../../shared/log.js";

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

function pipeline(budgetMs: number, log: AzureCallLog, retry = { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 20 }) {
  const p = createEmptyPipeline();
  // The same retry policy every SDK client's pipeline uses (throttling with Retry-After + exponential backoff).
  p.addPolicy(defaultRetryPolicy(retry));
  p.addPolicy(
    callPolicy({
      log,
      classify: serviceClassifier(BUILT_IN_CLOUDS.AzureCloud!),
      deadline: Date.now() + budgetMs,
      minBackoffMs: retry.retryDelayInMs,
    }),
    { afterPhase: "Retry" },
  );
  return p;
}

/**
 * A transport whose connections drop: each attempt is reset by the peer after `afterMs` (a server that
 * accepts, then goes away), thrown as the SDK's Node transport throws it (a RestError with the socket's
 * code and no response). The first `times` attempts drop; later ones answer 200.
 */
function dropping(afterMs: number, times = Infinity): HttpClient & { sent: number } {
  const client = {
    sent: 0,
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      client.sent++;
      await new Promise((r) => setTimeout(r, afterMs));
      if (client.sent <= times) throw new RestError("read ECONNRESET", { code: "ECONNRESET", request });
      return { request, status: 200, headers: createHttpHeaders(), bodyAsText: "" };
    },
  };
  return client;
}

/** The debug lines (`--verbose`) logged while `work` runs. */
async function debugLines<T>(work: () => Promise<T>): Promise<{ lines: string[]; outcome: T }> {
  enableDebug();
  const lines: string[] = [];
  const outcome = await withLogSink((level, line) => {
    if (level === "debug") lines.push(line);
  }, work);
  return { lines, outcome };
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

  it("retries one dropped connection, counts both attempts, and says so in the debug line (path only)", async () => {
    vi.useFakeTimers({ now: 0 });
    const log = new AzureCallLog();
    const http = dropping(100, 1);
    const url = `${ARM_URL}&$skipToken=opaque-continuation`;
    const { lines, outcome } = await debugLines(async () => {
      const sent = pipeline(5_000, log).sendRequest(http, createPipelineRequest({ url }));
      await vi.runAllTimersAsync();
      return sent;
    });
    expect(outcome.status).toBe(200);
    expect(http.sent).toBe(2);
    expect(log.snapshot()).toEqual({ total: 2, byService: { "arm/Microsoft.Authorization": 2 } });
    const path = "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments";
    expect(lines).toEqual([
      `azure call: arm/Microsoft.Authorization GET ${path} → connection failed (ECONNRESET); the SDK retries`,
      `azure call: arm/Microsoft.Authorization GET ${path} → 200`,
    ]);
    expect(lines.join("\n")).not.toMatch(/api-version|skipToken|opaque/);
  });

  it("a storm of dropped connections stops at the run's retry deadline, not the SDK's maxRetries (fail closed)", async () => {
    // Each connection drops 400 ms in; the run's budget is 1 s; the SDK would retry 10 times (4.4 s and more).
    // Attempts start at 0, ~410 and ~820 ms (the SDK's jittered backoff); after the third drop (~1,220 ms) a
    // retry would start past the deadline: the policy stops there with the budget error, instead of the
    // SDK's eleventh RestError. Counted in attempts, not wall clock.
    vi.useFakeTimers({ now: 0 });
    const log = new AzureCallLog();
    const http = dropping(400);
    const { lines, outcome } = await debugLines(async () => {
      const sent = pipeline(1_000, log, { maxRetries: 10, retryDelayInMs: 10, maxRetryDelayInMs: 20 })
        .sendRequest(http, createPipelineRequest({ url: ARM_URL }))
        .catch((e: unknown) => e);
      await vi.runAllTimersAsync();
      return sent;
    });
    expect(outcome).toBeInstanceOf(RetryBudgetExceededError);
    expect(http.sent).toBe(3);
    expect(log.total).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
    // The evidence a report shows ("could not verify: …"): the socket's code, no HTTP status it never had.
    const failure = toFetchFailure(outcome);
    expect(failure).toEqual({ code: "ECONNRESET", message: expect.stringMatching(/connection failed \(ECONNRESET\)/) as unknown });
    expect(failure.message).toBe(
      "retry budget exhausted (connection failed (ECONNRESET); another attempt would start past the run's retry deadline)",
    );
    expect(lines.at(-1)).toBe(
      "azure call: arm/Microsoft.Authorization GET /subscriptions/s/providers/Microsoft.Authorization/roleAssignments → connection failed (ECONNRESET); another attempt would start past the run's retry deadline: not verified",
    );
  });

  it("classifies Key Vault and Blob hosts from the profile's templates", () => {
    const classify = serviceClassifier(BUILT_IN_CLOUDS.AzureCloud!);
    expect(classify("https://kv-app.vault.azure.net/secrets?api-version=7.6")).toBe("keyvault");
    expect(classify("https://stmedia.blob.core.windows.net/media?restype=container")).toBe("blob");
    expect(classify("https://management.azure.com/subscriptions/s?api-version=1")).toBe("arm/Microsoft.Resources");
  });
});
