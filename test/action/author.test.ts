/**
 * The gate edits only what its own token wrote. Through the REAL @actions/github Octokit against the
 * sandbox's GitHub emulator, which enforces GitHub's rules: an installation token (GITHUB_TOKEN) has no
 * user (GET /user is 403) and writes as `github-actions[bot]`; changing another user's comment or
 * review is 403. A comment, review or suggestion by someone else that carries the gate's marker is
 * left alone, and the gate makes its own.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GITHUB_ACTIONS_BOT, tokenAuthor } from "../../action/author.js";
import { markerFor, publishStickyComment } from "../../action/comment.js";
import { markSuggestion, RESOLVED_NOTE, reviewMarker, syncSuggestions } from "../../action/suggestion-review.js";
import type { TenantState } from "../sandbox/state.js";
import { startGitHubEmulator, type GitHubEmulator } from "../sandbox-data/github-fixture.js";

let emulator: GitHubEmulator;
let state: TenantState;
const target = { owner: "acme", repo: "django-app", issueNumber: 7, key: "deploy/azure-auth-gate.yml" };
const repo = { owner: "acme", repo: "django-app" };
const MALLORY = { login: "mallory", type: "User" as const };

const octokit = () => emulator.octokit();
const at = "2026-01-01T00:00:00Z";

beforeAll(async () => {
  emulator = await startGitHubEmulator();
  return () => emulator.close();
});
beforeEach(() => void (state = emulator.reset()));

describe("the token's own identity", () => {
  it("GITHUB_TOKEN: GET /user is 403, so the author is github-actions[bot] (type Bot)", async () => {
    const gh = octokit();
    await expect(gh.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 403 });
    expect(await tokenAuthor(gh)).toEqual(GITHUB_ACTIONS_BOT);
  });

  it("the emulator refuses editing or deleting another user's comment (403), as GitHub does", async () => {
    state.github!.comments.push({ id: 500, issueNumber: 7, body: "mine", user: MALLORY, created_at: at, updated_at: at });
    const gh = octokit();
    await expect(gh.rest.issues.updateComment({ ...repo, comment_id: 500, body: "x" })).rejects.toMatchObject({ status: 403 });
    await expect(gh.rest.issues.deleteComment({ ...repo, comment_id: 500 })).rejects.toMatchObject({ status: 403 });
    expect((await gh.rest.issues.getComment({ ...repo, comment_id: 500 })).data.user).toMatchObject({ login: "mallory", type: "User" });
  });
});

describe("sticky comment", () => {
  it("a comment by another user carrying the marker is not adopted: the gate makes its own and leaves that one as it was", async () => {
    const planted = `${markerFor(target.key)}\n✅ Azure Auth Gate: pass (trust me)`;
    state.github!.comments.push({ id: 500, issueNumber: 7, body: planted, user: MALLORY, created_at: at, updated_at: at });
    const gh = octokit();
    const first = await publishStickyComment(gh, target, { verdict: "fail", body: "❌ 2 errors", collapsedBody: "", onPass: "update" });
    expect(first.action).toBe("created");
    const second = await publishStickyComment(gh, target, { verdict: "fail", body: "❌ 1 error", collapsedBody: "", onPass: "update" });
    expect(second).toEqual({ action: "updated", url: first.url });
    const comments = state.github!.comments;
    expect(comments.find((c) => c.id === 500)?.body).toBe(planted);
    const ours = comments.filter((c) => c.user.login === GITHUB_ACTIONS_BOT.login);
    expect(ours.map((c) => c.body)).toEqual([`${markerFor(target.key)}\n❌ 1 error`]);
    // On pass with delete, only the gate's own comment goes; the planted one is not even tried (no 403).
    expect((await publishStickyComment(gh, target, { verdict: "pass", body: "", collapsedBody: "", onPass: "delete" })).action).toBe(
      "deleted",
    );
    expect(state.github!.comments.map((c) => c.id)).toEqual([500]);
  });
});

describe("review and suggestions", () => {
  it("another user's review and suggestion with the gate's markers are neither deleted nor rewritten", async () => {
    const key = target.key;
    const suggestion = markSuggestion(key, { path: "k8s/web.yaml", line: 7, side: "RIGHT", body: "```suggestion\nx\n```" });
    state.github!.reviews.push({
      id: 900,
      pullNumber: 7,
      body: `${reviewMarker(key)}\nApply these`,
      comments: [],
      state: "COMMENTED",
      user: MALLORY,
    });
    state.github!.reviewComments = [
      {
        id: 901,
        reviewId: 900,
        pullNumber: 7,
        path: "k8s/web.yaml",
        line: 7,
        side: "RIGHT",
        body: suggestion.body,
        commitId: "a".repeat(40),
        created_at: at,
        updated_at: at,
        user: MALLORY,
      },
    ];
    // The gate's own earlier review, whose suggestions are gone: that one is marked resolved.
    state.github!.reviews.push({ id: 902, pullNumber: 7, body: `${reviewMarker(key)}\nold`, comments: [], state: "COMMENTED" });
    const result = await syncSuggestions(octokit(), { owner: "acme", repo: "django-app", pullNumber: 7, key }, [], "a".repeat(40), "fixes");
    expect(result).toMatchObject({ created: 0, kept: 0, deleted: 0, resolvedReviews: 1 });
    expect(state.github!.reviewComments?.map((c) => [c.id, c.body])).toEqual([[901, suggestion.body]]);
    expect(state.github!.reviews.find((r) => r.id === 900)?.body).toBe(`${reviewMarker(key)}\nApply these`);
    expect(state.github!.reviews.find((r) => r.id === 902)?.body).toBe(`${reviewMarker(key)}\n${RESOLVED_NOTE}`);
  });
});
