/**
 * Crash-safe rotation, end to end against the sandbox (Graph, Key Vault, Entra's token endpoint, real
 * Azurite Blob): for each step of the protocol a failure is injected — by a sandbox fault on the real
 * request, or by stopping the step sequence — then the rotateSecrets handler runs again. Every time the
 * invariant holds (at least one working credential; Key Vault's current version works or the old
 * secret still does), and the re-run ends with exactly one new managed credential that the vault points
 * at and Entra accepts. After the overlap window (sandbox clock) only what the rotation manages is removed: the
 * secret the vault mapping held before, and its own. A hand-made secret nothing pointed at still authenticates.
 */
import { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PartResult } from "../../shared/sweep/pipeline.js";
import { paths } from "../../shared/sweep/queue-messages.js";
import type { RotationStep } from "../../shared/rotation/rotate.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { findSecrets, secretNeedles } from "../reliability/secret-scan.js";
import { blobTexts, harness, scenario, secretWorks, VAULT, writeConfig, type Harness } from "./function-world.js";

/** One app per failure case, so the cases share a sandbox without sharing state. */
const CASES = [
  "crash-before-store",
  "crash-before-verify",
  "crash-before-mark",
  "fault-graph-add",
  "fault-kv-store",
  "fault-entra-verify",
  "soft-deleted",
  "vault-held-original",
  "lease-lost",
] as const;
/** The app whose vault mapping already held its (hand-made) secret: that one is what the rotation replaces and retires. */
const HELD: Case = "vault-held-original";
type Case = (typeof CASES)[number];

let sb: Sandbox;
let h: Harness;
let configFile: string;
/** Logs of every harness (worker) this file created. */
const logs: string[][] = [];
let crash: { step: RotationStep; appId: string } | undefined;
let run = 0;
const originals = new Map<Case, { keyId: string; value: string }>();
const secretName = (c: Case) => `${c}-client-secret`;

beforeAll(async () => {
  sb = await startSandbox(scenario([...CASES]));
  configFile = writeConfig(sb, {
    scopes: CASES.map((c) => ({
      name: c,
      subscriptions: [sb.state.subscriptions[0]!.subscriptionId],
      applications: { appIds: [sb.app(c).appId] },
    })),
    rotation: {
      optIn: { allMapped: true },
      keyVault: CASES.map((c) => ({ appId: sb.app(c).appId, vault: VAULT, secret: secretName(c) })),
      verifyAttempts: 3,
      verifyDelaySeconds: 0,
      overlapHours: 24,
    },
  });
  newWorker();
  for (const c of CASES) {
    const p = sb.app(c).passwordCredentials[0]!;
    originals.set(c, { keyId: p.keyId, value: p.secretText });
  }
});

afterAll(async () => {
  await sb?.stop();
});

/**
 * A fresh Function worker (runtime + handlers). Used again after the sandbox clock jumps: the SDK
 * clients cache tokens by the real clock, and a real worker never sees its clock jump a day.
 */
function newWorker(extra: { lockRenewMs?: number; beforeStep?: (step: RotationStep, appId: string) => Promise<void> } = {}): void {
  h = harness(sb, configFile, {
    ...(extra.lockRenewMs ? { lockRenewMs: extra.lockRenewMs } : {}),
    beforeStep: async (step, appId) => {
      await extra.beforeStep?.(step, appId);
      if (crash && crash.step === step && crash.appId === appId) {
        crash = undefined;
        throw new Error(`injected crash before step '${step}'`);
      }
    },
  });
  logs.push(h.logs);
}

async function rotate(c: Case): Promise<PartResult> {
  const runId = `20260101T000000Z-${String(++run).padStart(6, "0")}`;
  await h.handlers.rotateSecrets({ kind: "secrets", runId, scope: c, part: "secrets", rotate: true }, h.context("rotateSecrets", 1));
  const part = await h.rt.store.getJson<PartResult>(paths.part(runId, "secrets"));
  if (!part) throw new Error("the rotation wrote no result");
  return part;
}

function vaultCurrent(c: Case) {
  const secret = sb.state.keyVaults.find((v) => v.name === VAULT)!.secrets.find((s) => s.name === secretName(c));
  return secret && secret.deletedOn === undefined ? secret.versions.at(-1) : undefined;
}

