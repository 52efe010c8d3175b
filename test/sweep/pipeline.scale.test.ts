/**
 * The sweep at scale, proven on the sandbox's request log:
 * - discovery reads federated credentials from Resource Graph and cross-checks a sample through ARM;
 * - when Resource Graph lacks rows (the whole type, one identity's rows) or refuses the query, the
 *   cross-check notices, discovery lists every identity through ARM and the report says so — with the
 *   same bindings and the same findings as the ARM path (never a silent "no bindings");
 * - per-identity listings respect the concurrency cap and Retry-After;
 * - the check phase reuses discovery (seeded fact cache): no identity, credential, role-assignment,
 *   role-definition or cluster read, each distinct GET at most once per invocation (one cache shared
 *   by the invocation's clusters), and the same findings as a gate run that reads everything itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FactSeed } from "../../shared/azure/facts/seed.js";
import { targetKey, type Finding } from "../../shared/findings/model.js";
import { checkUnits, type CheckUnit } from "../../shared/sweep/check-batch.js";
import { scopeByName } from "../../shared/sweep/sweep-config.js";
import { discover } from "../../shared/sweep/discover.js";
import { FIC_TYPE } from "../../shared/sweep/federated-credentials.js";
import { paths, type BindingsMessage } from "../../shared/sweep/queue-messages.js";
import { assembleReport, checkBatch, planSweep, secretsPart, type PartResult, type RunManifest } from "../../shared/sweep/pipeline.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import type { RequestLogEntry } from "../sandbox/log.js";
import { resourceGraphIndex } from "../sandbox/services/arm/resourcegraph.js";
import { watchTimers } from "../sandbox/testing/timers.js";
import { harness, scenario, VAULT, writeConfig, type Harness } from "../functions/function-world.js";

/** Identities besides the harness's four: most bound to aks-prod, every fourth with no credential, every fifth also a GitHub one. */
const FILLER = 28;

let sb: Sandbox;
let h: Harness;
let sub: string;

function estate() {
  const s = scenario();
  const rg = s.subscriptions![0]!.resourceGroups![0]!;
  for (let i = 0; i < FILLER; i++) {
    const name = `svc${String(i).padStart(2, "0")}-id`;
    const fics = i % 4 === 3 ? [] : [{ name: `aks-svc${i}`, issuer: "cluster:aks-prod", subject: `system:serviceaccount:svc:svc${i}` }];
    if (i % 5 === 0) fics.push({ name: `github-svc${i}`, issuer: "github", subject: `repo:contoso/platform:environment:svc${i}` });
    rg.identities!.push({ name, federatedCredentials: fics });
    if (i % 6 === 0) s.roleAssignments!.push({ principal: `identity:${name}`, role: "Contributor", scope: "subscription:prod" });
    else s.roleAssignments!.push({ principal: `identity:${name}`, role: "Reader", scope: "rg:prod/platform-rg" });
  }
  return s;
}

function config(sandbox: Sandbox, discovery: Record<string, unknown> = {}): string {
  const cluster = (name: string) => ({ subscription: sub, resourceGroup: "platform-rg", name });
  return writeConfig(sandbox, {
    batchSize: 50,
    discovery,
    scopes: [
      {
        name: "production",
        subscriptions: [sub],
        // Two explicit targets on two clusters reading the same vault: one batch, two gate runs, one cache.
        targets: [
          {
            cluster: cluster("aks-prod"),
            workload: "app/Deployment/backend",
            serviceAccount: "backend",
            clientId: sandbox.identity("backend-id").clientId,
            keyVault: [{ vault: VAULT, secrets: ["django-secret-key"] }],
          },
          {
            cluster: cluster("aks-legacy"),
            workload: "jobs/Deployment/worker",
            serviceAccount: "worker",
            clientId: sandbox.identity("worker-id").clientId,
            keyVault: [{ vault: VAULT, secrets: ["django-secret-key"] }],
          },
        ],
      },
    ],
  });
}

