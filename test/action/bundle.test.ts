/**
 * The committed bundle (what action.yml's `runs.main` points at, read with GitHub's parser) runs on its own — no
 * node_modules, no TypeScript — as a child process with the runner's environment: INPUT_* for every input of
 * action.yml with its own defaults (`${{ github.token }}` resolved as the runner does), the event file,
 * GITHUB_OUTPUT and the step summary, against the sandbox: OIDC login, the gate, outputs, summary and the sticky
 * comment. `npm run build` refreshes it.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markerFor } from "../../action/comment.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { loadActionManifest, runnerInputEnv } from "../action-manifest/manifest.js";
import { readOutputs, runnerEnv, scenario, workspace } from "./action-runner.js";

const action = loadActionManifest();
const BUNDLE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../..",
  action.runs.using === "node24" ? action.runs.main : "(not a node24 action)",
);

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox(scenario({ kvRole: false }), { azurite: false });
});

afterAll(async () => {
  await sb?.stop();
});

/** Runs the bundle asynchronously: the sandbox answering it lives in this process's event loop. */
function runBundle(cwd: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe("dist/action/index.js", () => {
  it("runs as the runner runs it and gates the deploy", async () => {
    expect(existsSync(BUNDLE), "dist/action/index.js is missing: run `npm run build`").toBe(true);
    const ws = workspace(sb);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: ws.tempDir,
      // The GitHub API of the sandbox is HTTPS with its own certificate (real GitHub's is public).
      NODE_EXTRA_CA_CERTS: sb.tls.certFile,
      // Any request that is not for 127.0.0.1 goes to the guard proxy, which refuses it.
      HTTPS_PROXY: sb.urls.proxy,
      NO_PROXY: "127.0.0.1,localhost",
      ...Object.fromEntries(Object.entries(runnerEnv(sb, ws)).filter(([key]) => !key.startsWith("INPUT_"))),
      ...runnerInputEnv(
        action,
        {
          "client-id": sb.app("azure-auth-gate").appId,
          manifests: "k8s/*.yaml",
          cloud: sb.profileFile,
          "allow-custom-cloud": "true",
          sarif: "gate.sarif",
        },
        (expression) => {
          if (expression === "github.token") return sb.githubTokens!.write;
          throw new Error(`the runner has no value for \${{ ${expression} }} here`);
        },
      ),
    };
    expect(env["INPUT_FAIL-ON"]).toBe("error");
    expect(env["INPUT_GITHUB-TOKEN"]).toBe(sb.githubTokens!.write);
    const child = await runBundle(ws.dir, env);
    const outputs = readOutputs(readFileSync(ws.outputFile, "utf8"));
    expect(child.stderr).toBe("");
    expect(child.status).toBe(1);
    expect(child.stdout).toMatch(/^::error::Azure Auth Gate: fail/m);
    expect(outputs).toMatchObject({ verdict: "fail" });
    expect(Number(outputs.errors)).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(outputs.report!, "utf8")).findings.map((f: { id: string }) => f.id)).toContain("AG208");
    expect(readFileSync(ws.summaryFile, "utf8")).toContain("Azure Auth Gate: fail");
    expect(existsSync(path.join(ws.dir, "gate.sarif"))).toBe(true);
    expect(Object.keys(outputs).sort()).toEqual((action.outputs ?? []).map((output) => output.id).sort());
    expect(sb.state.github!.comments.filter((c) => c.body.startsWith(markerFor("deploy/azure-auth-gate.yml")))).toHaveLength(1);
    expect(sb.log.count({ service: "actions" })).toBeGreaterThan(0);
  });
});