function managed(c: Case) {
  return sb.app(c).passwordCredentials.filter((p) => p.displayName.startsWith("azure-auth-gate managed"));
}

/** The invariant, checked against the sandbox's Graph state and token endpoint. */
async function assertInvariant(c: Case): Promise<void> {
  const app = sb.app(c);
  const working = [];
  for (const p of app.passwordCredentials) if (await secretWorks(sb, app.appId, p.secretText)) working.push(p.keyId);
  expect(working.length, `${c}: at least one working credential`).toBeGreaterThanOrEqual(1);
  const current = vaultCurrent(c);
  const vaultWorks = current ? await secretWorks(sb, app.appId, current.value) : false;
  const oldWorks = await secretWorks(sb, app.appId, originals.get(c)!.value);
  expect(vaultWorks || oldWorks, `${c}: the vault's current version works or the old credential still does`).toBe(true);
}

/** Finished: exactly one new managed credential, the vault's current version holds it, Entra accepts it; the old one is kept (overlap). */
async function assertRotated(c: Case): Promise<void> {
  const app = sb.app(c);
  const ours = managed(c);
  expect(ours, `${c}: exactly one new credential`).toHaveLength(1);
  const current = vaultCurrent(c)!;
  expect(current.value).toBe(ours[0]!.secretText);
  expect(current.tags).toMatchObject({ appId: app.appId, keyId: ours[0]!.keyId, rotatedBy: "azure-auth-gate" });
  expect(current.tags.verifiedAt).toBeTruthy();
  expect(current.contentType).toBe("application/vnd.azure-auth-gate.client-secret");
  expect(current.expires).toBeGreaterThan(sb.clock.now() / 1000);
  expect(await secretWorks(sb, app.appId, current.value)).toBe(true);
  expect(app.passwordCredentials.map((p) => p.keyId)).toContain(originals.get(c)!.keyId);
  expect(await secretWorks(sb, app.appId, originals.get(c)!.value)).toBe(true);
  await assertInvariant(c);
}

function ids(part: PartResult): string[] {
  return part.findings.map((f) => f.id);
}

