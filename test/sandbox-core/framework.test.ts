/**
 * The framework around every service: request log, latency, fault injection (429 + Retry-After
 * honoured by a REAL ARM SDK client, 5xx with the service's error body, 4xx with the code the service
 * documents, dropped connections, nth/times), malformed JSON → 400, ARM's rate-limit headers.
 */
import type { IncomingMessage } from "node:http";
import https from "node:https";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Faults } from "../sandbox/faults.js";
import { faultResponse } from "../sandbox/http.js";
import { startSandbox, type Sandbox, type ScenarioInput } from "../sandbox/index.js";
import { watchTimers } from "../sandbox/testing/timers.js";

const scenario: ScenarioInput = {
  subscriptions: [{ name: "prod", resourceGroups: [{ name: "app-rg", clusters: [{ name: "aks1" }] }] }],
  roleAssignments: [{ principal: "app:gate", role: "Reader", scope: "subscription:prod" }],
  applications: [{ name: "gate", graphPermissions: ["Application.Read.All"] }],
  faults: [{ service: "graph", path: "^/v1.0/applications$", status: 503, retryAfterSeconds: 2, times: 1 }],
};

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox(scenario, { azurite: false });
});
afterAll(async () => sb?.stop());
afterEach(() => {
  sb.faults.clear();
  sb.setLatency(0);
});

const sub = () => sb.state.subscriptions[0]!.subscriptionId;
const armClient = () =>
  new ContainerServiceClient(sb.credentials.app("gate"), sub(), {
    endpoint: sb.urls.arm,
    credentials: { scopes: ["https://management.azure.com/.default"] },
  });
const clusterPath = () => `/subscriptions/${sub()}/resourceGroups/app-rg/providers/Microsoft.ContainerService/managedClusters/aks1`;
const armGet = (path: string, init: RequestInit = {}) => fetch(`${sb.urls.arm}${path}`, init);

describe("faults", () => {
  // First in the file: afterEach clears every fault, the scenario's included.
  it("applies the scenario's faults: `times` alone hits the first matching calls", async () => {
    const first = await fetch(`${sb.urls.graph}/v1.0/applications`);
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("2");
    expect(((await first.json()) as { error: { code: string } }).error.code).toBe("ServiceUnavailable");
    expect((await fetch(`${sb.urls.graph}/v1.0/applications`)).status).toBe(401);
  });

  it("429 + Retry-After is honoured by the real ARM SDK client, which then succeeds", async () => {
    sb.faults.add({ service: "arm", path: "managedClusters/aks1$", status: 429, retryAfterSeconds: 1, nth: 1 });
    const timers = watchTimers(() => sb.log.arrivals);
    const cluster = await armClient()
      .managedClusters.get("app-rg", "aks1")
      .finally(() => timers.stop());
    expect(cluster.oidcIssuerProfile?.issuerURL).toBe(sb.state.clusters[0]!.issuerUrl);
    const calls = sb.log.filter({ service: "arm", path: clusterPath() });
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    // The retry came no sooner than Retry-After, by order (no clock read, so load cannot bend it): the SDK's
    // one retry wait, 1000 ms, was set after the 429 arrived and had fired before the retry arrived.
    const waits = timers.timers.filter((t) => /retryPolicy/.test(t.stack));
    expect(waits.map((t) => t.delayMs)).toEqual([1000]);
    expect(waits[0]!.scheduled).toBeGreaterThanOrEqual(calls[0]!.seq);
    expect(waits[0]!.fired).toBeLessThan(calls[1]!.seq);
    expect(calls[0]!.fault).toMatch(/^fault-/);
  });

  it("5xx comes with the service's own error body; nth hits only the Nth matching call", async () => {
    sb.faults.add({ service: "arm", path: "^/subscriptions$", status: 500, nth: 2 });
    const statuses: number[] = [];
    let body: unknown;
    for (let i = 0; i < 3; i++) {
      const res = await armGet("/subscriptions?api-version=2022-12-01");
      statuses.push(res.status);
      if (res.status === 500) body = await res.json();
    }
    expect(statuses).toEqual([401, 500, 401]);
    expect(body).toEqual({ error: { code: "InternalServerError", message: expect.stringContaining("Injected 500") } });
  });

  it("4xx comes with the code the service documents for it (ARM's AuthorizationFailed, …), else BadRequest", async () => {
    const armCode = async (status: number) => {
      sb.faults.add({ service: "arm", path: "^/subscriptions$", status, times: 1 });
      const res = await armGet("/subscriptions?api-version=2022-12-01");
      expect(res.status).toBe(status);
      return ((await res.json()) as { error: { code: string; message: string } }).error;
    };
    expect(await armCode(403)).toEqual({ code: "AuthorizationFailed", message: "Injected 403 by the sandbox." });
    expect((await armCode(401)).code).toBe("AuthenticationFailed");
    expect((await armCode(404)).code).toBe("ResourceNotFound");
    expect((await armCode(409)).code).toBe("Conflict");
    expect((await armCode(400)).code).toBe("BadRequest");
    expect((await armCode(422)).code).toBe("BadRequest"); // no documented ARM code for it
    expect(faultResponse("graph", 403, undefined).body).toMatchObject({ error: { code: "Authorization_RequestDenied" } });
    expect(faultResponse("graph", 404, undefined).body).toMatchObject({ error: { code: "Request_ResourceNotFound" } });
    expect(faultResponse("keyvault", 403, undefined).body).toMatchObject({ error: { code: "Forbidden" } });
    expect(faultResponse("kubernetes", 404, undefined).body).toMatchObject({ reason: "NotFound", code: 404 });
    expect(faultResponse("kubernetes", 403, undefined).body).toMatchObject({ reason: "Forbidden", code: 403 });
  });

  it("nth + times hits a window of calls", async () => {
    sb.faults.add({ service: "arm", path: "^/tenants$", status: 503, nth: 2, times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await armGet("/tenants?api-version=2022-12-01")).status);
    expect(statuses).toEqual([401, 503, 503, 401]);
  });

  it("drop destroys the connection", async () => {
    sb.faults.add({ service: "keyvault", drop: true });
    await expect(fetch(`${sb.urls.keyVault}/any/secrets/x?api-version=7.4`)).rejects.toThrow();
    expect(sb.log.filter({ service: "keyvault" }).at(-1)).toMatchObject({ status: 0, fault: expect.any(String) });
  });

  it("validates a runtime fault and names the bad field", () => {
    expect(() => sb.faults.add({ service: "arm", nth: 0 })).toThrow(/^invalid fault: nth: /);
    expect(() => sb.faults.add({ service: "arm", path: "(" })).toThrow(/^invalid fault: path: /);
  });

  it("the matcher counts only matching calls (unit)", () => {
    const f = new Faults();
    f.add({ service: "arm", method: "put", status: 500, nth: 2 });
    expect(f.match("arm", "GET", "/x")).toBeUndefined();
    expect(f.match("arm", "PUT", "/x")).toBeUndefined();
    expect(f.match("arm", "PUT", "/x")?.spec.status).toBe(500);
    expect(f.match("arm", "PUT", "/x")).toBeUndefined();
  });
});

