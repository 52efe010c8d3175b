/**
 * The compliance sweep end to end, as the Functions host would run it: the timer handler discovers
 * the scope's bindings in the sandbox (ARM), enqueues batches on real Azurite queues, the queue
 * handlers check them (AG2xx via runGate), scan and rotate secrets (Graph, Key Vault, Entra), write
 * partial results to Blob, and the last one triggers the audit report: JSON + Markdown written once,
 * `latest.json`, drift against the previous run (AG406), one GitHub issue per scope, a webhook post.
 * Poison messages carry their reason; the on-demand HTTP sweep answers the JSON report; and no secret
 * byte appears in any log, Blob, queue message, GitHub body, webhook body or HTTP answer.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { HttpRequest, type Timer } from "@azure/functions";
import { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding, Report } from "../../shared/findings/model.js";
import { paths, QUEUES } from "../../shared/sweep/queue-messages.js";
import type { AuditPointer } from "../../shared/sweep/pipeline.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { findSecrets, secretNeedles } from "../reliability/secret-scan.js";
import {
  APP_SECRETS,
  blobTexts,
  GITHUB_TOKEN,
  harness,
  poisonMessages,
  pumpQueues,
  REPOSITORY,
  scenario,
  secretWorks,
  VAULT,
  writeConfig,
  type Harness,
} from "./function-world.js";

const TIMER: Timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
const WEBHOOK_TOKEN = "hook-token-5f3a9c1e7b2d4a60";

let sb: Sandbox;
let h: Harness;
let hook: http.Server;
const hookBodies: string[] = [];
const queueTexts: string[] = [];
const httpBodies: string[] = [];
const removedSecrets: string[] = [];

beforeAll(async () => {
  hook = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      hookBodies.push(body);
      res.writeHead(req.url === `/hooks/${WEBHOOK_TOKEN}` ? 200 : 404).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  sb = await startSandbox(scenario());
  const kv = new SecretClient(`${sb.urls.keyVault}/${VAULT}`, sb.credentials.app("aag-function"), {
    disableChallengeResourceVerification: true,
  });
  await kv.setSecret("teams-webhook", `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/${WEBHOOK_TOKEN}`);
  const sub = sb.state.subscriptions[0]!.subscriptionId;
  const config = writeConfig(sb, {
    batchSize: 1,
    scopes: [
      {
        name: "production",
        subscriptions: [sub],
        targets: [
          {
            cluster: { subscription: sub, resourceGroup: "platform-rg", name: "aks-prod" },
            workload: "app/Deployment/backend",
            serviceAccount: "backend",
            clientId: sb.identity("backend-id").clientId,
            keyVault: [{ vault: VAULT, secrets: ["django-secret-key"] }],
          },
        ],
      },
    ],
    rotation: {
      optIn: { appIds: [sb.app("payments-api").appId] },
      keyVault: [{ appId: sb.app("payments-api").appId, vault: VAULT, secret: "payments-client-secret" }],
      verifyAttempts: 3,
      verifyDelaySeconds: 0,
    },
    github: { repository: REPOSITORY, apiUrl: sb.urls.github, token: { vault: VAULT, secret: "github-token" } },
    webhook: { url: { vault: VAULT, secret: "teams-webhook" } },
  });
  h = harness(sb, config);
});

afterAll(async () => {
  await sb?.stop();
  await new Promise<void>((r) => hook?.close(() => r()));
});

async function latest(): Promise<{ pointer: AuditPointer; report: Report; markdown: string }> {
  const pointer = (await h.rt.store.getJson<AuditPointer>(paths.latest))!;
  const ref = pointer.scopes.production!;
  return { pointer, report: (await h.rt.store.getJson<Report>(ref.json))!, markdown: (await h.rt.store.getText(ref.markdown))!.text };
}

const has = (fs: Finding[], id: string, name: RegExp) =>
  fs.some((f) => f.id === id && name.test(`${f.target.namespace ?? ""}/${f.target.name}`));

describe("scheduled sweep", () => {
  it("discovers every binding, checks them in batches through the queues, rotates, and writes one report", async () => {
    await h.handlers.complianceSweep(TIMER, h.context("complianceSweep"));
    await pumpQueues(sb, h, queueTexts);

    const audits = (await h.rt.store.list("audit/")).filter((n) => /^audit\/\d{4}\/\d{2}\/\d{2}\/.+\.(json|md)$/.test(n));
    expect(audits).toHaveLength(2);
    const { pointer, report, markdown } = await latest();
    expect(audits).toContain(pointer.scopes.production!.json);
    expect(report.metadata.runId).toBe(pointer.scopes.production!.runId);

    const inventory = report.metadata.inventory as { bindings: { ficName: string }[] };
    expect(inventory.bindings.map((b) => b.ficName).sort()).toEqual(["aks-backend", "aks-ops", "github-main", "legacy-worker"]);
    // Three ServiceAccount bindings + one explicit target, one per message (batchSize 1), plus the secrets part.
    const manifest = await h.rt.store.getJson<{ parts: string[] }>(paths.manifest(String(report.metadata.runId)));
    expect(manifest!.parts).toEqual(["bindings-0000", "bindings-0001", "bindings-0002", "bindings-0003", "secrets"]);

    const f = report.findings;
    expect(has(f, "AG202", /managedClusters\/aks-legacy$/)).toBe(true); // the worker's cluster has Workload Identity off
    expect(has(f, "AG202", /managedClusters\/aks-prod$/)).toBe(false);
    expect(f.some((x) => x.id === "AG209" && /managed identity 'ops-id'.*'Contributor' at subscription scope/.test(x.evidence))).toBe(true);
    expect(has(f, "AG213", /secrets\/django-secret-key$/)).toBe(true); // the explicit target's secret is missing
    expect(has(f, "AG208", /vaults\/aag-rotation-kv$/)).toBe(true); // and its identity has no role on the vault
    expect(has(f, "AG401", /payments-api/) && has(f, "AG401", /billing-api/) && has(f, "AG401", /ledger-api/)).toBe(true);
    expect(has(f, "AG401", /clean-api/)).toBe(false);
    expect(has(f, "AG403", /billing-api/)).toBe(true); // expired 2 days ago
    expect(f.find((x) => x.id === "AG403" && /ledger-api/.test(x.target.name))!.evidence).toMatch(/maximum age/);
    // payments-api was rotated in this run: AG404 (key id, vault, name, version — no value); its old secret is retiring, not AG402.
    const ag404 = f.find((x) => x.id === "AG404")!;
    expect(ag404.evidence).toMatch(
      new RegExp(`keyId [0-9a-f-]{36} stored in Key Vault '${VAULT}' as secret 'payments-client-secret' version [0-9a-f]{32}`),
    );
    // payments-api's hand-made secret is not the rotation's: it stays, and its coming expiry is reported with the manual fix.
    expect(
      f.some((x) => x.id === "AG402" && /payments-api/.test(`${x.target.name} ${x.evidence}`) && /az ad app credential reset/.test(x.fix)),
    ).toBe(true);
    expect(f.some((x) => x.id === "AG406")).toBe(false); // first run: no baseline
    expect(report.verdict).toBe("fail");

    const stored = sb.state.keyVaults
      .find((v) => v.name === VAULT)!
      .secrets.find((s) => s.name === "payments-client-secret")!
      .versions.at(-1)!;
    expect(await secretWorks(sb, sb.app("payments-api").appId, stored.value)).toBe(true);

    expect(markdown).toMatch(/^# Azure auth compliance: production/);
    expect(markdown).toContain("First sweep of this scope");
    const issues = sb.state.github!.issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toBe("Azure auth compliance: production");
    expect(issues[0]!.body).toBe(markdown);
    expect(hookBodies).toHaveLength(1);
    expect(JSON.parse(hookBodies[0]!)).toEqual({ text: markdown });
  });

  it("a second sweep reports drift: AG406 for changed bindings, fixed / new findings, and updates the same issue", async () => {
    const first = await latest();
    // Someone adds a federated credential and removes the over-broad role assignment between sweeps.
    sb.identity("backend-id").federatedCredentials.push({
      id: `${sb.identity("backend-id").id}/federatedIdentityCredentials/aks-api`,
      name: "aks-api",
      issuer: sb.state.clusters.find((c) => c.name === "aks-prod")!.issuerUrl!,
      subject: "system:serviceaccount:app:api",
      audiences: ["api://AzureADTokenExchange"],
    });
    const broad = sb.state.roleAssignments.findIndex((r) => r.principalId === sb.identity("ops-id").principalId);
    sb.state.roleAssignments.splice(broad, 1);
    // And the expired secret is cleaned up by hand.
    removedSecrets.push(...sb.app("billing-api").passwordCredentials.map((p) => p.secretText));
    sb.app("billing-api").passwordCredentials.length = 0;

    await h.handlers.complianceSweep(TIMER, h.context("complianceSweep"));
    await pumpQueues(sb, h, queueTexts);
    const second = await latest();
    expect(second.report.metadata.runId).not.toBe(first.report.metadata.runId);

    const ag406 = second.report.findings.filter((f) => f.id === "AG406").map((f) => f.evidence);
    expect(ag406.some((e) => /^added: federated credential 'aks-api'.*system:serviceaccount:app:api/.test(e))).toBe(true);
    expect(ag406.some((e) => /^role assignment removed: role b24988ac-6180-42a0-ab88-20f7382dd24c/.test(e))).toBe(true);
    const drift = second.report.metadata.drift as {
      previousRunId: string;
      fixed: { id: string; target: { name: string } }[];
      stillOpen: { id: string }[];
    };
    expect(drift.previousRunId).toBe(first.report.metadata.runId);
    expect(drift.fixed.map((r) => r.id)).toEqual(expect.arrayContaining(["AG209", "AG403"]));
    expect(drift.stillOpen.map((r) => r.id)).toEqual(expect.arrayContaining(["AG202", "AG401"]));
    expect(second.markdown).toMatch(/Compared with run `.+`: \*\*\d+ new\*\*, \*\*\d+ fixed\*\*/);

    const issues = sb.state.github!.issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.body).toBe(second.markdown);
    expect(hookBodies).toHaveLength(2);
    expect((await h.rt.store.list("audit/")).filter((n) => n.endsWith(".json") && n !== paths.latest)).toHaveLength(2);
  });

  it("a redelivered report message writes nothing twice and posts nothing twice", async () => {
    const { report, markdown } = await latest();
    const issueBody = sb.state.github!.issues[0]!.body;
    await h.handlers.auditReport({ kind: "report", runId: report.metadata.runId }, h.context("auditReport", 2));
    expect((await latest()).markdown).toBe(markdown);
    expect(sb.state.github!.issues[0]!.body).toBe(issueBody);
    expect(hookBodies).toHaveLength(2);
  });
});

