/**
 * One gate, two hosts: the CLI (`check --config … --mode …`) and the Action (`mode: …`) given the same
 * manifests and the same azure-auth-gate.yml (with severity overrides and waivers) reach the same findings,
 * severities, waivers and verdict — in static mode with no sign-in, and in azure mode against the sandbox
 * (the Action signed in by GitHub OIDC, the CLI by DefaultAzureCredential with the gate's client secret).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../shared/findings/model.js";
import { runnerEnv, scenario, step, workspace, type Workspace } from "../action/harness.js";
import { buildBin, runBin } from "../cli/built-bin.js";
import { runCli } from "../cli/run-in-process.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";

let sb: Sandbox;
let built: ReturnType<typeof buildBin>;

beforeAll(async () => {
  // The app has no role on the vault: the control plane reports it (an AG2xx finding to compare). The gate's
  // app also has a client secret, so the CLI signs in as the same identity the Action reaches through OIDC.
  const input = scenario({ kvRole: false });
  sb = await startSandbox(
    {
      ...input,
      applications: (input.applications ?? []).map((a) => ({
        ...a,
        secrets: [{ displayName: "laptop", value: "gate-Cli~Secret.0123456789abcdef" }],
      })),
    },
    { azurite: false },
  );
  built = buildBin("parity");
}, 180_000);

afterAll(async () => {
  await sb?.stop();
  built?.remove();
});

const POLICY = [
  "severity: { AG104: warning }",
  'waivers: [{ id: AG101, target: { kind: Deployment, name: backend }, reason: "rotated and moved to Key Vault this week" }]',
  "",
].join("\n");

/**
 * The workspace with a broken Deployment — no Workload Identity label (AG104, re-rated a warning), a client
 * secret in its env (AG101, waived; AG102) — and that policy in its config.
 */
function brokenWorkspace(): Workspace {
  const ws = workspace(sb);
  const manifest = join(ws.dir, "k8s", "backend.yaml");
  const broken = readFileSync(manifest, "utf8")
    .replace('azure.workload.identity/use: "true"', 'tier: "web"')
    .replace(/(image: .*\n)$/, '$1          env: [{ name: AZURE_CLIENT_SECRET, value: "Xy7~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }]\n');
  writeFileSync(manifest, broken);
  const config = join(ws.dir, "azure-auth-gate.yml");
  writeFileSync(config, readFileSync(config, "utf8") + POLICY);
  // The CLI has no `cloud` input: its copy of the config names the sandbox's profile (with --allow-custom-cloud).
  writeFileSync(join(ws.dir, "cli-gate.yml"), `cloud: ${sb.profileFile}\n${readFileSync(config, "utf8")}`);
  return ws;
}

/** What a user compares: verdict, counts, and each finding's id, severity, waiver, target, place and evidence. */
function essence(report: Report, root: string) {
  return {
    verdict: report.verdict,
    summary: report.summary,
    layers: report.metadata.layers,
    findings: report.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      waived: f.waived?.reason ?? null,
      target: f.target,
      location: f.location
        ? `${f.location.file.startsWith("/") ? relative(root, f.location.file) : f.location.file}:${f.location.line}`
        : null,
      // The CLI names the files as given (absolute here), the Action relative to the workspace.
      evidence: f.evidence.replaceAll(`${root}/`, ""),
    })),
  };
}

describe("the CLI and the Action on the same input", () => {
  it("static mode: the same findings and verdict, the config's policy applied by both, no sign-in", async () => {
    const ws = brokenWorkspace();
    const action = await step(ws, runnerEnv(sb, ws, { idToken: false, inputs: { mode: "static", "client-id": "", comment: "false" } }));
    const cli = await runCli([
      "check",
      join(ws.dir, "k8s/backend.yaml"),
      "--config",
      join(ws.dir, "cli-gate.yml"),
      "--allow-custom-cloud",
      "--mode",
      "static",
      "--format",
      "json",
      "--fail-on",
      "never",
    ]);
    expect(cli.code).toBe(0);
    const fromCli = essence(JSON.parse(cli.stdout) as Report, ws.dir);
    expect(fromCli.findings.map((f) => [f.id, f.severity, f.waived])).toEqual([
      ["AG101", "error", "rotated and moved to Key Vault this week"],
      ["AG102", "error", null],
      ["AG104", "warning", null],
    ]);
    expect(fromCli.verdict).toBe("fail");
    expect(fromCli.layers).toEqual(["static"]);
    expect(essence(action.result!.report, ws.dir)).toEqual(fromCli);
  });

  it("azure mode against the sandbox: the same findings and verdict", async () => {
    const ws = brokenWorkspace();
    const action = await step(ws, runnerEnv(sb, ws, { inputs: { mode: "azure", comment: "false", "fail-on": "never" } }));
    const env = { ...sb.env, ...sb.gateEnv, PATH: dirname(process.execPath), HOME: ws.tempDir, NO_COLOR: "1" };
    const cli = await runBin(
      built.bin,
      [
        "check",
        join(ws.dir, "k8s/backend.yaml"),
        "--config",
        join(ws.dir, "cli-gate.yml"),
        "--allow-custom-cloud",
        "--format",
        "json",
        "--fail-on",
        "never",
      ],
      env,
    );
    expect(cli.code, cli.stderr).toBe(0);
    const fromCli = essence(JSON.parse(cli.stdout) as Report, ws.dir);
    expect(fromCli.layers).toEqual(["static", "control-plane"]);
    expect(fromCli.findings.some((f) => f.id.startsWith("AG2"))).toBe(true);
    expect(fromCli.findings.find((f) => f.id === "AG104")?.severity).toBe("warning");
    expect(fromCli.findings.find((f) => f.id === "AG101")?.waived).toBe("rotated and moved to Key Vault this week");
    expect(essence(action.result!.report, ws.dir)).toEqual(fromCli);
  }, 90_000);
});