beforeAll(async () => {
  sb = await startSandbox(estate());
  sub = sb.state.subscriptions[0]!.subscriptionId;
  h = harness(sb, config(sb));
});

afterAll(async () => {
  await sb?.stop();
});

const AZURE = new Set(["arm", "graph", "keyvault"]);
const since = (n: number) => sb.log.entries.slice(n).filter((e) => AZURE.has(e.service));
const ficListings = (entries: readonly RequestLogEntry[]) =>
  entries.filter((e) => e.method === "GET" && /\/federatedIdentityCredentials$/i.test(e.path));
const findingKeys = (fs: readonly Finding[]) => fs.map((f) => `${f.id}|${targetKey(f.target)}|${f.severity}|${f.evidence}`).sort();

interface SweepRun {
  manifest: RunManifest;
  discovery: RequestLogEntry[];
  checks: { message: BindingsMessage; part: PartResult; calls: RequestLogEntry[] }[];
  findings: string[];
}

/** Plans a run (discovery + seeds + messages) and checks every batch, each in its own "invocation". */
async function sweep(hh: Harness = h): Promise<SweepRun> {
  const start = sb.log.entries.length;
  const { manifest, messages } = await planSweep(hh.rt, "production", { rotate: false });
  const discovery = since(start);
  const checks: SweepRun["checks"] = [];
  for (const message of messages) {
    if (message.kind !== "bindings") continue;
    const before = sb.log.entries.length;
    const part = await checkBatch(hh.rt, message);
    checks.push({ message, part, calls: since(before) });
  }
  return { manifest, discovery, checks, findings: findingKeys(checks.flatMap((c) => c.part.findings)) };
}

function withoutFicRows<T>(work: () => Promise<T>): Promise<T> {
  const gaps = resourceGraphIndex(sb.state).omitTypes;
  gaps.add(FIC_TYPE);
  return work().finally(() => gaps.delete(FIC_TYPE));
}

let baseline: SweepRun;