describe("poison messages", () => {
  it("a malformed message goes to the poison queue at once, with the reason", async () => {
    await h.handlers.checkBindings({ kind: "bindings", runId: "not-a-run" }, h.context(QUEUES.bindings, 1));
    const poison = await poisonMessages(sb, QUEUES.bindings);
    expect(poison.at(-1)!.reason).toMatch(/invalid message: runId: not a run id/);
    expect(poison.at(-1)!.message).toEqual({ kind: "bindings", runId: "not-a-run" });
  });

  it("a failing step is retried by the host (the handler throws) and poisoned with the error at the last delivery", async () => {
    const message = { kind: "secrets", runId: "20260101T000000Z-poison", scope: "production", part: "secrets", rotate: false };
    const fault = sb.faults.add({ service: "graph", method: "GET", path: "/v1.0/applications", status: 503 });
    try {
      await expect(h.handlers.rotateSecrets(message, h.context(QUEUES.secrets, 1))).rejects.toThrow(/Microsoft Graph answered 503/);
      await h.handlers.rotateSecrets(message, h.context(QUEUES.secrets, 5));
    } finally {
      sb.faults.clear(fault);
    }
    const poison = await poisonMessages(sb, QUEUES.secrets);
    expect(poison.at(-1)!.reason).toMatch(/Microsoft Graph answered 503.*\(delivery 5\)/);
    expect(poison.at(-1)!.message).toEqual(message);
  });

  it("a message naming an unknown scope is bad input: poisoned without retries", async () => {
    await h.handlers.rotateSecrets(
      { kind: "secrets", runId: "20260101T000000Z-nosuch", scope: "staging", part: "secrets", rotate: false },
      h.context(QUEUES.secrets, 1),
    );
    expect((await poisonMessages(sb, QUEUES.secrets)).at(-1)!.reason).toMatch(/unknown scope 'staging'/);
  });
});

