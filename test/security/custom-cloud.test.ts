/**
 * Issue 11, item 1: a cloud profile from the repository. The PR's (or a cloned repository's) config names a
 * profile that sends every endpoint to the attacker, asks for an attacker-chosen ID-token audience and a CA
 * the attacker holds. The built bundle and the built CLI refuse it in one line before any token is requested;
 * nothing reaches the attacker. With the user's opt-in the same mechanism still reaches the sandbox, its
 * endpoints are printed before the first token request, and its CA is trusted for its own hosts only — a
 * listener elsewhere presenting a certificate that CA vouches for gets no request (and no GitHub token).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { readOutputs, runnerEnv as sandboxRunnerEnv, scenario, SECRET_VALUE, workspace } from "../action/action-runner.js";
import { buildBin } from "../cli/built-bin.js";
import { hostileProfile, startAttacker, type Attacker } from "./attacker.js";
import { BUNDLE, everythingVisible, JWT, pullRequestEvent, runBundle, runnerEnv, runnerJob, runProcess } from "./processes.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b1e8e5c-1111-4c5e-9d7a-3f6a2b9c8d01";
const SUB = "11111111-1111-1111-1111-111111111111";
const CLIENT_SECRET = "laptop-user-Client~Secret.0123456789";
const RUNNER_REQUEST_TOKEN = "runner-request-token-0000000001";
const GITHUB_TOKEN = "ghs_jobTokenThatMustStayWithGitHub00000";
const GATE_SECRET = "gate-app-Secret~Value.0123456789abcdef";

let attacker: Attacker;
let built: ReturnType<typeof buildBin>;

beforeAll(async () => {
  attacker = await startAttacker();
  built = buildBin("security-cloud");
}, 120_000);

afterAll(async () => {
  await attacker?.stop();
  built?.remove();
});

function hostileRepo(): Record<string, string> {
  return {
    "azure-auth-gate.yml": `cloud: ./azure-cloud.json\ntenantId: ${TENANT}\nsubscriptions: [${SUB}]\ntargets: [{ workload: app/Deployment/backend, serviceAccount: backend, clientId: ${CLIENT} }]\n`,
    "azure-cloud.json": JSON.stringify(hostileProfile(attacker)),
  };
}

function expectAttackerGotNothing(): void {
  expect(attacker.connections).toBe(0);
  expect(attacker.requests).toEqual([]);
}

describe("the Action on a pull request whose config names a custom cloud", () => {
  it("refuses it in one line before any token is requested; nothing reaches the attacker", async () => {
    const job = runnerJob(hostileRepo(), pullRequestEvent("contoso/django-app"));
    const env = runnerEnv(
      job,
      { "client-id": CLIENT, "tenant-id": TENANT, mode: "azure", "github-token": GITHUB_TOKEN },
      {
        // Were the gate to ask for an ID token, the runner's endpoint would be the attacker too.
        ACTIONS_ID_TOKEN_REQUEST_URL: `${attacker.url}/idtoken?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: RUNNER_REQUEST_TOKEN,
      },
    );
    const run = await runBundle(job, env);
    expect(run.status).toBe(1);
    const errors = run.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error::\S*azure-auth-gate\.yml:1: cloud: cloud '\.\/azure-cloud\.json' is a custom cloud profile: .*set the Action input allow-custom-cloud: true/,
      ),
    ]);
    expect(run.stdout).not.toMatch(/ID token url/);
    const visible = everythingVisible(job, run);
    for (const secret of [RUNNER_REQUEST_TOKEN]) expect(visible).not.toContain(secret);
    expect(visible).not.toMatch(JWT);
    expectAttackerGotNothing();
  });

  it("refuses a custom profile named by the cloud input too, without allow-custom-cloud", async () => {
    const job = runnerJob(hostileRepo(), pullRequestEvent("contoso/django-app"));
    const env = runnerEnv(
      job,
      { "client-id": CLIENT, "tenant-id": TENANT, cloud: "azure-cloud.json", "github-token": GITHUB_TOKEN },
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: `${attacker.url}/idtoken?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: RUNNER_REQUEST_TOKEN,
      },
    );
    const run = await runBundle(job, env);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::input cloud: '\S*azure-cloud\.json' is a custom cloud profile: /m);
    expectAttackerGotNothing();
  });
});

describe("the CLI on a cloned repository whose config names a custom cloud", () => {
  it("refuses it (exit 2, one line) and never sends the user's client secret anywhere", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "aag-cloned-cloud-"));
    for (const [name, text] of Object.entries(hostileRepo())) writeFileSync(path.join(dir, name), text);
    const env = {
      PATH: path.dirname(process.execPath),
      HOME: dir,
      NO_COLOR: "1",
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: CLIENT_SECRET,
    };
    const run = await runProcess([built.bin, "check", "--config", "azure-auth-gate.yml"], dir, env);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^azure-auth-gate: azure-auth-gate\.yml:1: cloud: cloud '\.\/azure-cloud\.json' is a custom cloud profile: .*pass --allow-custom-cloud \(CLI\)[^\n]*\n$/,
    );
    expect(run.stderr).not.toContain(CLIENT_SECRET);
    expectAttackerGotNothing();
  });
});

describe("with the user's opt-in (allow-custom-cloud), against the sandbox", () => {
  let sb: Sandbox;
  /** A host that is not the profile's, presenting a certificate the profile's CA vouches for. */
  let impostor: Attacker;

  beforeAll(async () => {
    const input = scenario({ kvRole: false }) as ReturnType<typeof scenario> & {
      applications: { name: string; secrets?: { value: string }[] }[];
    };
    // The CLI signs in with a client secret (EnvironmentCredential); the Action with GitHub OIDC.
    input.applications.find((a) => a.name === "azure-auth-gate")!.secrets = [{ value: GATE_SECRET }];
    sb = await startSandbox(input, { azurite: false });
    impostor = await startAttacker({ certFile: sb.tls.certFile, keyFile: sb.tls.keyFile });
  }, 120_000);

  afterAll(async () => {
    await impostor?.stop();
    await sb?.stop();
  });

  it("the bundle prints the endpoints before the first token request, gates the deploy, and trusts the profile's CA for its hosts only", async () => {
    const ws = workspace(sb);
    // No NODE_EXTRA_CA_CERTS: the sandbox's CA reaches the gate only through the profile, for the profile's hosts.
    const env = {
      PATH: path.dirname(process.execPath),
      HOME: ws.tempDir,
      HTTPS_PROXY: sb.urls.proxy,
      NO_PROXY: "127.0.0.1,localhost",
      ...sandboxRunnerEnv(sb, ws, { inputs: { "allow-custom-cloud": "true" } }),
      // The PR comment goes to a host outside the profile that presents the profile CA's certificate.
      GITHUB_API_URL: impostor.url,
    };
    const run = await runProcess([BUNDLE], ws.dir, env);
    const lines = run.stdout.split("\n");
    const notice = lines.findIndex((l) => l.startsWith("::notice::custom cloud profile 'AzureAuthGateSandbox' (allowed by the user)"));
    const firstTokenRequest = lines.findIndex((l) => l.includes("ID token url"));
    expect(notice, run.stdout).toBeGreaterThanOrEqual(0);
    expect(firstTokenRequest).toBeGreaterThan(notice);
    expect(lines[notice]).toContain(`Entra ID authority: ${sb.urls.authorityHost}`);
    expect(lines[notice]).toContain("GitHub ID token audience (token exchange): api://AzureADTokenExchange");
    expect(lines[notice]).toContain("trusted for the hosts above only");
    // The gate itself worked against the sandbox: login, control plane, the AG208 the scenario plants.
    expect(run.status).toBe(1);
    const outputs = readOutputs(readFileSync(ws.outputFile, "utf8"));
    expect(outputs.verdict).toBe("fail");
    expect(JSON.parse(readFileSync(outputs.report!, "utf8")).findings.map((f: { id: string }) => f.id)).toContain("AG208");
    // The impostor saw a TLS handshake fail, never a request: the job's GitHub token did not reach it.
    expect(impostor.requests).toEqual([]);
    expect(run.stdout).toMatch(/^::warning::comment: GitHub refused the PR comment.*certificate/m);
    expect(run.stdout + run.stderr).not.toContain(SECRET_VALUE);
  });

  it("the CLI with --allow-custom-cloud prints the endpoints to stderr first and checks against the sandbox", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "aag-cli-opt-in-"));
    const sub = sb.state.subscriptions[0]!.subscriptionId;
    writeFileSync(
      path.join(dir, "azure-auth-gate.yml"),
      `cloud: ${sb.profileFile}\ntenantId: ${sb.state.tenantId}\nsubscriptions: [${sub}]\ncluster: { subscription: ${sub}, resourceGroup: app-rg, name: aks-prod }\ntargets:\n  - workload: app/Deployment/backend\n    serviceAccount: backend\n    clientId: ${sb.identity("backend-id").clientId}\n    keyVault: [{ vault: contoso-app-kv, secrets: [django-secret-key] }]\n`,
    );
    const { NODE_EXTRA_CA_CERTS: _dropped, ...sandboxEnv } = sb.env;
    const env: Record<string, string> = {
      ...sandboxEnv,
      PATH: path.dirname(process.execPath),
      HOME: dir,
      NO_COLOR: "1",
      AZURE_CLIENT_ID: sb.app("azure-auth-gate").appId,
      AZURE_CLIENT_SECRET: GATE_SECRET,
    };
    const refused = await runProcess([built.bin, "check", "--config", "azure-auth-gate.yml", "--format", "json"], dir, env);
    expect(refused.status).toBe(2);
    const run = await runProcess(
      [built.bin, "check", "--config", "azure-auth-gate.yml", "--allow-custom-cloud", "--format", "json"],
      dir,
      env,
    );
    expect(run.stderr.split("\n")[0]).toBe(
      "custom cloud profile 'AzureAuthGateSandbox' (allowed by the user): tokens and requests go to these endpoints only",
    );
    expect(run.stderr).toContain(`  Resource Manager: ${sb.urls.arm}`);
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as { metadata: { layers: string[] }; findings: { id: string }[] };
    expect(report.metadata.layers).toContain("control-plane");
    expect(report.findings.map((f) => f.id)).toContain("AG208");
    expect(run.stdout + run.stderr).not.toContain(GATE_SECRET);
  });
});