describe("discovery: Resource Graph, verified", () => {
  it("reads federated credentials in one query and lists only the cross-checked sample through ARM", async () => {
    const start = sb.log.entries.length;
    const { inventory, stats } = await discover(h.rt.clients(), scopeByName(h.rt.config, "production"), {
      discovery: h.rt.config.discovery,
      sampleSeed: "run-1",
    });
    const calls = since(start);
    const identities = sb.state.identities.length;
    expect(stats.credentialsFrom[sub]).toBe("resource-graph");
    expect(calls.filter((e) => e.method === "POST" && /Microsoft\.ResourceGraph\/resources$/i.test(e.path))).toHaveLength(1);
    // 16 sampled + the identities Resource Graph shows without a credential (7 fillers), never all of them.
    expect(ficListings(calls)).toHaveLength(stats.verifiedIdentities);
    expect(stats.verifiedIdentities).toBeGreaterThanOrEqual(16);
    expect(stats.verifiedIdentities).toBeLessThan(identities);
    // One listing each for identities, all role assignments, deny assignments, clusters: no per-identity role reads.
    expect(calls.filter((e) => /\/roleAssignments$/i.test(e.path))).toHaveLength(1);
    expect(calls.filter((e) => /\/roleAssignments$/i.test(e.path))[0]!.query).not.toMatch(/assignedTo/i);
    expect(inventory.notices).toBeUndefined();
    expect(inventory.bindings).toHaveLength(4 + FILLER - FILLER / 4 + Math.ceil(FILLER / 5));

    // A different run id cross-checks a different sample (the sample moves between runs; each run's is fixed).
    const again = sb.log.entries.length;
    await discover(h.rt.clients(), scopeByName(h.rt.config, "production"), { discovery: h.rt.config.discovery, sampleSeed: "run-2" });
    const a = new Set(ficListings(calls).map((e) => e.path));
    const b = new Set(ficListings(since(again)).map((e) => e.path));
    expect([...b].some((p) => !a.has(p))).toBe(true);
  });

  it("the ARG path and the ARM path (Resource Graph lacks the type) find the same bindings and the same findings", async () => {
    baseline = await sweep();
    const fallback = await withoutFicRows(() => sweep());
    expect(baseline.manifest.inventory.notices).toBeUndefined();
    expect(fallback.manifest.inventory.notices).toEqual([
      expect.stringMatching(
        /^Resource Graph does not index federated credentials here; listed them per identity \(subscription .*: identity .* has \d+ credential\(s\) in ARM, 0 in Resource Graph\)/,
      ),
    ]);
    expect(ficListings(fallback.discovery)).toHaveLength(sb.state.identities.length);
    expect(fallback.manifest.inventory.bindings).toEqual(baseline.manifest.inventory.bindings);
    expect(fallback.findings).toEqual(baseline.findings);
    expect(baseline.findings.some((f) => f.startsWith("AG202|"))).toBe(true);
    expect(baseline.findings.filter((f) => f.startsWith("AG209|")).length).toBeGreaterThan(1);
  });

  it("one identity missing from the index (no rows for it) is caught by the cross-check", async () => {
    const victim = sb.identity("svc05-id");
    const prefixes = resourceGraphIndex(sb.state).omitIdPrefixes;
    prefixes.add(`${victim.id}/federatedIdentityCredentials/`);
    try {
      const run = await sweep();
      expect(run.manifest.inventory.notices?.[0]).toMatch(
        /listed them per identity .*identity svc05-id has 2 credential\(s\) in ARM, 0 in Resource Graph/,
      );
      expect(run.manifest.inventory.bindings).toEqual(baseline.manifest.inventory.bindings);
      expect(run.findings).toEqual(baseline.findings);
    } finally {
      prefixes.clear();
    }
  });

  it("Resource Graph refusing the query (400) falls back to ARM, and the Markdown report says so", async () => {
    const fault = sb.faults.add({ service: "arm", method: "POST", path: "Microsoft\\.ResourceGraph/resources$", status: 400 });
    try {
      const run = await sweep();
      expect(run.manifest.inventory.notices?.[0]).toMatch(/listed them per identity .*the query failed: HTTP 400/);
      expect(run.findings).toEqual(baseline.findings);
      // Complete the run (its secrets part) and assemble the audit report.
      await secretsPart(
        h.rt,
        { kind: "secrets", runId: run.manifest.runId, scope: "production", part: "secrets", rotate: false },
        h.rt.clients().graph,
      );
      const { markdown, report } = await assembleReport(h.rt, run.manifest.runId);
      expect(report.metadata.notices).toEqual(run.manifest.inventory.notices);
      expect(markdown).toMatch(
        /## How this run read the estate\n\n- Resource Graph does not index federated credentials here; listed them per identity/,
      );
    } finally {
      sb.faults.clear(fault);
    }
  });

  it("per-identity listings keep to the concurrency cap and wait as long as Retry-After asks", async () => {
    const capped = harness(sb, config(sb, { concurrency: 3 }));
    // Holds each answer a moment so that listings the client runs at once are open together at the sandbox.
    sb.setLatency(40);
    const fault = sb.faults.add({
      service: "arm",
      method: "GET",
      path: "/federatedIdentityCredentials$",
      status: 429,
      retryAfterSeconds: 1,
      nth: 5,
    });
    const timers = watchTimers(() => sb.log.arrivals, 1000);
    try {
      const run = await withoutFicRows(() => sweep(capped));
      const listings = ficListings(run.discovery);
      const throttled = listings.find((e) => e.status === 429)!;
      const retried = listings.find((e) => e.status === 200 && e.path === throttled.path && e.seq > throttled.seq)!;
      // Retry-After honoured, by order: the SDK's retry timer of 1 s was set after the 429 arrived and had fired
      // before the retry arrived (a Node timer never fires early; no clock is read).
      const retryWaits = timers.timers.filter((t) => /retryPolicy/.test(t.stack) && t.scheduled >= throttled.seq);
      expect(retryWaits.map((t) => t.delayMs)).toEqual([1000]);
      expect(retryWaits[0]!.fired).toBeLessThan(retried.seq);
      expect(run.manifest.inventory.unreadable).toEqual([]);
      expect(run.findings).toEqual(baseline.findings);
      // In flight at once, as the sandbox saw it: the listings still unanswered when each listing arrived.
      const isListing = new Set(listings.map((e) => e.seq));
      const inFlight = listings.map((e) => 1 + e.openOnArrival.filter((seq) => isListing.has(seq)).length);
      expect(Math.max(...inFlight)).toBeLessThanOrEqual(3);
      expect(Math.max(...inFlight)).toBeGreaterThanOrEqual(2);
    } finally {
      timers.stop();
      sb.faults.clear(fault);
      sb.setLatency(0);
    }
  });
});

