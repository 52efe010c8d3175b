/**
 * `azure-auth-gate sandbox`: starts the repository's sandbox as a child, prints the environment to export
 * (every endpoint on 127.0.0.1), stops cleanly on SIGTERM, and turns a bad scenario into one line, exit 2.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./built-bin.js";

const TSX = join(ROOT, "node_modules", "tsx", "dist", "loader.mjs");
const BIN = join(ROOT, "shared", "cli", "bin.ts");

function start(args: string[]) {
  const child = spawn(process.execPath, ["--import", TSX, BIN, "sandbox", ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("azure-auth-gate sandbox", () => {
  it("serves a scenario on loopback, prints the environment to export, and stops on SIGTERM", async () => {
    const run = start(["--scenario", "seed-000-outage", "--no-azurite"]);
    try {
      await until(() => /export AZURE_AUTHORITY_HOST=/.test(run.out()), 30_000);
      const exports = run
        .out()
        .split("\n")
        .filter((l) => l.startsWith("export "));
      const urls = exports.flatMap((l) => [...l.matchAll(/https?:\/\/([^/:'"]+)/g)].map((m) => m[1]));
      expect(urls.length).toBeGreaterThan(3);
      expect(new Set(urls)).toEqual(new Set(["127.0.0.1"]));
      expect(run.out()).toMatch(/export AZURE_POD_IDENTITY_AUTHORITY_HOST='http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exited).toBe(0);
  }, 60_000);

  it("refuses an unknown scenario in one line with exit code 2", async () => {
    const run = start(["--scenario", "no-such-scenario"]);
    expect(await run.exited).toBe(2);
    expect(run.err().trimEnd().split("\n")).toHaveLength(1);
    expect(run.err()).toContain("no-such-scenario");
  }, 60_000);
});
