/**
 * The sandbox's GitHub pull-request API, through the REAL Octokit the Action uses: changed files with
 * patches (paged), the head sha, reviews whose comments must land on the diff (GitHub's 422 otherwise,
 * all or nothing), review comments listed, edited and deleted, and review bodies updated.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { indexPatch } from "../sandbox/services/github-pulls.js";
import type { TenantState } from "../sandbox/state.js";
import { startGitHubEmulator, type GitHubEmulator } from "./github-fixture.js";

const HEAD = "a".repeat(40);
const repo = { owner: "acme", repo: "django-app" };
/** Head lines 1-5 unchanged context, 6-7 added, 8-10 context; a second hunk 40-42 with 41 added. */
const PATCH = [
  "@@ -3,6 +3,8 @@ metadata:",
  "   name: web",
  "   namespace: app",
  "   labels:",
  "+    app: web",
  "+    tier: frontend",
  " spec:",
  "   replicas: 2",
  "-  paused: true",
  "   selector:",
  "@@ -38,2 +40,3 @@ spec:",
  "       containers:",
  "+        - name: django",
  "         image: web:1",
].join("\n");

let emulator: GitHubEmulator;
let state: TenantState;

const octokit = (token?: string) => emulator.octokit(token);

async function refusal(p: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; response?: { data: unknown } };
    return { status: e.status, data: e.response?.data };
  }
  throw new Error("expected GitHub to refuse the request");
}

beforeAll(async () => {
  emulator = await startGitHubEmulator({
    github: { headSha: HEAD, pullFiles: [{ filename: "k8s/web.yaml", status: "modified", patch: PATCH }] },
  });
  return () => emulator.close();
});
beforeEach(() => void (state = emulator.reset()));

describe("patch index", () => {
  it("maps each side's lines to hunks and counts positions through later hunk headers", () => {
    const [first, second] = indexPatch(PATCH);
    expect([...first!.right.keys()]).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...first!.left.keys()]).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect([...second!.right.keys()]).toEqual([40, 41, 42]);
    // The second header is position 10 (nine lines of the first hunk, then the header itself).
    expect(second!.headerPosition).toBe(10);
  });
});

describe("pull request files and head", () => {
  it("lists the changed files with patches, paged, and serves head.sha", async () => {
    state.github!.pullFiles = Array.from({ length: 130 }, (_, i) => ({
      filename: `k8s/f${i}.yaml`,
      status: "added" as const,
      patch: "@@ -0,0 +1 @@\n+a: 1",
    }));
    const gh = octokit();
    const files = await gh.paginate(gh.rest.pulls.listFiles, { ...repo, pull_number: 7, per_page: 100 });
    expect(files).toHaveLength(130);
    expect(files[129]).toMatchObject({
      filename: "k8s/f129.yaml",
      status: "added",
      patch: "@@ -0,0 +1 @@\n+a: 1",
      additions: 1,
      deletions: 0,
    });
    expect((await gh.rest.pulls.get({ ...repo, pull_number: 7 })).data.head.sha).toBe(HEAD);
  });
});

