/**
 * One gate, three hosts: the CLI (`check --config … --mode …`) and the Action (`mode: …`) given the same
 * manifests and the same azure-auth-gate.yml (with severity overrides and waivers) reach the same findings,
 * severities, waivers and verdict — in static mode with no sign-in, and in azure mode against the sandbox
 * (the Action signed in by GitHub OIDC, the CLI by DefaultAzureCredential with the gate's client secret).
 * And the Function's timer (the scheduled sweep: discovery, the queue's check of every binding, the audit
 * report) reaches the CLI's findings, policy and verdict for the same bindings, signed in as its own identity;
 * a waiver in the operator's sweep config (the Function's policy never comes from a repository) and the same
 * waiver in the CLI's config waive the same finding and turn both verdicts from fail to pass. Waivers have no
 * expiry: a waiver with an `expires` date is refused as bad input by all three, never honoured past it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Timer } from "@azure/functions";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../shared/findings/model.js";
import { runnerEnv, scenario, step, workspace, type Workspace } from "../action/action-runner.js";
import { buildBin, runBin } from "../cli/built-bin.js";
import { runCli } from "../cli/run-in-process.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { harness, pumpQueues, STATE_ACCOUNT, writeConfig } from "../functions/function-world.js";
import { paths } from "../../shared/sweep/queue-messages.js";
import { InputError } from "../../shared/errors.js";
import type { AuditPointer } from "../../shared/sweep/pipeline.js";

let sb: Sandbox;
let built: ReturnType<typeof buildBin>;

beforeAll(async () => {
  // The app has no role on the vault: the control plane reports it (an AG2xx finding to compare). The gate's
  // app also has a client secret, so the CLI signs in as the same identity the Action reaches through OIDC.
  // The Function has its own app identity, with the gate's read roles, and its state storage (Azurite).
  const input = scenario({ kvRole: false });
  const rg = input.subscriptions![0]!.resourceGroups![0];
  sb = await startSandbox({
    ...input,
    subscriptions: [
      {
        ...input.subscriptions![0]!,
        resourceGroups: [{ ...rg!, storageAccounts: [...(rg!.storageAccounts ?? []), { name: STATE_ACCOUNT }] }],
      },
    ],
    roleAssignments: [
      ...(input.roleAssignments ?? []),
      { principal: "app:aag-function", role: "Reader", scope: "subscription:prod" },
      { principal: "app:aag-function", role: "Key Vault Reader", scope: "vault:contoso-app-kv" },
      { principal: "app:aag-function", role: "Storage Blob Data Contributor", scope: `storage:${STATE_ACCOUNT}` },
    ],
    applications: [
      ...(input.applications ?? []).map((a) => ({
        ...a,
        secrets: [{ displayName: "laptop", value: "gate-Cli~Secret.0123456789abcdef" }],
      })),
      { name: "aag-function", graphPermissions: ["Application.Read.All"] },
    ],
  });
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
/** The CLI's `check` of the broken workspace's manifest with its CLI config, then `extra` flags. */
function cliCheckArgs(ws: Workspace, ...extra: string[]): string[] {
  return ["check", join(ws.dir, "k8s/backend.yaml"), "--config", join(ws.dir, "cli-gate.yml"), "--allow-custom-cloud", ...extra];
}

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
    const cli = await runCli(cliCheckArgs(ws, "--mode", "static", "--format", "json", "--fail-on", "never"));
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
    const cli = await runBin(built.bin, cliCheckArgs(ws, "--format", "json", "--fail-on", "never"), env);
    expect(cli.code, cli.stderr).toBe(0);
    const fromCli = essence(JSON.parse(cli.stdout) as Report, ws.dir);
    expect(fromCli.layers).toEqual(["static", "control-plane"]);
    expect(fromCli.findings.some((f) => f.id.startsWith("AG2"))).toBe(true);
    expect(fromCli.findings.find((f) => f.id === "AG104")?.severity).toBe("warning");
    expect(fromCli.findings.find((f) => f.id === "AG101")?.waived).toBe("rotated and moved to Key Vault this week");
    expect(essence(action.result!.report, ws.dir)).toEqual(fromCli);
  }, 90_000);
});

