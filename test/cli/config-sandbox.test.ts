/**
 * `check --config` end to end against the local Azure sandbox, as a user runs it: the built bin as a
 * child process, the sandbox's cloud profile named in azure-auth-gate.yml, and the gate signed in by
 * DefaultAzureCredential from AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET (the gate's own
 * app registration, Reader on the subscription). Loopback only: the sandbox's env points IMDS and the
 * proxy at itself and PATH holds only node (no az/azd/pwsh for the credential chain to fall through to).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { strippedPath } from "../sandbox/pods.js";
import { pythonSdkMissing } from "../sandbox/python-sdk.js";
import { buildBin, runBin } from "./built-bin.js";

let built: ReturnType<typeof buildBin>;
let sb: Sandbox;
let dir: string;
let base: Record<string, string>;

/** The cluster's ServiceAccounts and Deployments, as the team's manifests would declare them. */
function manifests(): string {
  return sb.state.clusters[0]!.objects.filter((o) => o.kind === "ServiceAccount" || o.kind === "Deployment")
    .map((o) => stringify(o))
    .join("---\n");
}

/**
 * stderr after the custom profile's endpoint lines, which --allow-custom-cloud prints first (before any token
 * request; test/security/custom-cloud.test.ts checks them).
 */
function afterProfile(stderr: string): string {
  expect(stderr).toMatch(/^custom cloud profile 'AzureAuthGateSandbox' \(allowed by the user\)/);
  return stderr.replace(/^custom cloud profile [^\n]*\n(?: {2}[^\n]*\n)*/, "");
}

function writeConfig(name: string, target: string): string {
  const sub = sb.state.subscriptions[0]!.subscriptionId;
  const file = join(dir, name);
  writeFileSync(
    file,
    `cloud: ${sb.profileFile}\ntenantId: ${sb.state.tenantId}\nsubscriptions: [${sub}]\ncluster: { subscription: ${sub}, resourceGroup: app-rg, name: aks-prod }\n${target}`,
  );
  return file;
}

beforeAll(async () => {
  built = buildBin("sandbox");
  // The app image runs whatever command its pod names, so a probe Job executes the gate's real probe program.
  const podPath = [dirname(process.execPath), "/usr/bin", strippedPath()].join(":");
  // The shipped scenario as it is: the gate has a client secret and Key Vault Reader (docs/config.md).
  sb = await startSandbox("workload-identity", { images: { "sandbox/django-app:1": { env: { PATH: podPath } } } });
  dir = mkdtempSync(join(tmpdir(), "aag-cli-sandbox-"));
  writeFileSync(join(dir, "app.yaml"), manifests());
  base = { ...sb.env, PATH: dirname(process.execPath), HOME: dir, NO_COLOR: "1" };
}, 180_000);

