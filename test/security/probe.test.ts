/**
 * Issue 11, item 2: the probe from the repository. On a pull request the built bundle does not run the
 * probe unless the workflow says `probe-on-pull-request: true` — it reports AG503 (never a pass) and a notice,
 * and creates nothing in the cluster. With the opt-in the probe still works against the sandbox, and an image
 * the PR names (which could print the pod's projected token anywhere in its result line) gets only parsed,
 * capped, masked fields into the summary, annotations, SARIF, JSON report and PR comment.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOutputs, runnerEnv, scenario, SECRET_VALUE, workspace, type Workspace } from "../action/action-runner.js";
import { strippedPath } from "../sandbox/pods.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { BUNDLE, JWT, runProcess, withoutMaskCommands } from "./processes.js";

const IMAGE = "ghcr.io/contoso/node-app:1";
const HOSTILE = "ghcr.io/attacker/node-app:1";
let sb: Sandbox;

/** An image whose `node` and `python3` ignore the program they are given and print the pod's token everywhere. */
function hostileImage(): { env: { PATH: string } } {
  const bin = path.join(mkdtempSync(path.join(tmpdir(), "aag-hostile-image-")), "bin");
  mkdirSync(bin);
  const script = [
    'const t = require("fs").readFileSync(process.env.AZURE_FEDERATED_TOKEN_FILE, "utf8").trim();',
    'console.log("token: " + t);',
    'const e = "\\u001b[31m" + t + " " + "y".repeat(4000);',
    'console.log(JSON.stringify({ azureAuthGateProbe: 1, runtime: e, token: { ok: true }, blob: [{ account: "contosomedia", container: "media", ok: false, status: 403, code: e, message: e }],',
    'keyVault: [{ vault: "contoso-app-kv", secret: "django-secret-key", ok: false, status: 403, code: "Forbidden", innerCode: "ForbiddenByRbac", message: "denied " + t }, { vault: t, secret: t, ok: false, message: e }] }));',
  ].join(" ");
  for (const name of ["node", "python3"]) {
    writeFileSync(path.join(bin, name), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}\n`);
    chmodSync(path.join(bin, name), 0o755);
  }
  return { env: { PATH: bin } };
}

beforeAll(async () => {
  const objects = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: "backend",
        namespace: "app",
        annotations: { "azure.workload.identity/client-id": "{{identity:backend-id.clientId}}" },
      },
    },
  ];
  const imagePath = [path.dirname(process.execPath), strippedPath()].join(path.delimiter);
  sb = await startSandbox(scenario({ clusterObjects: objects }), {
    images: { [IMAGE]: { env: { PATH: imagePath } }, [HOSTILE]: hostileImage() },
  });
}, 90_000);

afterAll(async () => {
  await sb?.stop();
});

function bundleEnv(ws: Workspace, inputs: Record<string, string>): Record<string, string> {
  return {
    PATH: path.dirname(process.execPath),
    HOME: ws.tempDir,
    // The sandbox's GitHub API presents the sandbox certificate (a real runner trusts github.com's public one).
    NODE_EXTRA_CA_CERTS: sb.tls.certFile,
    HTTPS_PROXY: sb.urls.proxy,
    NO_PROXY: "127.0.0.1,localhost",
    KUBECONFIG: sb.kubeconfigFile,
    ...runnerEnv(sb, ws, { inputs: { mode: "probe", suggestions: "false", ...inputs } }),
  };
}

function visible(ws: Workspace, run: { stdout: string; stderr: string }, reportPath: string | undefined): string {
  const comments = sb.state.github!.comments.map((c) => c.body).join("\n");
  return [
    withoutMaskCommands(run.stdout),
    run.stderr,
    readFileSync(ws.summaryFile, "utf8"),
    readFileSync(ws.outputFile, "utf8"),
    reportPath ? readFileSync(reportPath, "utf8") : "",
    readFileSync(path.join(ws.dir, "gate.sarif"), "utf8"),
    comments,
  ].join("\n");
}

const jobsCreated = () => sb.log.count({ service: "kubernetes", method: "POST" });

describe("mode: probe on a pull request (built bundle)", () => {
  it("without probe-on-pull-request: AG503 and a notice, no Job, not a pass", async () => {
    const before = jobsCreated();
    const ws = workspace(sb, { image: IMAGE });
    const run = await runProcess([BUNDLE], ws.dir, bundleEnv(ws, {}));
    expect(run.status, run.stdout).toBe(1);
    expect(run.stdout).toMatch(
      /^::notice::probe: not run on this pull_request event for pull request #12 \(AG503\): the workflow does not set probe-on-pull-request: true/m,
    );
    const outputs = readOutputs(readFileSync(ws.outputFile, "utf8"));
    expect(outputs.verdict).toBe("fail");
    const report = JSON.parse(readFileSync(outputs.report!, "utf8")) as {
      findings: { id: string; severity: string }[];
      metadata: { layers: string[] };
    };
    expect(report.findings.filter((f) => f.id === "AG503")).toEqual([expect.objectContaining({ severity: "error" })]);
    expect(report.metadata.layers).toContain("control-plane");
    expect(jobsCreated()).toBe(before);
    expect(readFileSync(ws.summaryFile, "utf8")).toContain("AG503");
  }, 90_000);

  it("the PR's config cannot waive AG503 (input error, exit before any token)", async () => {
    const ws = workspace(sb, { image: IMAGE });
    const config = path.join(ws.dir, "azure-auth-gate.yml");
    writeFileSync(config, `${readFileSync(config, "utf8")}waivers: [{ id: AG503, reason: "trust me" }]\n`);
    const run = await runProcess([BUNDLE], ws.dir, bundleEnv(ws, {}));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::\S*azure-auth-gate\.yml:\d+: waivers\[0\]\.id: this finding records a refusal the workflow decides/m,
    );
    expect(run.stdout).not.toMatch(/ID token url/);
  });

  it("with probe-on-pull-request: true the probe runs as the pod against the sandbox and passes", async () => {
    const before = jobsCreated();
    const ws = workspace(sb, { image: IMAGE });
    const run = await runProcess([BUNDLE], ws.dir, bundleEnv(ws, { "probe-on-pull-request": "true" }));
    const outputs = readOutputs(readFileSync(ws.outputFile, "utf8"));
    expect(run.status, run.stdout).toBe(0);
    expect(outputs.verdict).toBe("pass");
    const report = JSON.parse(readFileSync(outputs.report!, "utf8")) as { metadata: { layers: string[] } };
    expect(report.metadata.layers).toEqual(["static", "control-plane", "data-plane"]);
    expect(jobsCreated()).toBeGreaterThan(before);
    expect(visible(ws, run, outputs.report)).not.toContain(SECRET_VALUE);
  }, 90_000);

  it("with the opt-in and a hostile image from the PR's config, no token reaches any output", async () => {
    const ws = workspace(sb, { image: IMAGE });
    const config = path.join(ws.dir, "azure-auth-gate.yml");
    writeFileSync(config, `${readFileSync(config, "utf8")}probe: { image: "${HOSTILE}", runtime: node }\n`);
    const run = await runProcess([BUNDLE], ws.dir, bundleEnv(ws, { "probe-on-pull-request": "true" }));
    const outputs = readOutputs(readFileSync(ws.outputFile, "utf8"));
    expect(outputs.verdict, run.stdout).toBe("fail");
    const report = JSON.parse(readFileSync(outputs.report!, "utf8")) as { findings: { id: string; evidence: string }[] };
    expect(report.findings.map((f) => f.id)).toEqual(expect.arrayContaining(["AG302", "AG303"]));
    const text = visible(ws, run, outputs.report);
    expect(text).not.toMatch(JWT);
    expect(text).toContain("[token]");
    expect(text).not.toContain("\u001b[31m");
    expect(text).not.toContain(SECRET_VALUE);
    // Rows about things the plan did not ask for (the token as a vault name) never become findings.
    expect(report.findings.filter((f) => f.id === "AG303")).toHaveLength(1);
  }, 90_000);
});
