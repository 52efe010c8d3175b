/**
 * The sandbox CLI: starts a scenario, writes the environment file, serves until SIGTERM and cleans up;
 * a bad scenario is one line and exit code 2, from `serve` and from `start`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "sandbox-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], untilReady: boolean): Promise<{ code: number | null; stderr: string; stdout: string; workDir?: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/sandbox/cli.ts", ...args], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      if (untilReady && /sandbox: ready/.test(stderr)) {
        const env = readFileSync(path.join(dir, ".env"), "utf8");
        const profile = /^AAG_SANDBOX_PROFILE=(.*)$/m.exec(env)?.[1];
        if (profile) child.kill("SIGTERM");
      }
    });
    child.on("close", (code) => resolve({ code, stderr, stdout }));
  });
}

describe("cli", () => {
  it("serves a scenario, writes the env file and stops cleanly on SIGTERM", async () => {
    const envFile = path.join(dir, ".env");
    const r = await run(["--scenario", "test/sandbox/scenarios/workload-identity.yaml", "--write-env", envFile, "--no-azurite"], true);
    expect(r.stderr).toContain("sandbox: ready");
    // No state directory, so no `stop --state-dir`: the ready line names what does stop it.
    const pid = /sandbox: ready, pid (\d+)/.exec(r.stderr)?.[1];
    expect(r.stderr).toContain(`; Ctrl-C, \`kill ${pid}\` or POST /v1/stop on the control API to stop\n`);
    expect(r.stderr).not.toContain("--state-dir");
    expect(r.stderr).toContain("SIGTERM, stopping");
    expect(r.code).toBe(0);
    const env = Object.fromEntries(
      readFileSync(envFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(env.AZURE_AUTHORITY_HOST).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(env.HTTPS_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(env.AAG_SANDBOX_PROFILE!)).toBe(false); // the work directory is gone
  }, 60_000);

  it("refuses a bad scenario in one line with exit code 2", async () => {
    const r = await run(["--scenario", "no-such-scenario"], false);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      "sandbox: scenario no-such-scenario: no such file (and no shipped scenario of that name)",
    ]);
    const bad = await run(["--bogus"], false);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^sandbox: unknown argument '--bogus'/);
  }, 60_000);

  it("`start` with a scenario that fails to resolve prints the server's one line and exits 2 (docs/sandbox.md's example)", async () => {
    // The background server removes its state directory, log and all, before it exits.
    const scenario = path.join(dir, "my.yaml");
    writeFileSync(
      scenario,
      [
        "tenant: { name: contoso }",
        "subscriptions:",
        "  - name: prod",
        "    resourceGroups:",
        "      - name: app-rg",
        "        storageAccounts: [{ name: media1, containers: [uploads] }]",
        "applications: [{ name: gate }]",
        'roleAssignments: [{ principal: "app:gate", role: Reader, scope: "storage:media1/containers/nope" }]',
      ].join("\n") + "\n",
    );
    const stateDir = path.join(dir, "state");
    const r = await run(["start", "--scenario", scenario, "--state-dir", stateDir, "--no-azurite"], false);
    expect(r.stderr.trim().split("\n")).toEqual([
      `sandbox: scenario ${path.relative(process.cwd(), scenario)}: roleAssignments[0].scope: storage account 'media1' has no container 'nope'`,
    ]);
    expect(r.code).toBe(2);
    expect(existsSync(stateDir)).toBe(false);
  }, 60_000);
});