describe("reviews with comments on the diff", () => {
  it("creates one review with single- and multi-line comments, then lists them as GitHub does", async () => {
    const gh = octokit();
    const review = await gh.rest.pulls.createReview({
      ...repo,
      pull_number: 7,
      commit_id: HEAD,
      event: "COMMENT",
      body: "two fixes",
      comments: [
        { path: "k8s/web.yaml", line: 7, start_line: 6, side: "RIGHT", start_side: "RIGHT", body: "```suggestion\n    app: web\n```" },
        { path: "k8s/web.yaml", line: 41, side: "RIGHT", body: "one line" },
        { path: "k8s/web.yaml", line: 8, side: "LEFT", body: "on the removed line" },
      ],
    });
    expect(review.data).toMatchObject({ state: "COMMENTED", commit_id: HEAD, body: "two fixes" });
    const listed = await gh.paginate(gh.rest.pulls.listReviewComments, { ...repo, pull_number: 7, per_page: 2 });
    expect(listed.map((c) => [c.path, c.start_line, c.line, c.side, c.position, c.pull_request_review_id, c.commit_id])).toEqual([
      ["k8s/web.yaml", 6, 7, "RIGHT", 5, review.data.id, HEAD],
      ["k8s/web.yaml", null, 41, "RIGHT", 12, review.data.id, HEAD],
      ["k8s/web.yaml", null, 8, "LEFT", 8, review.data.id, HEAD],
    ]);
    expect(listed[1]!.diff_hunk).toBe("@@ -38,2 +40,3 @@ spec:\n       containers:\n+        - name: django");
  });

  it("refuses the whole review when one comment is off the diff, with GitHub's error body", async () => {
    const gh = octokit();
    const offDiff = await refusal(
      gh.rest.pulls.createReview({
        ...repo,
        pull_number: 7,
        commit_id: HEAD,
        event: "COMMENT",
        comments: [
          { path: "k8s/web.yaml", line: 6, side: "RIGHT", body: "fine" },
          { path: "k8s/web.yaml", line: 20, side: "RIGHT", body: "line 20 is not in any hunk" },
        ],
      }),
    );
    expect(offDiff.status).toBe(422);
    expect(offDiff.data).toMatchObject({ message: "Unprocessable Entity", errors: ["Line could not be resolved"], status: "422" });
    expect(state.github!.reviews).toEqual([]);
    expect(state.github!.reviewComments ?? []).toEqual([]);

    const many = await refusal(
      gh.rest.pulls.createReview({
        ...repo,
        pull_number: 7,
        event: "COMMENT",
        comments: [
          { path: "k8s/other.yaml", line: 1, body: "not in the PR" },
          { path: "k8s/web.yaml", line: 99, body: "no hunk" },
          { path: "k8s/web.yaml", line: 41, start_line: 6, body: "across hunks" },
        ],
      }),
    );
    expect(many.data).toMatchObject({
      errors: [
        "Path could not be resolved, Line could not be resolved, and Start line must precede the end line and be part of the same hunk",
      ],
    });
    // A deleted line is not on the RIGHT side, and a commit that is not the PR's head is refused.
    expect(
      (
        await refusal(
          gh.rest.pulls.createReview({
            ...repo,
            pull_number: 7,
            event: "COMMENT",
            comments: [{ path: "k8s/web.yaml", line: 11, side: "RIGHT", body: "x" }],
          }),
        )
      ).status,
    ).toBe(422);
    expect(
      (await refusal(gh.rest.pulls.createReview({ ...repo, pull_number: 7, commit_id: "b".repeat(40), event: "COMMENT", body: "x" })))
        .status,
    ).toBe(422);
  });

  it("edits and deletes review comments, updates a review's body, and refuses writes with a read-only token", async () => {
    const gh = octokit();
    const review = await gh.rest.pulls.createReview({
      ...repo,
      pull_number: 7,
      event: "COMMENT",
      body: "first",
      comments: [
        { path: "k8s/web.yaml", line: 6, body: "a" },
        { path: "k8s/web.yaml", line: 7, body: "b" },
      ],
    });
    const [a, b] = (await gh.rest.pulls.listReviewComments({ ...repo, pull_number: 7 })).data;
    const readOnly = octokit(emulator.tokens.readOnly);
    expect((await refusal(readOnly.rest.pulls.deleteReviewComment({ ...repo, comment_id: a!.id }))).status).toBe(403);
    expect(
      (await refusal(readOnly.rest.pulls.updateReview({ ...repo, pull_number: 7, review_id: review.data.id, body: "x" }))).status,
    ).toBe(403);

    expect((await gh.rest.pulls.updateReviewComment({ ...repo, comment_id: b!.id, body: "b2" })).data.body).toBe("b2");
    expect((await gh.rest.pulls.deleteReviewComment({ ...repo, comment_id: a!.id })).status).toBe(204);
    expect((await refusal(gh.rest.pulls.getReviewComment({ ...repo, comment_id: a!.id }))).status).toBe(404);
    expect((await gh.rest.pulls.listReviewComments({ ...repo, pull_number: 7 })).data.map((c) => [c.id, c.body])).toEqual([[b!.id, "b2"]]);

    expect((await gh.rest.pulls.updateReview({ ...repo, pull_number: 7, review_id: review.data.id, body: "resolved" })).data.body).toBe(
      "resolved",
    );
    expect((await gh.rest.pulls.listReviews({ ...repo, pull_number: 7 })).data.map((r) => r.body)).toEqual(["resolved"]);
    expect((await refusal(gh.rest.pulls.updateReview({ ...repo, pull_number: 7, review_id: 1, body: "x" }))).status).toBe(404);
  });

  it("shows a comment as outdated once a new push takes its line out of the diff", async () => {
    const gh = octokit();
    await gh.rest.pulls.createReview({
      ...repo,
      pull_number: 7,
      event: "COMMENT",
      comments: [
        { path: "k8s/web.yaml", line: 41, body: "a" },
        { path: "k8s/web.yaml", line: 6, body: "b" },
      ],
    });
    state.github!.headSha = "c".repeat(40);
    state.github!.pullFiles = [{ filename: "k8s/web.yaml", status: "modified", patch: PATCH.split("\n").slice(0, 10).join("\n") }];
    const listed = (await gh.rest.pulls.listReviewComments({ ...repo, pull_number: 7 })).data;
    expect(listed.map((c) => [c.body, c.line, c.original_line, c.position, c.commit_id])).toEqual([
      ["a", null, 41, null, HEAD],
      ["b", 6, 6, 4, "c".repeat(40)],
    ]);
  });
});