describe("on-demand HTTP sweep", () => {
  it("answers one scope's JSON report (scan only unless rotate=true)", async () => {
    const rotatedBefore = sb.app("payments-api").passwordCredentials.length;
    const res = await h.handlers.httpSweep(
      new HttpRequest({ method: "GET", url: "http://localhost/api/sweep?scope=production", query: { scope: "production" } }),
      h.context("httpSweep"),
    );
    expect(res.status).toBe(200);
    const body = String(res.body);
    httpBodies.push(body);
    const report = JSON.parse(body) as Report;
    expect(report.metadata.scope).toBe("production");
    expect(report.findings.some((f) => f.id === "AG202")).toBe(true);
    expect(report.findings.some((f) => f.id === "AG404")).toBe(false);
    expect(sb.app("payments-api").passwordCredentials).toHaveLength(rotatedBefore);
    const unknown = await h.handlers.httpSweep(
      new HttpRequest({ method: "GET", url: "http://localhost/api/sweep?scope=nope", query: { scope: "nope" } }),
      h.context("httpSweep"),
    );
    expect(unknown.status).toBe(404);
  });

  it("GET ?rotate=true changes nothing: 405, Allow: POST, no run started, no secret added", async () => {
    const before = sb.app("payments-api").passwordCredentials.map((p) => p.keyId);
    const runsBefore = (await blobTexts(h)).size;
    const res = await h.handlers.httpSweep(
      new HttpRequest({
        method: "GET",
        url: "http://localhost/api/sweep?scope=production&rotate=true",
        query: { scope: "production", rotate: "true" },
      }),
      h.context("httpSweep"),
    );
    expect(res.status).toBe(405);
    expect(res.headers).toMatchObject({ allow: "POST" });
    expect(JSON.stringify(res.jsonBody)).toMatch(/POST/);
    expect(sb.app("payments-api").passwordCredentials.map((p) => p.keyId)).toEqual(before);
    expect((await blobTexts(h)).size).toBe(runsBefore);
  });
});

describe("no secret bytes anywhere", () => {
  it("scans every log line, Blob object, queue message, poison message, GitHub body, webhook body and HTTP answer", async () => {
    const needles = secretNeedles(sb, [...Object.values(APP_SECRETS), ...removedSecrets, GITHUB_TOKEN, WEBHOOK_TOKEN]);
    const texts = await blobTexts(h);
    expect(texts.size).toBeGreaterThan(10);
    texts.set("logs", h.logs.join("\n"));
    queueTexts.forEach((t, i) => texts.set(`queue message ${i}`, t));
    for (const q of Object.values(QUEUES)) texts.set(`poison ${q}`, JSON.stringify(await poisonMessages(sb, q)));
    sb.state.github!.issues.forEach((i) => texts.set(`issue #${i.number}`, `${i.title}\n${i.body}`));
    hookBodies.forEach((b, i) => texts.set(`webhook ${i}`, b));
    httpBodies.forEach((b, i) => texts.set(`http ${i}`, b));
    expect(queueTexts.length).toBeGreaterThan(5);
    expect(findSecrets(texts, needles)).toEqual([]);
  });
});
