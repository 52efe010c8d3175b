/**
 * How many Azure calls the gate makes for N targets, counted from the sandbox's own request log (never
 * from the product's counter): a regression that re-reads a shared fact, or goes back to one call per
 * target where one call serves them all, changes these counts. Also the cases where the shared
 * role-assignment listing must NOT be trusted (a group holds a role; the listing is too long), where
 * the gate falls back to one `assignedTo()` listing per principal and still proves the targets.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runGateOn, sandboxFor } from "../../gate/sandbox-harness.js";
import { correctScenario, execImages, NAMESPACE } from "../../gate/sandbox-scenario.js";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import type { RequestLogEntry } from "../../sandbox/log.js";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

function appNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `app${i}`);
}

function configFor(apps: readonly string[]): string {
  const targets = apps.map(
    (a) =>
      `  - workload: ${NAMESPACE}/Deployment/${a}\n    blob: [{ account: contosomedia, container: media }]\n    keyVault: [{ vault: contoso-app-kv, secrets: [django-secret-key] }]\n`,
  );
  return `targets:\n${targets.join("")}`;
}

/** The gate's calls to Azure services (ARM, Graph, Key Vault incl. its 401 challenge, Blob) from the sandbox log. */
function azureCalls(entries: readonly RequestLogEntry[]): RequestLogEntry[] {
  return entries.filter((e) => e.service === "arm" || e.service === "graph" || e.service === "keyvault" || e.service === "blob");
}

function count(entries: readonly RequestLogEntry[], path: RegExp): number {
  return entries.filter((e) => path.test(e.path)).length;
}

async function gateOn(apps: readonly string[]): Promise<RequestLogEntry[]> {
  const before = sb!.log.entries.length;
  const { report } = await runGateOn(sb!, { config: configFor(apps) });
  expect(report.verdict, JSON.stringify(report.findings.map((f) => [f.id, f.evidence]))).toBe("pass");
  const calls = azureCalls(sb!.log.entries.slice(before));
  expect(report.metadata.azureCalls).toBe(calls.length);
  return calls;
}

describe("Azure calls per gate run, from the sandbox's request log", () => {
  it("5 targets sharing a cluster, account and vault: one federated-credential listing per identity, everything else once (15 calls)", async () => {
    const apps = appNames(5);
    sb = await sandboxFor(correctScenario(apps), { azurite: false });
    const calls = await gateOn(apps);
    expect(count(calls, /\/federatedIdentityCredentials$/)).toBe(5);
    // One listing of the subscription's role assignments serves all five principals (no assignedTo per target).
    const ra = calls.filter((e) => /\/roleAssignments$/.test(e.path));
    expect(ra).toHaveLength(1);
    expect(ra[0]!.query).not.toMatch(/assignedTo|principalId/i);
    for (const shared of [
      /\/userAssignedIdentities$/,
      /\/managedClusters\/aks-prod$/,
      /\/storageAccounts$/,
      /\/containers\/media$/,
      /\/vaults$/,
      /\/denyAssignments$/,
      /\/vaults\/contoso-app-kv\/secrets$/, // secret properties through ARM: no Key Vault challenge round trip
    ])
      expect(count(calls, shared), String(shared)).toBe(1);
    expect(count(calls, /\/roleDefinitions\//)).toBe(2); // Storage Blob Data Reader, Key Vault Secrets User
    expect(calls.filter((e) => e.service === "keyvault")).toEqual([]); // the Key Vault data plane is the probe's, not the gate's
    expect(calls).toHaveLength(15);
  }, 90_000);

  it("a single target lists its principal's own assignments (the shared listing would save nothing)", async () => {
    sb = await sandboxFor(correctScenario(["backend"]), { azurite: false });
    const calls = await gateOn(["backend"]);
    const ra = calls.filter((e) => /\/roleAssignments$/.test(e.path));
    expect(ra.map((e) => decodeURIComponent(e.query))).toEqual([expect.stringMatching(/assignedTo\('[0-9a-f-]{36}'\)/)]);
    expect(calls).toHaveLength(11);
  }, 90_000);

  it("a group holding a role in the subscription: the shared listing is not trusted, each principal is listed with assignedTo()", async () => {
    const apps = appNames(3);
    sb = await sandboxFor(correctScenario(apps), { azurite: false });
    const sub = sb.state.subscriptions[0]!.subscriptionId;
    const reader = sb.state.roleAssignments.find((a) => a.roleDefinitionId.endsWith("/acdd72a7-3385-48ef-bd42-f606fba81ae7"))!; // Reader
    sb.state.roleAssignments.push({
      ...reader,
      id: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments/6f3d1f5e-0000-4000-8000-000000000001`,
      name: "6f3d1f5e-0000-4000-8000-000000000001",
      principalId: "0b6d2c1a-0000-4000-8000-0000000000aa",
      principalType: "Group",
    });
    const calls = await gateOn(apps);
    const ra = calls.filter((e) => /\/roleAssignments$/.test(e.path)).map((e) => decodeURIComponent(e.query));
    expect(ra.filter((q) => !/assignedTo/.test(q))).toHaveLength(1); // the shared listing, given up on its group row
    const principals = apps.map((a) => sb!.identity(`${a}-id`).principalId);
    const own = ra.filter((q) => /assignedTo/.test(q));
    expect(own).toHaveLength(3);
    for (const p of principals)
      expect(
        own.some((q) => q.includes(`assignedTo('${p}')`)),
        p,
      ).toBe(true);
  }, 90_000);

  it("a listing longer than the principals it would serve is given up after principals − 1 pages", async () => {
    const apps = appNames(3);
    // 2 rows per ARM page: the subscription's 8 assignments take 4 pages; 3 principals allow 2.
    sb = await startSandbox(correctScenario(apps), { azurite: false, images: execImages(), armPageSize: 2 });
    const calls = await gateOn(apps);
    const ra = calls.filter((e) => /\/roleAssignments$/.test(e.path)).map((e) => decodeURIComponent(e.query));
    expect(ra.filter((q) => !/assignedTo/.test(q))).toHaveLength(2);
    expect(ra.filter((q) => /assignedTo/.test(q))).toHaveLength(3);
  }, 90_000);
});
