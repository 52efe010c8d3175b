/**
 * The GitHub REST emulator against the REAL @actions/github Octokit (getOctokit with baseUrl):
 * sticky-comment flow with paging, issues, pull requests, reviews, and GitHub's refusals.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { TenantState } from "../sandbox/state.js";
import { refusal } from "./data-plane-server.js";
import { startGitHubEmulator, type GitHubEmulator } from "./github-fixture.js";

let emulator: GitHubEmulator;
let state: TenantState;
const repo = { owner: "acme", repo: "django-app" };

const octokit = (token: string) => emulator.octokit(token);

beforeAll(async () => {
  emulator = await startGitHubEmulator({ octokit: { request: { retries: 0 } } });
  state = emulator.state;
  return () => emulator.close();
});

describe("PR comments", () => {
  it("creates, pages through, updates and deletes comments (the sticky-comment flow)", async () => {
    const gh = octokit(emulator.tokens.write);
    for (let i = 0; i < 35; i++) await gh.rest.issues.createComment({ ...repo, issue_number: 7, body: `comment ${i}` });
    const sticky = await gh.rest.issues.createComment({ ...repo, issue_number: 7, body: "<!-- azure-auth-gate -->\nverdict: FAIL" });
    expect(sticky.status).toBe(201);
    expect(sticky.data.user?.login).toBe("github-actions[bot]");

    const firstPage = await gh.rest.issues.listComments({ ...repo, issue_number: 7, per_page: 10 });
    expect(firstPage.data).toHaveLength(10);
    expect(firstPage.headers.link).toContain('rel="next"');
    const all = await gh.paginate(gh.rest.issues.listComments, { ...repo, issue_number: 7, per_page: 10 });
    expect(all).toHaveLength(36);

    const mine = all.find((c) => c.body?.startsWith("<!-- azure-auth-gate -->"));
    expect(mine?.id).toBe(sticky.data.id);
    const updated = await gh.rest.issues.updateComment({ ...repo, comment_id: mine!.id, body: "<!-- azure-auth-gate -->\nverdict: PASS" });
    expect(updated.data.body).toContain("PASS");
    expect((await gh.rest.issues.getComment({ ...repo, comment_id: mine!.id })).data.body).toContain("PASS");

    await gh.rest.issues.deleteComment({ ...repo, comment_id: mine!.id });
    expect(await refusal(gh.rest.issues.getComment({ ...repo, comment_id: mine!.id }))).toEqual({ status: 404, message: "Not Found" });
  });

  it("refuses a body over 65,536 characters with 422", async () => {
    const gh = octokit(emulator.tokens.write);
    const r = await refusal(gh.rest.issues.createComment({ ...repo, issue_number: 7, body: "x".repeat(65537) }));
    expect(r).toEqual({ status: 422, message: "Validation Failed" });
  });

  it("refuses writes with a fork's read-only token, but lets it read", async () => {
    const gh = octokit(emulator.tokens.readOnly);
    expect(await refusal(gh.rest.issues.createComment({ ...repo, issue_number: 7, body: "hi" }))).toEqual({
      status: 403,
      message: "Resource not accessible by integration",
    });
    expect((await gh.rest.issues.listComments({ ...repo, issue_number: 7 })).status).toBe(200);
  });

  it("answers 401 for a bad token and 404 for another repository or a missing issue", async () => {
    expect(await refusal(octokit("ghs_not-a-real-token").rest.issues.listComments({ ...repo, issue_number: 7 }))).toEqual({
      status: 401,
      message: "Bad credentials",
    });
    const gh = octokit(emulator.tokens.write);
    expect((await refusal(gh.rest.issues.listComments({ owner: "acme", repo: "other", issue_number: 7 }))).status).toBe(404);
    expect((await refusal(gh.rest.issues.createComment({ ...repo, issue_number: 999, body: "x" }))).status).toBe(404);
  });
});

describe("issues, pull requests and reviews", () => {
  it("creates, lists and closes an audit issue", async () => {
    const gh = octokit(emulator.tokens.write);
    const created = await gh.rest.issues.create({ ...repo, title: "Azure auth audit", body: "findings", labels: ["azure-auth-gate"] });
    expect(created.data.number).toBe(8);
    const open = await gh.rest.issues.listForRepo({ ...repo, labels: "azure-auth-gate" });
    expect(open.data.map((i) => i.number)).toEqual([8]);
    await gh.rest.issues.update({ ...repo, issue_number: 8, state: "closed", body: "resolved" });
    expect((await gh.rest.issues.listForRepo({ ...repo, labels: "azure-auth-gate" })).data).toEqual([]);
    expect((await gh.rest.issues.get({ ...repo, issue_number: 8 })).data).toMatchObject({ state: "closed", body: "resolved" });
  });

  it("serves the pull request, its files, and review creation with review comments", async () => {
    const gh = octokit(emulator.tokens.write);
    const pr = await gh.rest.pulls.get({ ...repo, pull_number: 7 });
    expect(pr.data).toMatchObject({ number: 7, state: "open", base: { ref: "main" } });
    expect((await gh.rest.pulls.listFiles({ ...repo, pull_number: 7 })).data).toEqual([]);
    // A review comment must land on the PR's diff (github-pulls.test.ts covers the refusals).
    state.github!.pullFiles = [
      {
        filename: "k8s/job.yaml",
        status: "added",
        patch: `@@ -0,0 +1,12 @@\n${Array.from({ length: 12 }, (_, i) => `+line ${i + 1}`).join("\n")}`,
      },
    ];
    const review = await gh.rest.pulls.createReview({
      ...repo,
      pull_number: 7,
      event: "COMMENT",
      body: "gate",
      comments: [{ path: "k8s/job.yaml", line: 12, body: "missing WI label" }],
    });
    expect(review.data.body).toBe("gate");
    expect((await gh.rest.pulls.listReviews({ ...repo, pull_number: 7 })).data.map((r) => r.id)).toEqual([review.data.id]);
    const comments = await gh.rest.pulls.listReviewComments({ ...repo, pull_number: 7 });
    expect(comments.data.map((c) => [c.path, c.body])).toEqual([["k8s/job.yaml", "missing WI label"]]);
    expect((await refusal(gh.rest.pulls.get({ ...repo, pull_number: 8 }))).status).toBe(404);
  });
});