describe("check phase: reuses discovery", () => {
  it("reads no identity, credential, role or cluster fact again, and no GET twice in an invocation", () => {
    expect(baseline.checks).toHaveLength(1); // every unit on both clusters in one batch: one invocation
    for (const { calls } of baseline.checks) {
      expect(
        calls.filter((e) =>
          /userAssignedIdentities|federatedIdentityCredentials|roleAssignments|roleDefinitions|managedClusters|denyAssignments/i.test(
            e.path,
          ),
        ),
      ).toEqual([]);
      // Key Vault's unauthenticated challenge (401) is the protocol's handshake, not a read.
      const reads = calls.filter((e) => e.method === "GET" && e.status !== 401).map((e) => `${e.service} ${e.path}?${e.query}`);
      expect(reads.length).toBeGreaterThan(0); // the explicit targets' vault and its secrets
      expect(reads.filter((r, i) => reads.indexOf(r) !== i)).toEqual([]);
    }
    // Role definitions: one GET per definition for the whole run (discovery), none in the checks.
    const defs = baseline.discovery.filter((e) => /roleDefinitions\//i.test(e.path)).map((e) => e.path);
    expect(defs.length).toBeGreaterThan(0);
    expect(new Set(defs).size).toBe(defs.length);
  });

  it("with batches of one unit each, no invocation reads a fact twice either", async () => {
    const small = harness(sb, writeConfig(sb, { batchSize: 1, scopes: [{ name: "production", subscriptions: [sub] }] }));
    const run = await sweep(small);
    expect(run.checks.length).toBeGreaterThan(20);
    for (const { calls } of run.checks) expect(calls.filter((e) => e.service === "arm" || e.service === "graph")).toEqual([]);
  });

  it("gives the same findings as gate runs that read everything themselves (no seed)", async () => {
    const scope = scopeByName(h.rt.config, "production");
    const seed = await h.rt.store.getJson<FactSeed>(paths.seed(baseline.manifest.runId, baseline.checks[0]!.message.part));
    expect(seed?.identities.length).toBeGreaterThan(20);
    const units = baseline.checks.flatMap((c) => c.message.units as CheckUnit[]);
    const start = sb.log.entries.length;
    const unseeded = await checkUnits({
      units,
      scope,
      config: h.rt.config,
      profile: h.rt.profile,
      credential: h.rt.credential,
      now: h.rt.now(),
      ...(h.rt.retry ? { retry: h.rt.retry } : {}),
    });
    expect(findingKeys(unseeded.findings)).toEqual(baseline.findings);
    // Without a seed the same batch costs a read per identity (its federated credentials): what the seed
    // saves. The identities' role assignments come from one shared listing per subscription either way.
    expect(since(start).filter((e) => /\/federatedIdentityCredentials$/i.test(e.path)).length).toBeGreaterThan(20);
    expect(since(start).filter((e) => /\/roleAssignments$/i.test(e.path) && !/assignedTo/i.test(e.query))).toHaveLength(1);
    expect(unseeded.azureCalls).toBeGreaterThan(baseline.checks[0]!.part.azureCalls! + 20);
  });
});