const TIMER: Timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };

/** A policy on the control plane's findings, the same in the CLI's config and the Function's sweep config. */
const AZURE_POLICY = {
  severity: { AG208: "warning" },
} as const;

/** The Function's timer and the CLI, each given `policy` (the sweep config's and the CLI config's policy fields). */
async function sweepAndCli(policy: Record<string, unknown>) {
  const sub = sb.state.subscriptions[0]!.subscriptionId;
  const cluster = { subscription: sub, resourceGroup: "app-rg", name: "aks-prod" };
  const clientId = sb.identity("backend-id").clientId;
  // What the Function checks in this scope: the binding it discovers (backend-id's federated credential for
  // app/backend on aks-prod) and the operator's explicit target for the same ServiceAccount, with its needs.
  const discovered = { workload: "app/ServiceAccount/backend", serviceAccount: "backend", clientId };
  const explicit = {
    workload: "app/Deployment/backend",
    serviceAccount: "backend",
    clientId,
    blob: [{ account: "contosomedia", container: "media", access: "write" as const }],
    keyVault: [{ vault: "contoso-app-kv", secrets: ["django-secret-key"] }],
  };
  // The Function's policy is the operator's: it sits in the sweep config file (AAG_SWEEP_CONFIG names it in
  // the app settings), never in a repository under check.
  const sweepConfig = writeConfig(sb, {
    scopes: [
      // Only the Function's own app (no secret) is scanned: the report's findings are the bindings' alone.
      {
        name: "production",
        subscriptions: [sub],
        targets: [{ cluster, ...explicit }],
        applications: { appIds: [sb.app("aag-function").appId] },
      },
    ],
    ...policy,
  });
  const fn = harness(sb, sweepConfig);
  await fn.handlers.complianceSweep(TIMER, fn.context("complianceSweep"));
  await pumpQueues(sb, fn);
  const pointer = (await fn.rt.store.getJson<AuditPointer>(paths.latest))!;
  const fromFunction = (await fn.rt.store.getJson<Report>(pointer.scopes.production!.json))!;

  const ws = workspace(sb);
  const cliConfig = join(ws.dir, "cli-sweep-parity.json");
  writeFileSync(
    cliConfig,
    JSON.stringify({
      cloud: sb.profileFile,
      tenantId: sb.state.tenantId,
      subscriptions: [sub],
      cluster,
      targets: [discovered, explicit],
      ...policy,
    }),
  );
  const env = { ...sb.env, ...sb.gateEnv, PATH: dirname(process.execPath), HOME: ws.tempDir, NO_COLOR: "1" };
  const cli = await runBin(
    built.bin,
    ["check", "--config", cliConfig, "--allow-custom-cloud", "--mode", "azure", "--format", "json", "--fail-on", "never"],
    env,
  );
  expect(cli.code, cli.stderr).toBe(0);
  const fromCli = essence(JSON.parse(cli.stdout) as Report, ws.dir);
  expect(fromCli.layers).toEqual(["control-plane"]);
  expect(fromFunction.metadata.layers).toEqual(["control-plane", "sweep"]);
  const { layers: _cliLayers, ...cli_ } = fromCli;
  const { layers: _fnLayers, ...fn_ } = essence(fromFunction, ws.dir);
  return { cli: cli_, fn: fn_ };
}

/** The control plane's finding in this scenario: backend-id has no role on the vault (the scenario's kvRole: false). */
function vaultId(): string {
  const sub = sb.state.subscriptions[0]!.subscriptionId;
  return `/subscriptions/${sub}/resourceGroups/app-rg/providers/Microsoft.KeyVault/vaults/contoso-app-kv`;
}

