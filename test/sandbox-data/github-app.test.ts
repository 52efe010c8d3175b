/**
 * The GitHub emulator's App side against the REAL clients (@octokit/auth-app, @actions/github's
 * Octokit): App JWT → installation token, the contents and trees APIs at a sha, the default branch,
 * and the protection-rule callback — and GitHub's refusals: a JWT that expires more than 10 minutes
 * ahead, names another App or is signed with another key; a token asking for more than the
 * installation granted; a token without `deployments: write`; a review of a rule that is not pending,
 * of another environment, or from GITHUB_TOKEN.
 */
import { createSign, generateKeyPairSync } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installGitHubApp, pushCommit, requestDeploymentProtection, type InstalledApp } from "../sandbox/deployments.js";
import type { TenantState } from "../sandbox/state.js";
import type { ServiceContext } from "../sandbox/contract.js";
import { refusal } from "./data-plane-server.js";
import { startGitHubEmulator, type GitHubEmulator } from "./github-fixture.js";

let emulator: GitHubEmulator;
let state: TenantState;
let ctx: ServiceContext;
let app: InstalledApp;
const repo = { owner: "acme", repo: "django-app" };

const octokit = (token: string) => emulator.octokit(token);

/** Octokit's request without an auth hook (getOctokit always wants a token; this strategy leaves requests as they are). */
const plainRequest = () =>
  emulator.octokit("unused", {
    authStrategy: () => ({
      hook: (request: (route: unknown, params: unknown) => unknown, route: unknown, params: unknown) => request(route, params),
    }),
  }).request;

function appAuth(privateKey = app.privateKeyPem, appId: number | string = app.appId) {
  return createAppAuth({ appId, privateKey, request: plainRequest() });
}

async function installationOctokit(options: { permissions?: Record<string, "read" | "write"> } = {}) {
  const { token } = await appAuth()({ type: "installation", installationId: app.installationId, repositoryNames: [repo.repo], ...options });
  return octokit(token);
}

function handMadeJwt(claims: Record<string, unknown>, pem = app.privateKeyPem): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const head = `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}`;
  return `${head}.${createSign("RSA-SHA256").update(head).sign(pem).toString("base64url")}`;
}

beforeAll(async () => {
  // No pull request: the App side needs none.
  emulator = await startGitHubEmulator({ github: { pullRequest: undefined }, octokit: { request: { retries: 0 } } });
  ({ state, ctx } = emulator);
  app = installGitHubApp(ctx);
  pushCommit(ctx, "main", {
    "azure-auth-gate.yml": "targets: []\n",
    "deploy/prod/app.yaml": "kind: Deployment\n",
    "deploy/prod/sa.yaml": "kind: ServiceAccount\n",
  });
  pushCommit(ctx, "feature", { "azure-auth-gate.yml": "failOpen: true\n", "deploy/prod/app.yaml": "kind: Deployment # changed\n" });
});

afterAll(async () => {
  await emulator?.close();
});

describe("App authentication", () => {
  it("exchanges the App's JWT for an installation token narrowed to the repository", async () => {
    const auth = appAuth();
    const installation = await octokit((await auth({ type: "app" })).token).request("GET /repos/{owner}/{repo}/installation", repo);
    expect(installation.data.id).toBe(app.installationId);
    const token = await auth({ type: "installation", installationId: app.installationId, repositoryNames: [repo.repo] });
    expect(token.token).toMatch(/^ghs_/);
    expect(token.permissions).toMatchObject({ contents: "read", deployments: "write", actions: "read" });
  });

  it("refuses JWTs GitHub refuses: exp more than 10 minutes ahead, another App's id, another key, garbage", async () => {
    const now = Math.floor(Date.now() / 1000);
    const call = (jwt: string) =>
      refusal(octokit(jwt).request("POST /app/installations/{installation_id}/access_tokens", { installation_id: app.installationId }));
    expect(await call(handMadeJwt({ iss: String(app.appId), iat: now - 30, exp: now + 11 * 60 }))).toEqual({
      status: 401,
      message: "'Expiration time' claim ('exp') is too far in the future",
    });
    expect((await call(handMadeJwt({ iss: "1", iat: now - 30, exp: now + 300 }))).status).toBe(401);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    expect((await call(handMadeJwt({ iss: String(app.appId), iat: now - 30, exp: now + 300 }, other))).status).toBe(401);
    expect((await call("not-a-jwt")).status).toBe(401);
    // A well-formed one works (and so the refusals above are about the claims, not the route).
    const ok = await octokit(handMadeJwt({ iss: String(app.appId), iat: now - 30, exp: now + 540 })).request(
      "POST /app/installations/{installation_id}/access_tokens",
      { installation_id: app.installationId },
    );
    expect(ok.status).toBe(201);
  });

  it("refuses a token for more than the installation granted, or for another repository", async () => {
    const auth = appAuth();
    expect(
      await refusal(auth({ type: "installation", installationId: app.installationId, permissions: { contents: "write" } })),
    ).toMatchObject({ status: 422 });
    expect(
      await refusal(auth({ type: "installation", installationId: app.installationId, repositoryNames: ["other-repo"] })),
    ).toMatchObject({ status: 422 });
  });
});