afterAll(async () => {
  await sb?.stop();
  built?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const signedIn = () => ({ ...base, ...sb.gateEnv });

const PYTHON_SDK_MISSING = pythonSdkMissing() !== undefined;

describe("check --config against the sandbox", () => {
  it("passes a correctly wired app, counting its Azure calls", async () => {
    const config = writeConfig(
      "pass.yml",
      "targets:\n  - workload: app/Deployment/backend\n    blob: [{ account: contosomedia, container: media, access: write }]\n    keyVault: [{ vault: contoso-app-kv, secrets: [django-secret-key] }]\n",
    );
    const entraBefore = sb.log.count({ service: "entra", method: "POST" });
    const r = await runBin(
      built.bin,
      ["check", join(dir, "app.yaml"), "--config", config, "--allow-custom-cloud", "--format", "json"],
      signedIn(),
    );
    expect(afterProfile(r.stderr)).toBe("");
    // One sign-in per token audience (ARM, Key Vault), however many SDK clients the run opens at once.
    expect(sb.log.count({ service: "entra", method: "POST" }) - entraBefore).toBeLessThanOrEqual(2);
    expect(r.code, r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.verdict).toBe("pass");
    expect(report.findings).toEqual([]);
    expect(report.metadata.layers).toEqual(["static", "control-plane"]);
    expect(report.metadata.azureCalls).toBeGreaterThan(3);
    expect(report.metadata.config).toBe(config);
  });

  it("--verbose logs the gate's steps and each Azure request on stderr, never a secret or a token", async () => {
    const config = writeConfig(
      "verbose.yml",
      "targets:\n  - workload: app/Deployment/backend\n    blob: [{ account: contosomedia, container: media, access: write }]\n",
    );
    const r = await runBin(
      built.bin,
      ["check", join(dir, "app.yaml"), "--config", config, "--allow-custom-cloud", "--format", "json", "--verbose"],
      signedIn(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe("pass"); // the report on stdout is untouched
    expect(r.stderr).toMatch(/azure:auth-gate:info signed in to .*1 target\(s\): app\/Deployment\/backend/);
    expect(r.stderr).toMatch(/azure:auth-gate:info control plane: 0 finding\(s\) after \d+ Azure call\(s\)/);
    expect(r.stderr).toMatch(
      /azure:[a-z-]+:info Request: \{\s*"url": "https:\/\/127\.0\.0\.1:\d+\/subscriptions\/[^"]*Microsoft.Storage\/storageAccounts/,
    );
    expect(r.stderr).toContain('"authorization": "REDACTED"');
    // A deep layer's debug line (the call policy inside every SDK pipeline), through the one log seam.
    expect(r.stderr).toMatch(
      /azure:auth-gate:info azure call: arm\/Microsoft\.Storage GET \/subscriptions\/[^ ]+\/storageAccounts[^ ]* → 200\n/,
    );
    const secret = sb.gateEnv.AZURE_CLIENT_SECRET!;
    expect(secret.length).toBeGreaterThan(8);
    expect(r.stderr).not.toContain(secret);
    expect(r.stderr).not.toContain(Buffer.from(secret).toString("base64"));
    expect(r.stderr).not.toMatch(/Bearer ey|eyJ[\w-]+\.[\w-]+\./);

    // The same run without --verbose: no debug line at all, the gate's or the SDK's.
    const quiet = await runBin(
      built.bin,
      ["check", join(dir, "app.yaml"), "--config", config, "--allow-custom-cloud", "--format", "json"],
      signedIn(),
    );
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(afterProfile(quiet.stderr)).toBe("");
    expect(quiet.stderr).not.toMatch(/azure:|azure call:/);
  });

  it("blocks on a missing container (AG214) and anchors the Azure finding to the config file in SARIF", async () => {
    const config = writeConfig(
      "fail.yml",
      "targets:\n  - workload: app/Deployment/backend\n    blob: [{ account: contosomedia, container: uploads }]\n",
    );
    const out = join(dir, "gate.sarif");
    const r = await runBin(
      built.bin,
      ["check", join(dir, "app.yaml"), "--config", config, "--allow-custom-cloud", "--format", "sarif", "--output", out],
      signedIn(),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(afterProfile(r.stderr)).toMatch(/^azure-auth-gate: fail \(\d+ errors?, \d+ warnings?\); report written to .*gate\.sarif\n$/);
    const sarif = readFileSync(out, "utf8");
    // The container is missing (AG214), and no role covers a container that is not there (AG207).
    expect(
      JSON.parse(sarif)
        .runs[0].results.map((x: { ruleId: string }) => x.ruleId)
        .sort(),
    ).toEqual(["AG207", "AG214"]);
    const result = JSON.parse(sarif).runs[0].results.find((x: { ruleId: string }) => x.ruleId === "AG214");
    expect(result.level).toBe("error");
    expect(result.locations[0].physicalLocation.region).toBeUndefined();
    expect(result.message.text).toContain("uploads");
    // The gate's own client secret never reaches a report or a log line.
    for (const text of [sarif, r.stderr, r.stdout]) {
      expect(text).not.toContain(sb.gateEnv.AZURE_CLIENT_SECRET!);
      expect(text).not.toContain(Buffer.from(sb.gateEnv.AZURE_CLIENT_SECRET!).toString("base64"));
    }
  });

  // The scenario's app image is Python (Debian's python3 with the Azure SDK).
  it.skipIf(PYTHON_SDK_MISSING)(
    "--probe runs the live probe as the pod (its ServiceAccount, its image) and passes, with the data-plane layer in the report",
    async () => {
      const config = writeConfig(
        "probe.yml",
        "targets:\n  - workload: app/Deployment/backend\n    blob: [{ account: contosomedia, container: media }]\n    keyVault: [{ vault: contoso-app-kv, secrets: [django-secret-key] }]\nprobe: { timeoutSeconds: 60 }\n",
      );
      const r = await runBin(
        built.bin,
        ["check", join(dir, "app.yaml"), "--config", config, "--allow-custom-cloud", "--probe", "--format", "json"],
        signedIn(),
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.verdict).toBe("pass");
      expect(report.metadata.layers).toEqual(["static", "control-plane", "data-plane"]);
      // The probe Job really ran in the cluster as the workload, and the pod's token came from Entra by federation.
      expect(sb.log.count({ service: "kubernetes", method: "POST" })).toBeGreaterThan(0);
      const secret = sb.state.keyVaults[0]!.secrets.find((x) => x.name === "django-secret-key")!.versions.at(-1)!.value;
      expect(r.stdout + r.stderr).not.toContain(secret);
    },
    120_000,
  );

  it("turns a failed sign-in into one line naming what was tried and the fix (exit 2, no report written)", async () => {
    const config = writeConfig(
      "login.yml",
      "targets:\n  - workload: app/Deployment/backend\n    blob: [{ account: contosomedia, container: media }]\n",
    );
    const out = join(dir, "login.json");
    // No client id / secret: EnvironmentCredential is incomplete, the sandbox's IMDS has no identity for
    // this "machine", and az/azd/pwsh are not on PATH.
    const r = await runBin(
      built.bin,
      ["check", join(dir, "app.yaml"), "--config", config, "--allow-custom-cloud", "--format", "json", "--output", out],
      base,
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = afterProfile(r.stderr).trimEnd().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^azure-auth-gate: the gate could not sign in to Azure \(/);
    expect(lines[0]).toMatch(/Tried: environment variables \([^)]*\), .*managed identity \([^)]*\), .*Azure CLI \(not installed\)/);
    expect(lines[0]).toContain("Fix: run `az login`");
    expect(lines[0]).toContain("AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET");
    expect(() => readFileSync(out)).toThrow();
  }, 60_000);

  it("refuses a wrong client secret with the same one line, never echoing the secret", async () => {
    const config = writeConfig(
      "wrong.yml",
      "targets:\n  - workload: app/Deployment/backend\n    blob: [{ account: contosomedia, container: media }]\n",
    );
    const wrong = "Wrong~Secret.value-that-must-not-print-42";
    const r = await runBin(built.bin, ["check", join(dir, "app.yaml"), "--config", config, "--allow-custom-cloud"], {
      ...signedIn(),
      AZURE_CLIENT_SECRET: wrong,
    });
    expect(r.code).toBe(2);
    expect(afterProfile(r.stderr).trimEnd().split("\n")).toHaveLength(1);
    expect(afterProfile(r.stderr)).toMatch(/^azure-auth-gate: the gate could not sign in to Azure .*AADSTS/);
    expect(r.stderr).not.toContain(wrong);
  }, 60_000);
});
