/**
 * The sticky pull-request comment: one comment per workflow + target, found again on every run by a
 * hidden marker and updated in place (never a new comment per push). When the verdict turns `pass`
 * the user chooses to update it, collapse it, or delete it.
 */
import type { getOctokit } from "@actions/github";
import type { Verdict } from "../shared/findings/model.js";
import { PR_COMMENT_LIMIT } from "../shared/report/index.js";
import { tokenAuthor, writtenBy } from "./author.js";
import type { CommentOnPass } from "./inputs.js";

type Octokit = ReturnType<typeof getOctokit>;

export interface StickyTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  /** Identifies this gate's comment among others (workflow + config/target). */
  key: string;
}

export type CommentAction = "created" | "updated" | "collapsed" | "deleted" | "none";

export interface CommentResult {
  action: CommentAction;
  /** html_url of the comment left on the pull request (absent after a delete). */
  url?: string;
}

/** Characters a marker key may keep: a key can never close the HTML comment early (nor hold a `:`). */
export function markerKey(key: string): string {
  return key
    .replace(/[^A-Za-z0-9._/@ -]/g, "-")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
}

export function markerFor(key: string): string {
  return `<!-- azure-auth-gate:${markerKey(key)} -->`;
}

/** The comment text as GitHub will store it: the marker first, never over the size limit. */
export function withMarker(key: string, markdown: string): string {
  const body = `${markerFor(key)}\n${markdown}`;
  return body.length <= PR_COMMENT_LIMIT ? body : `${body.slice(0, PR_COMMENT_LIMIT - 40)}\n\n… (truncated)`;
}

/** The gate's own comments with the marker: written by the token's identity, never anyone else's copy of the marker. */
async function findMine(octokit: Octokit, t: StickyTarget): Promise<{ id: number; html_url: string }[]> {
  const marker = markerFor(t.key);
  const self = await tokenAuthor(octokit);
  const all = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: t.owner,
    repo: t.repo,
    issue_number: t.issueNumber,
    per_page: 100,
  });
  return all.filter((c) => writtenBy(c.user, self) && (c.body ?? "").startsWith(marker)).map((c) => ({ id: c.id, html_url: c.html_url }));
}

/**
 * Creates or updates the sticky comment. `body` is the full comment for a non-pass verdict (or for
 * `update`), `collapsedBody` what a `collapse` leaves behind.
 */
export async function publishStickyComment(
  octokit: Octokit,
  t: StickyTarget,
  input: { verdict: Verdict; body: string; collapsedBody: string; onPass: CommentOnPass },
): Promise<CommentResult> {
  const repo = { owner: t.owner, repo: t.repo };
  const [mine, ...duplicates] = await findMine(octokit, t);
  // Two concurrent runs may both have created one: keep the oldest, so there is exactly one.
  for (const d of duplicates) await octokit.rest.issues.deleteComment({ ...repo, comment_id: d.id });

  const passing = input.verdict === "pass";
  if (passing && input.onPass !== "update") {
    if (!mine) return { action: "none" };
    if (input.onPass === "delete") {
      await octokit.rest.issues.deleteComment({ ...repo, comment_id: mine.id });
      return { action: "deleted" };
    }
    const res = await octokit.rest.issues.updateComment({ ...repo, comment_id: mine.id, body: withMarker(t.key, input.collapsedBody) });
    return { action: "collapsed", url: res.data.html_url };
  }
  const body = withMarker(t.key, input.body);
  if (mine) {
    const res = await octokit.rest.issues.updateComment({ ...repo, comment_id: mine.id, body });
    return { action: "updated", url: res.data.html_url };
  }
  const res = await octokit.rest.issues.createComment({ ...repo, issue_number: t.issueNumber, body });
  return { action: "created", url: res.data.html_url };
}