describe("latency, parsing, headers and the log", () => {
  it("adds the scenario/runtime latency to ARM and Graph only", async () => {
    sb.setLatency(300);
    const timers = watchTimers(() => ({ arrived: sb.log.arrivals, answered: sb.log.entries.length }));
    try {
      await armGet("/subscriptions?api-version=2022-12-01");
      await fetch(`${sb.urls.imds}/metadata/identity/oauth2/token`);
    } finally {
      timers.stop();
    }
    // What the sandbox added, from its log: not a stopwatch, so a loaded machine cannot make it flake.
    const arm = sb.log.filter({ service: "arm" }).at(-1)!;
    expect(arm.delayedMs).toBe(300);
    expect(sb.log.filter({ service: "imds" }).at(-1)!.delayedMs).toBe(0);
    // The delay is really slept, by order: the sandbox's one timer, 300 ms, was set after the ARM request
    // arrived and had fired before its answer was logged (the answer is sent right after it is logged).
    const slept = timers.timers.filter((t) => /sandbox[\\/]http\.ts/.test(t.stack));
    expect(slept.map((t) => t.delayMs)).toEqual([300]);
    expect(slept[0]!.scheduled.arrived).toBeGreaterThanOrEqual(arm.seq);
    expect(slept[0]!.fired?.answered).toBeLessThanOrEqual(sb.log.entries.indexOf(arm));
  });

  it("answers a malformed JSON body with 400 before the service sees it", async () => {
    const res = await armGet(`${clusterPath()}?api-version=2025-05-01`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("InvalidRequestContent");
  });

  it("ARM answers carry its rate-limit headers", async () => {
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      https.get(`${sb.urls.arm}//subscriptions?api-version=2022-12-01`, resolve).on("error", reject),
    );
    res.resume();
    expect(res.headers["x-ms-ratelimit-remaining-subscription-reads"]).toMatch(/^\d+$/);
    expect(sb.log.filter({ service: "arm" }).at(-1)!.path).toBe("/subscriptions");
  });

  it("logs every request with service, method, path, query, status and duration, redacting credentials", async () => {
    sb.log.clear();
    await armClient().managedClusters.get("app-rg", "aks1");
    await fetch(`${sb.urls.imds}/metadata/identity/oauth2/token?api-version=2018-02-01&sig=SECRETSIG`, { headers: { Metadata: "true" } });
    expect(sb.log.countByService()).toEqual({ arm: 1, imds: 1 });
    expect(sb.log.count({ service: "arm", path: /managedClusters\/aks1$/, status: 200 })).toBe(1);
    const entry = sb.log.filter({ service: "imds" })[0]!;
    expect(entry).toMatchObject({ method: "GET", path: "/metadata/identity/oauth2/token", status: 400, ms: expect.any(Number) });
    expect(entry.query).toContain("sig=REDACTED");
    expect(JSON.stringify(sb.log.entries)).not.toContain("SECRETSIG");
  });
});