describe("the Function's timer and the CLI on the same bindings", () => {
  it("the scheduled sweep reports the CLI's findings, severities, waivers and verdict for the bindings it checks", async () => {
    const { cli, fn } = await sweepAndCli(AZURE_POLICY);
    // The policy did something in both: AG208 re-rated a warning.
    expect(cli.findings.find((f) => f.id === "AG208")?.severity).toBe("warning");
    expect(fn).toEqual(cli);
  }, 120_000);

  it("a waiver in the operator's sweep config and the CLI's config: AG208 waived alike, the verdict fail → pass in both", async () => {
    const reason = "vault access moves to the platform team's RBAC rollout (CHG-1042)";
    const unwaived = await sweepAndCli({});
    const waived = await sweepAndCli({ waivers: [{ id: "AG208", target: { kind: "azure", name: vaultId() }, reason }] });

    // Without the waiver, AG208 is an error and fails both.
    expect(unwaived.cli.findings.map((f) => [f.id, f.severity, f.waived, f.target.name])).toEqual([["AG208", "error", null, vaultId()]]);
    expect(unwaived.cli.verdict).toBe("fail");
    expect(unwaived.fn).toEqual(unwaived.cli);

    // With it, the same finding stays in both reports with the reason, no longer counts, and both pass.
    expect(waived.cli.findings.map((f) => [f.id, f.severity, f.waived, f.target.name])).toEqual([["AG208", "error", reason, vaultId()]]);
    expect(waived.cli.verdict).toBe("pass");
    expect(waived.cli.summary).toEqual({ errors: 0, warnings: 0, infos: 0, waived: 1 });
    expect(waived.fn).toEqual(waived.cli);
  }, 180_000);
});

describe("a waiver with an expiry date", () => {
  // Waivers have no expiry (shared/config/schema.ts waiverSchema: id, target, reason; strict). A waiver that
  // carries one must not be honoured forever by a host that ignores the date: every host refuses the config,
  // naming the key, before it checks anything.
  const EXPIRED = { id: "AG208", target: { kind: "azure" }, reason: "until the RBAC rollout", expires: "2020-01-31" };

  it("is refused as bad input by the CLI, the Action and the Function alike", async () => {
    const ws = brokenWorkspace();
    const config = join(ws.dir, "azure-auth-gate.yml");
    writeFileSync(config, readFileSync(config, "utf8").replace(/^waivers: .*$/m, `waivers: [${JSON.stringify(EXPIRED)}]`));
    writeFileSync(join(ws.dir, "cli-gate.yml"), `cloud: ${sb.profileFile}\n${readFileSync(config, "utf8")}`);
    const refusal = "waivers[0].expires: unknown key 'expires'";

    const cli = await runCli(cliCheckArgs(ws, "--mode", "static"));
    expect(cli.code).toBe(2);
    expect(cli.stdout).toBe("");
    expect(cli.stderr).toBe(`azure-auth-gate: ${join(ws.dir, "cli-gate.yml")}:10: ${refusal}\n`);

    const action = await step(ws, runnerEnv(sb, ws, { idToken: false, inputs: { mode: "static", "client-id": "", comment: "false" } }));
    expect(action.exitCode).toBe(1);
    expect(action.result?.report).toBeUndefined();
    expect(action.stdout.split("\n").filter((l) => l.startsWith("::error"))).toEqual([`::error::${config}:9: ${refusal}`]);

    const sub = sb.state.subscriptions[0]!.subscriptionId;
    // writeConfig's type only admits valid waivers: the cast is the point of the test.
    const sweepConfig = writeConfig(sb, { scopes: [{ name: "production", subscriptions: [sub] }], waivers: [EXPIRED] as never });
    const refused = (() => {
      try {
        harness(sb, sweepConfig);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as InputError).oneLine()).toBe(`${sweepConfig}: ${refusal}`);
  }, 60_000);
});
