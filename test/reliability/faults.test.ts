/**
 * Throttling and outages beyond the ARM 429 storm that test/gate/execute-plan.sandbox.test.ts already covers:
 * 5xx bursts and dropped connections on ARM, a 429 storm on Microsoft Graph, 5xx and 429 on Key Vault,
 * and a Blob outage under the live probe. A transient fault is retried and the gate passes; a lasting
 * one ends, within the retry budget, in a fail-closed error finding that says what could not be
 * verified — never a pass. Every report and rendering is scanned for the tenant's secrets.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Finding, Report } from "../../shared/findings/model.js";
import { renderReport } from "../../shared/report/index.js";
import { runGateOn, sandboxFor, type GateRun } from "../gate/sandbox-harness.js";
import { APP_IMAGE, correctScenario, NAMESPACE, SECRET_VALUE, type Scenario } from "../gate/sandbox-scenario.js";
import type { Sandbox } from "../sandbox/index.js";
import type { FaultInput } from "../sandbox/faults.js";
import { assertNoSecrets, secretNeedles } from "./secret-scan.js";
import { pythonSdkMissing } from "../sandbox/python-sdk.js";

const TARGET = `targets:
  - workload: ${NAMESPACE}/Deployment/backend
    blob: [{ account: contosomedia, container: media }]
    keyVault: [{ vault: contoso-app-kv, secrets: [django-secret-key] }]
`;
// Short backoffs so a storm exhausts the budget in seconds; Retry-After is still honoured.
const FAST = { retryDelayInMs: 50, maxRetryDelayInMs: 200 };
const BUDGET = "retryBudgetSeconds: 2\n";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

function unverified(report: Report): Finding[] {
  return report.findings.filter((f) => f.evidence.startsWith("could not verify:"));
}

function scanOutputs(run: GateRun): void {
  assertNoSecrets(
    {
      json: JSON.stringify(run.report),
      text: renderReport(run.report, "text"),
      markdown: renderReport(run.report, "markdown"),
      sarif: renderReport(run.report, "sarif"),
    },
    secretNeedles(sb!, [SECRET_VALUE]),
  );
}

/** The most times any one request (path + query) was sent: bounded retries are proven by count, not by wall clock. */
function mostAttempts(entries: { path: string; query: string }[]): number {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(`${e.path}?${e.query}`, (counts.get(`${e.path}?${e.query}`) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

async function gateWith(
  faults: FaultInput[],
  config = TARGET,
  opts: { scenario?: Scenario; probe?: boolean; budget?: string; maxRetries?: number } = {},
): Promise<{ run: GateRun }> {
  const scenario = opts.scenario ?? correctScenario();
  sb = await sandboxFor(scenario, opts.probe ? {} : { azurite: false });
  for (const f of faults) sb.faults.add(f);
  const retry = { ...FAST, ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}) };
  const run = await runGateOn(sb, { config: `${config}${opts.budget ?? BUDGET}`, retry, ...(opts.probe ? { probe: true } : {}) });
  scanOutputs(run);
  return { run };
}

function expectFailClosed(report: Report, evidence: RegExp): Finding[] {
  expect(report.verdict).toBe("fail");
  const u = unverified(report);
  expect(u.length).toBeGreaterThan(0);
  expect(u.every((f) => f.severity === "error")).toBe(true);
  expect(
    u.some((f) => evidence.test(f.evidence)),
    u.map((f) => f.evidence).join("\n"),
  ).toBe(true);
  expect(report.metadata.unverifiedFacts).toBe(u.length);
  return u;
}

describe("transient faults are retried and the gate still proves the target", () => {
  it("a burst of ARM 503s on the role-assignment listing", async () => {
    const { run } = await gateWith([{ service: "arm", path: "/roleAssignments$", status: 503, times: 2 }]);
    expect(run.report.verdict).toBe("pass");
    expect(unverified(run.report)).toEqual([]);
    const ra = sb!.log.filter({ service: "arm", path: /\/roleAssignments$/ });
    expect(ra.map((e) => e.status)).toEqual([503, 503, 200]);
  }, 30_000);

  it("one dropped ARM connection (the cluster read)", async () => {
    const { run } = await gateWith([{ service: "arm", path: "/managedClusters/aks-prod$", drop: true, times: 1 }]);
    expect(run.report.verdict).toBe("pass");
    expect(sb!.log.filter({ service: "arm", path: /\/managedClusters\/aks-prod$/, status: 200 })).toHaveLength(1);
  }, 30_000);

  it("ARM 429 with Retry-After on the vault's secret listing, twice", async () => {
    const { run } = await gateWith(
      [{ service: "arm", path: "/vaults/contoso-app-kv/secrets$", status: 429, retryAfterSeconds: 1, times: 2 }],
      TARGET,
      { budget: "retryBudgetSeconds: 6\n" },
    );
    expect(run.report.verdict, JSON.stringify(run.report.findings.map((f) => [f.id, f.evidence]))).toBe("pass");
    expect(sb!.log.filter({ service: "arm", path: /\/vaults\/contoso-app-kv\/secrets$/, status: 429 })).toHaveLength(2);
  }, 30_000);
});

describe("lasting faults fail closed within the retry budget", () => {
  it("ARM 500s on every federated-credential read: AG204's fact is 'could not verify', never a pass", async () => {
    const { run } = await gateWith([{ service: "arm", path: "/federatedIdentityCredentials$", status: 500 }]);
    expectFailClosed(run.report, /HTTP 500/);
    expect(sb!.log.filter({ service: "arm", path: /federatedIdentityCredentials$/ }).length).toBeGreaterThan(1); // retried
    expect(mostAttempts(sb!.log.filter({ service: "arm", path: /federatedIdentityCredentials$/ }))).toBeLessThanOrEqual(4); // the SDK's 3 retries, no more
  }, 30_000);

  it("ARM dropping every role-assignment connection: the RBAC facts are unverified", async () => {
    const { run } = await gateWith([{ service: "arm", path: "/roleAssignments$", drop: true }]);
    expectFailClosed(run.report, /could not verify/);
    expect(sb!.log.filter({ service: "arm", path: /\/roleAssignments$/ }).length).toBeGreaterThan(1);
    expect(mostAttempts(sb!.log.filter({ service: "arm", path: /\/roleAssignments$/ }))).toBeLessThanOrEqual(4); // the SDK's 3 retries, no more
  }, 30_000);

  it("ARM connections that drop 0.9 s in, every time: stopped by the 2 s retry budget, not by the SDK's 10 retries", async () => {
    const { run } = await gateWith([{ service: "arm", path: "/roleAssignments$", latencyMs: 900, drop: true }], TARGET, { maxRetries: 10 });
    expectFailClosed(run.report, /could not verify: ECONNRESET reading/);
    const dropped = sb!.log.filter({ service: "arm", path: /\/roleAssignments$/ });
    expect(dropped.length).toBeGreaterThan(1); // retried while the budget lasted
    expect(dropped.every((e) => e.status === 0)).toBe(true);
    // A third attempt would start ~2.8 s in, past the 2 s deadline (the SDK alone would make 11, ~10 s).
    expect(mostAttempts(dropped)).toBeLessThanOrEqual(3);
  }, 30_000);

  it("a 429 storm on Microsoft Graph while looking up an app-registration client id", async () => {
    const scenario = correctScenario();
    sb = await sandboxFor(scenario, { azurite: false });
    const appClientId = sb.app("azure-auth-gate").appId;
    await sb.stop();
    const config = `targets:\n  - workload: ${NAMESPACE}/Deployment/backend\n    serviceAccount: backend\n    clientId: ${appClientId}\n`;
    const { run } = await gateWith([{ service: "graph", status: 429, retryAfterSeconds: 1 }], config, { scenario });
    expectFailClosed(run.report, /HTTP 429/);
    const throttled = sb!.log.filter({ service: "graph", status: 429 });
    expect(throttled.length).toBeGreaterThan(1); // Retry-After honoured, then gave up
    expect(sb!.log.filter({ service: "graph" }).every((e) => e.status === 429)).toBe(true);
    // Stopped by the 2 s budget (Retry-After 1 s: the second wait would end past it), not the SDK's 4 attempts.
    expect(mostAttempts(throttled)).toBeLessThanOrEqual(2);
  }, 30_000);

  it("ARM answering 503 to every listing of the vault's secrets: AG213's secret facts are unverified", async () => {
    const { run } = await gateWith([{ service: "arm", path: "/vaults/contoso-app-kv/secrets$", status: 503 }]);
    const u = expectFailClosed(run.report, /HTTP 503/);
    expect(u.map((f) => f.id)).toContain("AG213");
  }, 30_000);

  it("failOpen lowers a lasting outage to a warning, never to a silent pass", async () => {
    const { run } = await gateWith([{ service: "arm", path: "/federatedIdentityCredentials$", status: 500 }], `${TARGET}failOpen: true\n`);
    expect(run.report.verdict).toBe("warn");
    const u = unverified(run.report);
    expect(u.length).toBeGreaterThan(0);
    expect(u.every((f) => f.severity === "warning")).toBe(true);
  }, 30_000);

  // The app image is Python (Debian's python3 with the Azure SDK).
  it.skipIf(pythonSdkMissing() !== undefined)(
    "Blob down (503) under the live probe: the data-plane layer fails, it does not pass",
    async () => {
      const { run } = await gateWith(
        [{ service: "blob", status: 503 }],
        `${TARGET}probe: { image: "${APP_IMAGE}", timeoutSeconds: 60 }\n`,
        {
          probe: true,
        },
      );
      expect(run.report.verdict).toBe("fail");
      const dataPlane = run.report.findings.filter((f) => f.id.startsWith("AG3"));
      expect(dataPlane.length, JSON.stringify(run.report.findings.map((f) => [f.id, f.evidence.slice(0, 120)]))).toBeGreaterThan(0);
      expect(dataPlane.every((f) => f.severity === "error")).toBe(true);
      expect(sb!.log.filter({ service: "blob", status: 503 }).length).toBeGreaterThan(0);
    },
    90_000,
  );
});