describe("contents and trees at a sha", () => {
  it("serves a file at the default branch, at a branch and at a commit sha; the default branch is the repository's", async () => {
    const gh = await installationOctokit();
    expect((await gh.rest.repos.get(repo)).data.default_branch).toBe("main");
    const text = async (ref: string | undefined, path: string) => {
      const res = await gh.rest.repos.getContent({ ...repo, path, ...(ref ? { ref } : {}) });
      const data = res.data as { content: string; encoding: string };
      return Buffer.from(data.content, "base64").toString("utf8");
    };
    expect(await text(undefined, "azure-auth-gate.yml")).toBe("targets: []\n");
    expect(await text("feature", "azure-auth-gate.yml")).toBe("failOpen: true\n");
    const mainSha = state.github!.git!.branches.main!;
    expect(await text(mainSha, "deploy/prod/app.yaml")).toBe("kind: Deployment\n");
    expect(await refusal(gh.rest.repos.getContent({ ...repo, path: "nope.yaml" }))).toMatchObject({ status: 404 });
    const ref = await gh.rest.git.getRef({ ...repo, ref: "heads/main" });
    expect(ref.data.object).toMatchObject({ sha: mainSha, type: "commit" });
    const tree = await gh.rest.git.getTree({ ...repo, tree_sha: state.github!.git!.branches.feature!, recursive: "1" });
    // A tree's sha is not a commit's: reading files at it is GitHub's 404.
    expect(tree.data.sha).not.toBe(state.github!.git!.branches.feature);
    expect(await refusal(gh.rest.repos.getContent({ ...repo, path: "azure-auth-gate.yml", ref: tree.data.sha }))).toMatchObject({
      status: 404,
    });
    expect(tree.data.tree.filter((e) => e.type === "blob").map((e) => e.path)).toEqual([
      "azure-auth-gate.yml",
      "deploy/prod/app.yaml",
      "deploy/prod/sa.yaml",
    ]);
    expect(tree.data.truncated).toBe(false);
  });

  it("refuses contents to a token whose permissions do not include contents", async () => {
    const gh = await installationOctokit({ permissions: { deployments: "write" } });
    expect(await refusal(gh.rest.repos.getContent({ ...repo, path: "azure-auth-gate.yml" }))).toEqual({
      status: 403,
      message: "Resource not accessible by integration",
    });
  });
});

describe("deployment protection rule callback", () => {
  it("accepts one review of the App's pending rule for that environment, then refuses another", async () => {
    const { rule } = requestDeploymentProtection(ctx, "production", "main");
    const gh = await installationOctokit();
    const review = (body: { environment_name: string; state: string; comment?: string }, client = gh) =>
      client.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", {
        ...repo,
        run_id: rule.runId,
        ...body,
      } as never);
    expect(await refusal(review({ environment_name: "staging", state: "approved", comment: "ok" }))).toMatchObject({ status: 422 });
    expect(await refusal(review({ environment_name: "production", state: "maybe", comment: "ok" }))).toMatchObject({ status: 422 });
    expect(await refusal(review({ environment_name: "production", state: "approved", comment: "x".repeat(65_537) }))).toMatchObject({
      status: 422,
    });
    expect(
      await refusal(review({ environment_name: "production", state: "approved", comment: "ok" }, octokit(emulator.tokens.write))),
    ).toMatchObject({ status: 403 });
    const readOnly = await installationOctokit({ permissions: { contents: "read", deployments: "read" } });
    expect(await refusal(review({ environment_name: "production", state: "approved", comment: "ok" }, readOnly))).toMatchObject({
      status: 403,
    });
    expect(rule.state).toBe("pending");
    expect((await review({ environment_name: "production", state: "rejected", comment: "AG204" })).status).toBe(204);
    expect(rule).toMatchObject({ state: "rejected", reviews: [{ state: "rejected", comment: "AG204" }] });
    expect(await refusal(review({ environment_name: "production", state: "approved", comment: "again" }))).toMatchObject({ status: 422 });
    expect(rule.reviews).toHaveLength(1);
    expect(
      await refusal(
        gh.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", {
          ...repo,
          run_id: 1,
          environment_name: "production",
          state: "approved",
        }),
      ),
    ).toMatchObject({ status: 404 });
  });
});
