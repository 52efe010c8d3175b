/**
 * The Action run by GitHub's own local runner for actions, @github/local-action (it reads action.yml with the
 * `yaml` package, stubs @actions/core and @actions/github, and runs the TypeScript entry point), on a pull request
 * against the sandbox's GitHub: two runs on one PR — a push that breaks the manifests, then the fix — must leave
 * exactly one sticky comment, edited in place. Inputs come from the parsed action.yml's defaults.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markerFor } from "../../action/comment.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { runnerEnv, scenario, workspace, type Workspace } from "../action/action-runner.js";
import { loadActionManifest, repoRoot, runnerInputEnv } from "./manifest.js";

const LOCAL_ACTION = path.join(repoRoot, "node_modules", ".bin", "local-action");

let sb: Sandbox;
let ws: Workspace;

beforeAll(async () => {
  sb = await startSandbox(scenario(), { azurite: false });
  ws = workspace(sb);
});

afterAll(async () => {
  await sb?.stop();
});

function dotenv(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join("\n");
}

/** Outputs as local-action's stubbed core.setOutput prints them (`::set-output name=…::…`). */
function setOutputs(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^::set-output name=([^:]+)::(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** One `local-action run` of action/run-action.ts; async, because the sandbox answering it lives in this process. */
function localAction(envFile: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(LOCAL_ACTION, ["run", repoRoot, "action/run-action.ts", envFile], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: ws.tempDir,
        // The sandbox's GitHub is HTTPS with its own certificate; Node reads this only at start.
        NODE_EXTRA_CA_CERTS: sb.tls.certFile,
        HTTPS_PROXY: sb.urls.proxy,
        NO_PROXY: "127.0.0.1,localhost",
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe("@github/local-action: two runs on one pull request", () => {
  it("posts one sticky comment and edits it in place", async () => {
    const action = loadActionManifest();
    const manifest = path.join(ws.dir, "k8s", "backend.yaml");
    const good = readFileSync(manifest, "utf8");
    const env = (run: number) => {
      const file = path.join(ws.tempDir, `local-action-${run}.env`);
      const runner = Object.fromEntries(Object.entries(runnerEnv(sb, ws, { idToken: false })).filter(([key]) => !key.startsWith("INPUT_")));
      const inputs = runnerInputEnv(action, { manifests: "k8s/*.yaml" }, (expression) => {
        if (expression === "github.token") return sb.githubTokens!.write;
        throw new Error(`no value for \${{ ${expression} }}`);
      });
      writeFileSync(file, dotenv({ ...runner, ...inputs, GITHUB_RUN_ID: String(1000000100 + run) }));
      return file;
    };

    const sticky = () => sb.state.github!.comments.filter((c) => c.body.startsWith(markerFor("deploy/azure-auth-gate.yml")));

    // Push 1: the pod template loses its Workload Identity label.
    writeFileSync(manifest, good.replace(', azure.workload.identity/use: "true"', ""));
    expect(readFileSync(manifest, "utf8")).not.toBe(good);
    const first = await localAction(env(1));
    expect(first.stdout, first.stderr).toContain("Running Action");
    const firstOutputs = setOutputs(first.stdout);
    expect(firstOutputs).toMatchObject({ verdict: "fail", errors: "1" });
    expect(first.stdout).toMatch(/^::error title=Azure Auth Gate AG104,file=k8s\/backend\.yaml,line=\d+/m);
    expect(first.stdout).toMatch(/^::error::Azure Auth Gate: fail/m);
    expect(sticky()).toHaveLength(1);
    const comment = sticky()[0]!;
    expect(comment.body).toContain("AG104");
    expect(firstOutputs["comment-url"]).toContain(`#issuecomment-${comment.id}`);

    // Push 2: the fix. Same PR, new run: the same comment, now saying pass.
    writeFileSync(manifest, good);
    const second = await localAction(env(2));
    const secondOutputs = setOutputs(second.stdout);
    expect(secondOutputs, second.stderr).toMatchObject({ verdict: "pass", errors: "0" });
    expect(second.stdout).not.toMatch(/^::error/m);
    expect(sticky()).toHaveLength(1);
    expect(sticky()[0]!.id).toBe(comment.id);
    expect(sticky()[0]!.body).not.toContain("AG104");
    expect(sticky()[0]!.body).toMatch(/pass/i);
    expect(secondOutputs["comment-url"]).toBe(firstOutputs["comment-url"]);
    expect(readFileSync(ws.summaryFile, "utf8")).toContain("Azure Auth Gate");
    // The write token reached GitHub (the comment exists) and nothing else.
    for (const run of [first, second]) expect(run.stdout + run.stderr).not.toContain(sb.githubTokens!.write);
  }, 240_000);
});