describe("a crash at each rotation step, then a re-run", () => {
  it.each([
    ["crash-before-store", "store"],
    ["crash-before-verify", "verify"],
    ["crash-before-mark", "mark-verified"],
  ] as const)("%s: stopped before '%s' → AG405 naming the step; the re-run finishes with one new credential", async (c, step) => {
    crash = { step, appId: sb.app(c).appId };
    const first = await rotate(c);
    expect(ids(first)).toContain("AG405");
    const ag405 = first.findings.find((f) => f.id === "AG405")!;
    expect(ag405.evidence).toContain(`step '${step}'`);
    expect(ag405.evidence).toMatch(/old credentials|both/);
    expect(managed(c)).toHaveLength(1); // the step before it ran: a new password exists
    await assertInvariant(c);

    const second = await rotate(c);
    expect(ids(second)).not.toContain("AG405");
    expect(ids(second)).toContain("AG404");
    await assertRotated(c);
    if (step === "store") expect(second.rotations?.[0]?.actions.join("\n")).toMatch(/removed orphan managed secret/);

    // A third run changes nothing: no second new secret, ever.
    const third = await rotate(c);
    expect(ids(third)).not.toContain("AG404");
    // The hand-made secret is not one it manages: nothing waits for the overlap, it is kept and reported.
    expect(third.rotations?.[0]?.state).toBe("up-to-date");
    expect(third.rotations?.[0]?.unmanaged).toEqual([originals.get(c)!.keyId]);
    await assertRotated(c);
  });

  it("fault-graph-add: Graph refuses addPassword (503) → nothing changed; the re-run rotates", async () => {
    const c: Case = "fault-graph-add";
    const fault = sb.faults.add({ service: "graph", method: "POST", path: "addPassword", status: 503 });
    const first = await rotate(c);
    sb.faults.clear(fault);
    const ag405 = first.findings.find((f) => f.id === "AG405")!;
    expect(ag405.evidence).toMatch(/step 'add'.*nothing was changed/);
    expect(managed(c)).toHaveLength(0);
    expect(vaultCurrent(c)).toBeUndefined();
    await assertInvariant(c);
    await rotate(c);
    await assertRotated(c);
  });

  it("fault-kv-store: Key Vault refuses the new version (503) → an orphan password; the re-run removes it and rotates once", async () => {
    const c: Case = "fault-kv-store";
    const fault = sb.faults.add({ service: "keyvault", method: "PUT", path: `/secrets/${secretName(c)}`, status: 503 });
    const first = await rotate(c);
    sb.faults.clear(fault);
    expect(first.findings.find((f) => f.id === "AG405")!.evidence).toMatch(/step 'store'.*did not reach Key Vault/);
    const orphan = managed(c);
    expect(orphan).toHaveLength(1);
    await assertInvariant(c);
    await rotate(c);
    await assertRotated(c);
    expect(managed(c)[0]!.keyId).not.toBe(orphan[0]!.keyId);
  });

  it("fault-entra-verify: the token endpoint keeps failing (propagation) → both credentials kept; the re-run verifies", async () => {
    const c: Case = "fault-entra-verify";
    const fault = sb.faults.add({ service: "entra", method: "POST", path: "/oauth2/v2.0/token", status: 503 });
    const first = await rotate(c);
    sb.faults.clear(fault);
    expect(first.findings.find((f) => f.id === "AG405")!.evidence).toMatch(/step 'verify'.*old credentials are kept/);
    expect(vaultCurrent(c)!.tags.verifiedAt).toBeUndefined();
    await assertInvariant(c);
    const second = await rotate(c);
    expect(ids(second)).toContain("AG404");
    await assertRotated(c);
  });

  it("soft-deleted: the mapped secret was soft-deleted → it is recovered (its name cannot be reused), then rotated", async () => {
    const c: Case = "soft-deleted";
    const kv = new SecretClient(`${sb.urls.keyVault}/${VAULT}`, sb.credentials.app("aag-function"), {
      disableChallengeResourceVerification: true,
    });
    await kv.setSecret(secretName(c), "a-hand-stored-copy-of-the-old-secret");
    await (await kv.beginDeleteSecret(secretName(c), { intervalInMs: 20 })).pollUntilDone();
    const part = await rotate(c);
    expect(part.rotations?.[0]?.actions.join("\n")).toMatch(/recovered the soft-deleted secret/);
    await assertRotated(c);
    // The recovered version is kept as history, the rotated value is current.
    expect(sb.state.keyVaults.find((v) => v.name === VAULT)!.secrets.find((s) => s.name === secretName(c))!.versions).toHaveLength(2);
  });
});

describe("what the rotation may retire", () => {
  it("the vault mapping already held the app's secret: the rotation records that it replaces it", async () => {
    const kv = new SecretClient(`${sb.urls.keyVault}/${VAULT}`, sb.credentials.app("aag-function"), {
      disableChallengeResourceVerification: true,
    });
    await kv.setSecret(secretName(HELD), originals.get(HELD)!.value);
    const part = await rotate(HELD);
    expect(ids(part)).toContain("AG404");
    await assertRotated(HELD);
    expect(vaultCurrent(HELD)!.tags).toMatchObject({ replacesKeyId: originals.get(HELD)!.keyId });
  });

  it("the managed marker names the deployment", () => {
    expect(managed("crash-before-store")[0]!.displayName).toMatch(/^azure-auth-gate managed \[[a-z0-9-]+\] \d{4}-/);
  });

  it("a run whose lock lease cannot be renewed stops before its next write: AG407, nothing added; the next run rotates", async () => {
    const c: Case = "lease-lost";
    const appId = sb.app(c).appId;
    newWorker({
      lockRenewMs: 20,
      // Another party takes the lock away while the run reads (as an expired, re-acquired lease would).
      beforeStep: async (step, id) => {
        if (step !== "read" || id !== appId) return;
        await h.rt.store.container.getBlockBlobClient(`locks/rotation-${appId.toLowerCase()}`).getBlobLeaseClient().breakLease(0);
        await new Promise((r) => setTimeout(r, 200));
      },
    });
    const stopped = await rotate(c);
    const f = stopped.findings.find((x) => x.id === "AG407");
    expect(f?.evidence).toMatch(/stopped before step '(recover|add)': the lease on its lock could not be renewed/);
    expect(managed(c)).toHaveLength(0);
    expect(vaultCurrent(c)).toBeUndefined();
    expect(await secretWorks(sb, appId, originals.get(c)!.value)).toBe(true);
    newWorker();
    expect(ids(await rotate(c))).toContain("AG404");
    await assertRotated(c);
  });
});

