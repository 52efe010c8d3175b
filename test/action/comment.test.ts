/**
 * The sticky PR comment against the sandbox's GitHub REST emulator through the REAL @actions/github
 * Octokit: found again by its marker across pages, updated in place, duplicates removed, and the
 * pass behaviours (update / collapse / delete).
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { markerFor, publishStickyComment, withMarker } from "../../action/comment.js";
import { reviewMarker } from "../../action/suggestion-review.js";
import { PR_COMMENT_LIMIT as COMMENT_LIMIT } from "../../shared/report/index.js";
import type { TenantState } from "../sandbox/state.js";
import { startGitHubEmulator, type GitHubEmulator } from "../sandbox-data/github-fixture.js";

let emulator: GitHubEmulator;
let state: TenantState;
const target = { owner: "acme", repo: "django-app", issueNumber: 7, key: "deploy/azure-auth-gate.yml" };

const octokit = () => emulator.octokit();
const comments = () => state.github!.comments.filter((c) => c.issueNumber === 7);
const mine = () => comments().filter((c) => c.body.startsWith(markerFor(target.key)));

beforeAll(async () => {
  emulator = await startGitHubEmulator();
  return () => emulator.close();
});
beforeEach(() => void (state = emulator.reset()));

describe("sticky comment", () => {
  it("creates one comment, then finds it again past the first page and updates it in place", async () => {
    const gh = octokit();
    const first = await publishStickyComment(gh, target, { verdict: "fail", body: "❌ 2 errors", collapsedBody: "", onPass: "update" });
    expect(first.action).toBe("created");
    // Other people's comments push ours onto a later page (the list is paged 100 at a time).
    for (let i = 0; i < 120; i++)
      await gh.rest.issues.createComment({ owner: "acme", repo: "django-app", issue_number: 7, body: `review ${i}` });
    const second = await publishStickyComment(gh, target, { verdict: "fail", body: "❌ 1 error", collapsedBody: "", onPass: "update" });
    expect(second).toEqual({ action: "updated", url: first.url });
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.body).toBe(`${markerFor(target.key)}\n❌ 1 error`);
    expect(comments()).toHaveLength(121);
  });

  it("keeps a separate comment per key", async () => {
    const gh = octokit();
    await publishStickyComment(gh, target, { verdict: "fail", body: "prod", collapsedBody: "", onPass: "update" });
    await publishStickyComment(
      gh,
      { ...target, key: "deploy/staging.yml" },
      { verdict: "fail", body: "staging", collapsedBody: "", onPass: "update" },
    );
    expect(comments().map((c) => c.body.split("\n")[1])).toEqual(["prod", "staging"]);
  });

  it("removes duplicates left by concurrent runs, keeping the oldest", async () => {
    const gh = octokit();
    const a = await gh.rest.issues.createComment({
      owner: "acme",
      repo: "django-app",
      issue_number: 7,
      body: `${markerFor(target.key)}\nold`,
    });
    await gh.rest.issues.createComment({ owner: "acme", repo: "django-app", issue_number: 7, body: `${markerFor(target.key)}\nracing` });
    await publishStickyComment(gh, target, { verdict: "warn", body: "new", collapsedBody: "", onPass: "update" });
    expect(mine().map((c) => [c.id, c.body.split("\n")[1]])).toEqual([[a.data.id, "new"]]);
  });

  it("on pass: deletes, collapses, or updates as asked — and creates nothing new for delete/collapse", async () => {
    const gh = octokit();
    expect(await publishStickyComment(gh, target, { verdict: "pass", body: "ok", collapsedBody: "folded", onPass: "delete" })).toEqual({
      action: "none",
    });
    expect(comments()).toHaveLength(0);

    await publishStickyComment(gh, target, { verdict: "fail", body: "bad", collapsedBody: "", onPass: "collapse" });
    const collapsed = await publishStickyComment(gh, target, {
      verdict: "pass",
      body: "ok",
      collapsedBody: "<details>folded</details>",
      onPass: "collapse",
    });
    expect(collapsed.action).toBe("collapsed");
    expect(mine()[0]!.body).toContain("<details>folded</details>");

    expect((await publishStickyComment(gh, target, { verdict: "pass", body: "ok", collapsedBody: "", onPass: "delete" })).action).toBe(
      "deleted",
    );
    expect(comments()).toHaveLength(0);

    expect(
      (await publishStickyComment(gh, target, { verdict: "pass", body: "all good", collapsedBody: "", onPass: "update" })).action,
    ).toBe("created");
    expect(mine()[0]!.body).toContain("all good");
  });

  it("never sends GitHub a body over 65,536 characters", async () => {
    const gh = octokit();
    const huge = "x".repeat(COMMENT_LIMIT * 2);
    const res = await publishStickyComment(gh, target, { verdict: "fail", body: huge, collapsedBody: "", onPass: "update" });
    expect(res.action).toBe("created");
    expect(mine()[0]!.body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(withMarker("k", huge).length).toBeLessThanOrEqual(COMMENT_LIMIT);
  });

  it("a key can never close the hidden marker early", () => {
    expect(markerFor("evil --> <img src=x>")).toBe("<!-- azure-auth-gate:evil --- -img src-x- -->");
    expect(markerFor("a\nb")).not.toContain("\n");
    // The review's marker keeps the same sanitised key.
    expect(reviewMarker("evil --> <img src=x>")).toBe("<!-- azure-auth-gate:review:evil --- -img src-x- -->");
    expect(reviewMarker("deploy: a\tb ")).toBe("<!-- azure-auth-gate:review:deploy- a-b -->");
  });
});
