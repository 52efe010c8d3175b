/**
 * `check --config FILE --mode static`: the config's severity overrides and waivers apply to the manifests'
 * findings, and nothing signs in. DefaultAzureCredential is given every way to reach a token (a client
 * secret, a managed identity endpoint) and the config's cloud is a listener on 127.0.0.1 that counts
 * connections: a static run leaves it at 0; the same command in mode azure reaches it (the trap works).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { hostileProfile, startAttacker, type Attacker } from "../security/attacker.js";
import { runCli } from "./run-in-process.js";

const MANIFESTS = path.resolve(import.meta.dirname, "fixtures/broken/app.yaml");
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB = "11111111-1111-1111-1111-111111111111";

let attacker: Attacker;
let dir: string;

beforeAll(async () => {
  attacker = await startAttacker();
  dir = mkdtempSync(path.join(tmpdir(), "aag-cli-static-"));
  writeFileSync(path.join(dir, "cloud.json"), JSON.stringify(hostileProfile(attacker)));
  writeFileSync(
    path.join(dir, "azure-auth-gate.yml"),
    [
      "cloud: ./cloud.json",
      `tenantId: ${TENANT}`,
      `subscriptions: [${SUB}]`,
      "targets: [{ workload: production/Deployment/backend, serviceAccount: backend, clientId: 0b1e8e5c-1111-4c5e-9d7a-3f6a2b9c8d01 }]",
      "severity: { AG102: warning }",
      'waivers: [{ id: AG104, target: { kind: Deployment, name: backend }, reason: "the platform team migrates it next sprint" }]',
      "retryBudgetSeconds: 2",
      "",
    ].join("\n"),
  );
}, 60_000);

afterAll(async () => {
  await attacker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Every credential DefaultAzureCredential would try, pointed at the listener. */
function credentialsEverywhere(): void {
  vi.stubEnv("AZURE_TENANT_ID", TENANT);
  vi.stubEnv("AZURE_CLIENT_ID", "0b1e8e5c-2222-4c5e-9d7a-3f6a2b9c8d01");
  vi.stubEnv("AZURE_CLIENT_SECRET", "laptop-user-Client~Secret.0123456789");
  vi.stubEnv("AZURE_AUTHORITY_HOST", attacker.url);
  vi.stubEnv("IDENTITY_ENDPOINT", `${attacker.url.replace("https:", "http:")}/msi/token`);
  vi.stubEnv("IDENTITY_HEADER", "header");
  vi.stubEnv("MSI_ENDPOINT", `${attacker.url.replace("https:", "http:")}/msi/token`);
}

describe("check --config --mode static", () => {
  it("applies the config's waivers and severity overrides and requests no token", async () => {
    credentialsEverywhere();
    const plain = await runCli(["check", MANIFESTS, "--format", "json"]);
    expect(plain.code).toBe(1);
    expect(
      JSON.parse(plain.stdout)
        .findings.map((f: { id: string; severity: string }) => `${f.id}:${f.severity}`)
        .sort(),
    ).toEqual(["AG102:error", "AG104:error"]);

    const r = await runCli([
      "check",
      MANIFESTS,
      "--config",
      path.join(dir, "azure-auth-gate.yml"),
      "--allow-custom-cloud",
      "--mode",
      "static",
      "--format",
      "json",
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      verdict: string;
      findings: { id: string; severity: string; waived?: { reason: string } }[];
      metadata: { layers: string[]; config: string; azureCalls?: number };
    };
    expect(report.verdict).toBe("warn");
    expect(report.findings.map((f) => [f.id, f.severity, f.waived?.reason ?? null]).sort()).toEqual([
      ["AG102", "warning", null],
      ["AG104", "error", "the platform team migrates it next sprint"],
    ]);
    expect(report.metadata.layers).toEqual(["static"]);
    expect(report.metadata.config).toBe(path.join(dir, "azure-auth-gate.yml"));
    expect(report.metadata.azureCalls).toBeUndefined();
    // The custom cloud is still described (the user allowed it), and nothing reached it.
    expect(r.stderr).toContain("custom cloud profile 'TotallyAzure' (allowed by the user)");
    expect(attacker.connections).toBe(0);
    expect(attacker.requests).toEqual([]);
  });

  it("is refused without --config for the modes that sign in, and beside --probe", async () => {
    expect((await runCli(["check", MANIFESTS, "--mode", "azure"])).stderr).toMatch(/--mode azure needs --config FILE/);
    expect((await runCli(["check", MANIFESTS, "--config", "x.yml", "--mode", "static", "--probe"])).stderr).toMatch(
      /--probe and --mode static exclude each other/,
    );
    expect((await runCli(["check", MANIFESTS, "--mode", "sometimes"])).stderr).toMatch(/--mode must be one of static, azure, probe/);
    const noPath = await runCli(["check", "--config", path.join(dir, "azure-auth-gate.yml"), "--allow-custom-cloud", "--mode", "static"]);
    expect(noPath).toMatchObject({ code: 2, stdout: "" });
    expect(noPath.stderr).toMatch(/PATH: mode 'static' needs manifests to check: give a PATH/);
    expect(attacker.connections).toBe(0);
  });

  it("the same command in mode azure does reach the listener (the trap is live)", async () => {
    credentialsEverywhere();
    const r = await runCli([
      "check",
      MANIFESTS,
      "--config",
      path.join(dir, "azure-auth-gate.yml"),
      "--allow-custom-cloud",
      "--mode",
      "azure",
      "--format",
      "json",
    ]);
    expect(r.code).not.toBe(0);
    expect(attacker.connections).toBeGreaterThan(0);
  }, 60_000);
});