describe("after the overlap window", () => {
  it("retires only what it manages (sandbox clock +25 h): a hand-made secret still authenticates and is reported; the replaced one is removed", async () => {
    sb.clock.advance("25h");
    newWorker();
    for (const c of CASES) {
      const part = await rotate(c);
      const app = sb.app(c);
      const original = originals.get(c)!;
      expect(await secretWorks(sb, app.appId, vaultCurrent(c)!.value), c).toBe(true);
      if (c === HELD) {
        // The vault pointed at it: replaced, so retired.
        expect(part.rotations?.[0]?.state, c).toBe("retired-old");
        expect(
          app.passwordCredentials.map((p) => p.keyId),
          c,
        ).toEqual(managed(c).map((p) => p.keyId));
        expect(await secretWorks(sb, app.appId, original.value), c).toBe(false);
        continue;
      }
      expect(part.rotations?.[0]?.state, `${c}: ${JSON.stringify(part.findings.filter((f) => f.id === "AG405"))}`).toBe("up-to-date");
      expect(managed(c), c).toHaveLength(1);
      expect(app.passwordCredentials.map((p) => p.keyId).sort(), c).toEqual([original.keyId, managed(c)[0]!.keyId].sort());
      // Client credentials against the sandbox's Entra with the hand-made secret, after the overlap.
      expect(await secretWorks(sb, app.appId, original.value), c).toBe(true);
      const kept = part.findings.find(
        (f) => f.id === "AG401" && f.evidence.includes("does not manage") && f.evidence.includes(original.keyId),
      );
      expect(kept?.evidence, c).toMatch(/does not manage.*expires \d{4}-\d{2}-\d{2}, \d+ day\(s\) old/);
      expect(kept?.fix, c).toContain(`az ad app credential delete --id ${app.appId} --key-id ${original.keyId}`);
    }
  });

  it("a crash while retiring is finished by the next run; never the only working credential", async () => {
    const c: Case = "crash-before-store";
    // Force a new rotation: the current secret is now due (its maximum age is reached after 200 days).
    sb.clock.advance("200d");
    newWorker();
    const before = managed(c)[0]!;
    await rotate(c);
    const next = managed(c).find((p) => p.keyId !== before.keyId)!;
    expect(next).toBeDefined();
    sb.clock.advance("25h");
    newWorker();
    crash = { step: "retire", appId: sb.app(c).appId };
    const failed = await rotate(c);
    expect(failed.findings.find((f) => f.id === "AG405")!.evidence).toMatch(/step 'retire'.*both credentials still work/);
    expect(await secretWorks(sb, sb.app(c).appId, vaultCurrent(c)!.value)).toBe(true);
    await rotate(c);
    // Its own earlier secret is retired; the hand-made one it never managed stays.
    expect(
      sb
        .app(c)
        .passwordCredentials.map((p) => p.keyId)
        .sort(),
    ).toEqual([originals.get(c)!.keyId, next.keyId].sort());
    expect(await secretWorks(sb, sb.app(c).appId, vaultCurrent(c)!.value)).toBe(true);
  });
});

describe("no secret bytes anywhere", () => {
  it("finds no secret value (nor its base64) in the logs or any Blob the Function wrote", async () => {
    const needles = secretNeedles(
      sb,
      [...originals.values()].map((o) => o.value),
    );
    expect(needles.size).toBeGreaterThan(CASES.length * 2);
    const texts = await blobTexts(h);
    texts.set("logs", logs.flat().join("\n"));
    expect(logs.flat().length).toBeGreaterThan(10);
    expect(findSecrets(texts, needles)).toEqual([]);
  });
});
