/**
 * The Action's `run()` in-process against the sandbox: GitHub's Actions ID-token endpoint, Entra ID
 * with federated credentials, ARM, Graph and the GitHub REST API. Real @actions/core (INPUT_*,
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), real ClientAssertionCredential, real Octokit.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { markerFor } from "../../action/comment.js";
import { signIn } from "../../action/login.js";
import { readRunContext } from "../../action/run-context.js";
import { loadCloudProfile } from "../../shared/cloud/profile.js";
import { ClientAssertionCredential } from "@azure/identity";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { maskedValues, runnerEnv, scenario, SECRET_VALUE, step, workspace } from "./action-runner.js";

const stickyComments = (sb: Sandbox, key = "deploy/azure-auth-gate.yml") =>
  sb.state.github!.comments.filter((c) => c.issueNumber === 12 && c.body.startsWith(markerFor(key)));
const idTokenRequests = (sb: Sandbox) => sb.log.count({ service: "actions" });

let good: Sandbox;
let broken: Sandbox;

beforeAll(async () => {
  [good, broken] = await Promise.all([
    startSandbox(scenario(), { azurite: false }),
    startSandbox(scenario({ kvRole: false }), { azurite: false }),
  ]);
});

afterAll(async () => {
  await Promise.all([good?.stop(), broken?.stop()]);
});

describe("deploy gate with GitHub OIDC", () => {
  it("passes when the pod's identity can reach Blob and Key Vault, with outputs, summary, SARIF and a comment", async () => {
    const ws = workspace(good);
    const s = await step(ws, runnerEnv(good, ws));
    expect(s.result?.report.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(s.result?.report.verdict).toBe("pass");
    expect(s.result?.report.metadata.layers).toEqual(["static", "control-plane"]);
    expect(s.exitCode).toBe(0);
    expect(s.outputs).toMatchObject({ verdict: "pass", errors: "0", warnings: "0" });
    expect(JSON.parse(readFileSync(s.outputs.report!, "utf8")).verdict).toBe("pass");
    expect(s.summary).toContain("Azure Auth Gate: pass");
    expect(JSON.parse(readFileSync(path.join(ws.dir, "gate.sarif"), "utf8")).version).toBe("2.1.0");
    expect(stickyComments(good)).toHaveLength(1);
    expect(s.outputs["comment-url"]).toMatch(/\/pull\/12#issuecomment-\d+$/);
  });

  it("fails on a missing Key Vault role, comments once, and updates that same comment on the next push", async () => {
    const ws = workspace(broken);
    const first = await step(ws, runnerEnv(broken, ws));
    expect(first.result?.report.verdict).toBe("fail");
    expect(first.result?.report.findings.map((f) => f.id)).toContain("AG208");
    expect(first.exitCode).toBe(1);
    expect(first.stdout).toMatch(/^::error::Azure Auth Gate: fail \(\d+ errors?, \d+ warnings?; fail-on: error\)$/m);
    expect(first.outputs.verdict).toBe("fail");
    expect(first.result?.comment?.action).toBe("created");
    const [comment] = stickyComments(broken);
    expect(comment?.body).toContain("AG208");

    const second = await step(ws, runnerEnv(broken, ws));
    expect(second.result?.comment).toEqual({ action: "updated", url: first.result?.comment?.url });
    expect(stickyComments(broken)).toHaveLength(1);
    expect(stickyComments(broken)[0]!.id).toBe(comment!.id);
    expect(broken.state.github!.comments.filter((c) => c.issueNumber === 12)).toHaveLength(1);
  });

  it("fail-on: never reports the failure without failing the step", async () => {
    const ws = workspace(broken);
    const s = await step(ws, runnerEnv(broken, ws, { inputs: { "fail-on": "never", comment: "false" } }));
    expect(s.result?.report.verdict).toBe("fail");
    expect(s.exitCode).toBe(0);
    expect(s.outputs.verdict).toBe("fail");
  });
});

describe("login problems are findings, with a static fallback", () => {
  it("no id-token permission: AG501 with the YAML fix, a notice, and the static layer only", async () => {
    const ws = workspace(good);
    const before = idTokenRequests(good);
    const s = await step(ws, runnerEnv(good, ws, { idToken: false, inputs: { comment: "false" } }));
    const ag501 = s.result?.report.findings.find((f) => f.id === "AG501");
    expect(ag501?.fix).toContain("id-token: write");
    expect(s.result?.report.metadata.layers).toEqual(["static", "login"]);
    expect(s.stdout).toContain("::notice::No GitHub ID token (AG501): running the static layer only.");
    expect(s.summary).toContain("AG501");
    expect(s.exitCode).toBe(1);
    expect(idTokenRequests(good)).toBe(before);
    expect(s.stdout).not.toMatch(/\n\s+at /);
  });

  it("a fork pull request: AG501 explains forks, and no comment is attempted with the read-only token", async () => {
    const ws = workspace(good, { fork: true });
    const comments = good.state.github!.comments.length;
    const s = await step(ws, runnerEnv(good, ws, { idToken: false, token: good.githubTokens!.readOnly }));
    const ag501 = s.result?.report.findings.find((f) => f.id === "AG501");
    expect(ag501?.evidence).toContain("comes from a fork");
    expect(ag501?.fix).toContain("mode: ${{ github.event.pull_request.head.repo.fork && 'static' || 'azure' }}");
    expect(s.stdout).toContain("::notice::comment: pull requests from forks get a read-only GITHUB_TOKEN");
    expect(good.state.github!.comments.length).toBe(comments);
    expect(s.outputs["comment-url"]).toBe("");
  });

  it("Entra refuses the token: AG502 shows the token's sub and the credential that would match", async () => {
    const sb = await startSandbox(scenario({ subject: "repo:contoso/django-app:ref:refs/heads/main" }), { azurite: false });
    try {
      const ws = workspace(sb);
      const s = await step(ws, runnerEnv(sb, ws));
      const ag502 = s.result?.report.findings.find((f) => f.id === "AG502");
      expect(ag502?.evidence).toContain("AADSTS700213");
      expect(ag502?.evidence).toContain("sub is 'repo:contoso/django-app:environment:production'");
      expect(ag502?.evidence).toContain("environment: production");
      expect(ag502?.fix).toContain('"subject":"repo:contoso/django-app:environment:production"');
      expect(s.result?.report.metadata.layers).toEqual(["static", "login"]);
      expect(s.stdout).toContain("::notice::Entra ID refused the GitHub ID token (AG502)");
      expect(stickyComments(sb)[0]?.body).toContain("AG502");
    } finally {
      await sb.stop();
    }
  });
});

describe("long jobs", () => {
  it("asks GitHub for a fresh ID token for every Azure token, so a stale assertion is never presented", async () => {
    const profile = loadCloudProfile(good.profileFile);
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: good.env.ACTIONS_ID_TOKEN_REQUEST_URL!,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: good.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN!,
    };
    Object.assign(process.env, env);
    const spy = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const ctx = readRunContext({ GITHUB_REPOSITORY: "contoso/django-app", GITHUB_WORKFLOW: "deploy" });
      const login = await signIn({ tenantId: good.state.tenantId, clientId: good.app("azure-auth-gate").appId, profile, run: ctx, env });
      expect(login.ok).toBe(true);
      if (!login.ok) return;
      const afterLogin = idTokenRequests(good);

      // An hour later (GitHub ID tokens live 5 minutes), the job needs a token for another resource.
      good.clock.advance("1h");
      const graph = await login.credential.getToken("https://graph.microsoft.com/.default");
      expect(graph?.token).toBeTruthy();
      expect(idTokenRequests(good)).toBeGreaterThan(afterLogin);

      // The contrast: a login-once credential holding the first ID token is refused with AADSTS700024.
      const stale = good.mintGitHubIdToken(profile.tokenExchangeAudience);
      good.clock.advance("1h");
      const once = new ClientAssertionCredential(good.state.tenantId, good.app("azure-auth-gate").appId, async () => stale, {
        authorityHost: profile.authorityHost,
        disableInstanceDiscovery: true,
      });
      await expect(once.getToken("https://vault.azure.net/.default")).rejects.toThrow(/AADSTS700024/);
      expect((await login.credential.getToken("https://vault.azure.net/.default"))?.token).toBeTruthy();
    } finally {
      spy.mockRestore();
      delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
      delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    }
  });
});

describe("no secret leaves the run", () => {
  it("the ID token, access tokens, GitHub token and Key Vault values appear in no log line, summary, comment, output or report", async () => {
    const ws = workspace(broken);
    const env = runnerEnv(broken, ws);
    const s = await step(ws, env);
    const masked = maskedValues(s.stdout);
    // The runner was told to mask the GitHub token, at least one GitHub ID token and the Azure access tokens.
    expect(masked).toContain(broken.githubTokens!.write);
    const idTokens = masked.filter(
      (m) => m.startsWith("eyJ") && JSON.parse(Buffer.from(m.split(".")[1]!, "base64url").toString()).iss?.endsWith("/github"),
    );
    expect(idTokens.length).toBeGreaterThan(0);
    expect(masked.length).toBeGreaterThan(idTokens.length + 1);

    const secrets = [
      ...masked,
      SECRET_VALUE,
      env.ACTIONS_ID_TOKEN_REQUEST_TOKEN!,
      ...masked.filter((m) => m.startsWith("eyJ")).map((m) => m.split(".")[1]!),
    ];
    const places: Record<string, string> = {
      stdout: s.stdout
        .split("\n")
        .filter((l) => !l.startsWith("::add-mask::"))
        .join("\n"),
      summary: s.summary,
      comments: broken.state.github!.comments.map((c) => c.body).join("\n"),
      outputs: readFileSync(ws.outputFile, "utf8"),
      report: readFileSync(s.outputs.report!, "utf8"),
      sarif: readFileSync(path.join(ws.dir, "gate.sarif"), "utf8"),
    };
    for (const [where, text] of Object.entries(places)) {
      expect(text.length, where).toBeGreaterThan(0);
      for (const secret of secrets) expect(text.includes(secret), `${where} contains a secret`).toBe(false);
    }
  });
});

describe("bad input", () => {
  it("an unknown mode is one setFailed line naming the input, with no stack trace", async () => {
    const ws = workspace(good);
    const s = await step(ws, runnerEnv(good, ws, { inputs: { mode: "yolo" } }));
    expect(s.result).toBeUndefined();
    expect(s.exitCode).toBe(1);
    expect(
      s.stdout
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("::error::")),
    ).toEqual(["::error::input mode: must be one of static, azure, probe, got 'yolo'"]);
    expect(s.stdout).not.toMatch(/\s+at \S+ \(/);
  });

  it("a missing config file names the file", async () => {
    const ws = workspace(good);
    const s = await step(ws, runnerEnv(good, ws, { inputs: { config: "deploy/nope.yml" } }));
    expect(s.exitCode).toBe(1);
    expect(s.stdout).toContain(`::error::${path.join(ws.dir, "deploy/nope.yml")}: config file not found (input config)`);
  });
});
