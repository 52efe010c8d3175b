/**
 * The sandbox driven from another process, as a black-box test or a user's script does it: the CLI's
 * background server (`start --state-dir`), its control API (clock, faults, request log, state read-back,
 * stop), the one clock (a queue call through the queue front after a 25 h advance, with a token the
 * sandbox's Entra ID issued for the gate's own client secret), and every way it can end: `stop`,
 * SIGHUP, the control API, and SIGKILL (Azurite then exits by itself).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { QueueServiceClient } from "@azure/storage-queue";
import { afterAll, describe, expect, it } from "vitest";
import { alive, childrenOf, until } from "./processes.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "test/sandbox/cli.ts");
const work = mkdtempSync(path.join(tmpdir(), "aag-control-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

function readEnv(dir: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path.join(dir, "sandbox.env"), "utf8")
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).replace(/^'(.*)'$/, "$1")]),
  );
}

describe("a sandbox in another process", () => {
  it("is driven through its control API and lives on one clock; SIGKILL leaves no Azurite behind", async () => {
    const dir = path.join(work, "wi");
    const started = await cli(["start", "--scenario", "workload-identity", "--state-dir", dir]);
    expect(started.code, started.stderr).toBe(0);
    const env = readEnv(dir);
    const pid = Number(readFileSync(path.join(dir, "sandbox.pid"), "utf8"));
    const azurite = childrenOf(pid);
    try {
      const control = (p: string, init: RequestInit = {}) =>
        fetch(`${env.AAG_SANDBOX_CONTROL}${p}`, {
          ...init,
          headers: { authorization: `Bearer ${env.AAG_SANDBOX_CONTROL_TOKEN}`, ...(init.headers ?? {}) },
        });
      expect(env.AAG_SANDBOX_CONTROL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${env.AAG_SANDBOX_CONTROL}/v1/clock`)).status).toBe(401);
      expect((await fetch(`${env.AAG_SANDBOX_CONTROL}/v1/clock`, { headers: { authorization: "Bearer nope" } })).status).toBe(401);

      const before = (await (await control("/v1/clock")).json()) as { nowMs: number; offsetMs: number };
      expect(Math.abs(before.nowMs - Date.now())).toBeLessThan(60_000);
      const moved = await control("/v1/clock/advance", { method: "POST", body: JSON.stringify({ by: "25h" }) });
      expect(moved.status).toBe(200);
      expect(((await moved.json()) as { offsetMs: number }).offsetMs - before.offsetMs).toBe(25 * 3600_000);
      const bad = await control("/v1/clock/advance", { method: "POST", body: JSON.stringify({ by: "soon" }) });
      expect(bad.status).toBe(400);

      // The gate's own sign-in from the env file; the token is minted on the sandbox clock (25 h ahead of Azurite's).
      const gate = new ClientSecretCredential(env.AZURE_TENANT_ID!, env.AZURE_CLIENT_ID!, env.AZURE_CLIENT_SECRET!, {
        authorityHost: env.AZURE_AUTHORITY_HOST!,
        disableInstanceDiscovery: true,
      });
      const profile = readJson(env.AAG_SANDBOX_PROFILE!);
      const queue = new QueueServiceClient(profile.queueUrlTemplate!.replace("{account}", "contosomedia"), gate).getQueueClient(
        "rotation-overlap",
      );
      await queue.create();
      await queue.sendMessage("after the overlap");
      expect((await queue.receiveMessages()).receivedMessageItems.map((m) => m.messageText)).toEqual(["after the overlap"]);

      const fault = await control("/v1/faults", { method: "POST", body: JSON.stringify({ service: "arm", status: 503, times: 1 }) });
      expect(fault.status).toBe(201);
      const { id } = (await fault.json()) as { id: string };
      expect(((await (await control("/v1/faults")).json()) as { id: string }[]).map((f) => f.id)).toEqual([id]);
      const arm = await fetch(`${profile.resourceManagerEndpoint}/subscriptions?api-version=2022-12-01`);
      expect(arm.status).toBe(503);
      const log = (await (await control("/v1/log?service=arm")).json()) as { count: number; entries: { status: number; fault?: string }[] };
      expect(log.entries.at(-1)).toMatchObject({ status: 503, fault: id });
      expect((await control(`/v1/faults/${id}`, { method: "DELETE" })).status).toBe(204);
      expect((await control("/v1/faults/fault-999", { method: "DELETE" })).status).toBe(404);
      expect((await control("/v1/log", { method: "DELETE" })).status).toBe(204);
      expect(((await (await control("/v1/log")).json()) as { count: number }).count).toBe(0);

      const stateText = await (await control("/v1/state")).text();
      const state = JSON.parse(stateText) as { applications: { displayName: string; passwordCredentials: { secretText: string }[] }[] };
      expect(state.applications.find((a) => a.displayName === "azure-auth-gate")?.passwordCredentials[0]?.secretText).toBe("REDACTED");
      for (const secret of [env.AZURE_CLIENT_SECRET!, "sandbox-django-secret-key-value-0001"]) expect(stateText).not.toContain(secret);

      expect(azurite.length).toBeGreaterThanOrEqual(2);
      process.kill(pid, "SIGKILL");
      await until("Azurite to exit after its sandbox was killed", () => azurite.every((p) => !alive(p)));
    } finally {
      if (alive(pid)) process.kill(pid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it("stops on `stop --state-dir`, on SIGHUP and on POST /v1/stop, removing its state directory each time", async () => {
    const dirs = ["stop", "hup", "api"].map((n) => path.join(work, n));
    const starts = await Promise.all(dirs.map((d) => cli(["start", "--scenario", "seed-000-outage", "--no-azurite", "--state-dir", d])));
    for (const s of starts) expect(s.code, s.stderr).toBe(0);
    const pids = dirs.map((d) => Number(readFileSync(path.join(d, "sandbox.pid"), "utf8")));
    const refused = await cli(["start", "--state-dir", dirs[0]!]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`already serves ${dirs[0]}`);

    const stopped = await cli(["stop", "--state-dir", dirs[0]!]);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(alive(pids[0]!)).toBe(false);
    process.kill(pids[1]!, "SIGHUP");
    const env = readEnv(dirs[2]!);
    expect(
      (
        await fetch(`${env.AAG_SANDBOX_CONTROL}/v1/stop`, {
          method: "POST",
          headers: { authorization: `Bearer ${env.AAG_SANDBOX_CONTROL_TOKEN}` },
        })
      ).status,
    ).toBe(202);
    await until("every sandbox to exit", () => pids.every((p) => !alive(p)));
    await until("their state directories to be removed", () => dirs.every((d) => !existsSync(d)));
    expect((await cli(["stop", "--state-dir", dirs[0]!])).code).toBe(1);
  }, 180_000);

  it("`kill $!` on a backgrounded `npm run sandbox` stops the server and its Azurite (sh -c does not pass the signal on)", async () => {
    const dir = path.join(work, "npm");
    const npm = spawn("npm", ["run", "-s", "sandbox", "--", "--scenario", "seed-000-outage", "--state-dir", dir], {
      cwd: ROOT,
      stdio: "ignore",
    });
    try {
      await until("the sandbox to be ready", () => existsSync(path.join(dir, "sandbox.env")), 120_000);
      const pid = Number(readFileSync(path.join(dir, "sandbox.pid"), "utf8"));
      const azurite = childrenOf(pid);
      expect(azurite.length).toBeGreaterThanOrEqual(2);
      expect(pid).not.toBe(npm.pid);
      npm.kill("SIGTERM");
      await until("the server and Azurite to exit", () => [pid, ...azurite].every((p) => !alive(p)));
      await until("its state directory to be removed", () => !existsSync(dir));
    } finally {
      npm.kill("SIGKILL");
    }
  }, 180_000);
});

function readJson(file: string): Record<string, string> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
}
