/**
 * The one-click fixes as ONE pull-request review, kept in step with the PR across pushes without
 * piling up: every suggestion carries a hidden marker naming this gate (the sticky comment's key) and
 * a hash of what it suggests where. On each run the gate's earlier review comments are read back;
 * those whose suggestion is unchanged at the same path and lines stay (with their discussion), the
 * others — fixed by the author, moved, or outdated by a push — are deleted, and a review is created
 * only for suggestions not already there. An earlier review left with none of its suggestions gets
 * its body updated to say so (a submitted review cannot be deleted).
 */
import { createHash } from "node:crypto";
import type { getOctokit } from "@actions/github";
import type { ReviewComment } from "../shared/fix/index.js";
import { tokenAuthor, writtenBy } from "./author.js";
import { markerKey } from "./comment.js";

type Octokit = ReturnType<typeof getOctokit>;

export interface ReviewTarget {
  owner: string;
  repo: string;
  pullNumber: number;
  /** The sticky comment's key: two gates on one PR keep separate suggestions. */
  key: string;
}

export interface SyncResult {
  /** Suggestions posted by this run (in one new review). */
  created: number;
  /** Earlier suggestions left in place because they are unchanged. */
  kept: number;
  /** Earlier suggestions deleted as stale or duplicated. */
  deleted: number;
  /** The review this run created, if any. */
  reviewId?: number;
  /** Earlier reviews whose body now says their suggestions are done. */
  resolvedReviews: number;
}

/** `<!-- azure-auth-gate:suggestion:KEY:` — the key is sanitised like the sticky comment's, so `:` ends it. */
function suggestionPrefix(key: string): string {
  return `<!-- azure-auth-gate:suggestion:${markerKey(key)}:`;
}

export function reviewMarker(key: string): string {
  return `<!-- azure-auth-gate:review:${markerKey(key)} -->`;
}

/** What a suggestion is: its place and its text (a different fix or place is a different suggestion). */
export function suggestionHash(c: ReviewComment): string {
  return createHash("sha256")
    .update(JSON.stringify([c.path, c.side, c.start_line ?? null, c.line, c.body]))
    .digest("hex")
    .slice(0, 20);
}

export function markSuggestion(key: string, c: ReviewComment): ReviewComment {
  return { ...c, body: `${suggestionPrefix(key)}${suggestionHash(c)} -->\n${c.body}` };
}

function hashOf(key: string, body: string): string | undefined {
  const prefix = suggestionPrefix(key);
  if (!body.startsWith(prefix)) return undefined;
  const end = body.indexOf(" -->", prefix.length);
  return end > prefix.length ? body.slice(prefix.length, end) : undefined;
}

export const RESOLVED_NOTE = "✅ **Azure Auth Gate**: the suggestions of this review were applied or no longer apply.";

interface Existing {
  id: number;
  hash: string;
  reviewId: number | null;
  path: string;
  line: number | null;
  startLine: number | null;
  side: string | undefined;
}

/** The gate's own suggestions: marked, and written by the token's identity (a copied marker is someone else's comment). */
async function existingSuggestions(octokit: Octokit, t: ReviewTarget): Promise<Existing[]> {
  const self = await tokenAuthor(octokit);
  const all = await octokit.paginate(octokit.rest.pulls.listReviewComments, {
    owner: t.owner,
    repo: t.repo,
    pull_number: t.pullNumber,
    per_page: 100,
  });
  return all.flatMap((c) => {
    const hash = writtenBy(c.user, self) ? hashOf(t.key, c.body) : undefined;
    return hash
      ? [
          {
            id: c.id,
            hash,
            reviewId: c.pull_request_review_id,
            path: c.path,
            line: c.line ?? null,
            startLine: c.start_line ?? null,
            side: c.side ?? undefined,
          },
        ]
      : [];
  });
}

/** An existing comment still shows `wanted` when GitHub places it on the same lines (not outdated). */
function samePlace(e: Existing, wanted: ReviewComment): boolean {
  return (
    e.path === wanted.path && e.line === wanted.line && e.startLine === (wanted.start_line ?? null) && (e.side ?? "RIGHT") === wanted.side
  );
}

/**
 * Brings the PR's suggestions to exactly `wanted` (unmarked comments from the engine). `reviewBody`
 * introduces a new review; it is marked here. Throws Octokit's error when GitHub refuses a call.
 */
export async function syncSuggestions(
  octokit: Octokit,
  t: ReviewTarget,
  wanted: readonly ReviewComment[],
  headSha: string,
  reviewBody: string,
): Promise<SyncResult> {
  const repo = { owner: t.owner, repo: t.repo };
  const existing = await existingSuggestions(octokit, t);
  const byHash = new Map(wanted.map((c) => [suggestionHash(c), c]));
  const kept = new Map<string, Existing>();
  const stale: Existing[] = [];
  for (const e of existing) {
    const w = byHash.get(e.hash);
    if (w && !kept.has(e.hash) && samePlace(e, w)) kept.set(e.hash, e);
    else stale.push(e);
  }
  const fresh = [...byHash].filter(([hash]) => !kept.has(hash)).map(([, c]) => markSuggestion(t.key, c));

  let reviewId: number | undefined;
  if (fresh.length > 0) {
    const review = await octokit.rest.pulls.createReview({
      ...repo,
      pull_number: t.pullNumber,
      commit_id: headSha,
      event: "COMMENT",
      body: `${reviewMarker(t.key)}\n${reviewBody}`,
      comments: fresh,
    });
    reviewId = review.data.id;
  }
  let deleted = 0;
  for (const e of stale) {
    try {
      await octokit.rest.pulls.deleteReviewComment({ ...repo, comment_id: e.id });
      deleted++;
    } catch (err) {
      // A concurrent run (or a person) deleted it first: the goal is reached.
      if ((err as { status?: unknown }).status !== 404) throw err;
    }
  }
  const resolvedReviews = await markResolvedReviews(
    octokit,
    t,
    new Set([...kept.values()].map((e) => e.reviewId).concat(reviewId ?? null)),
  );
  return { created: fresh.length, kept: kept.size, deleted, ...(reviewId !== undefined ? { reviewId } : {}), resolvedReviews };
}

/** Earlier reviews of this gate with no live suggestion left say so in their body. */
async function markResolvedReviews(octokit: Octokit, t: ReviewTarget, live: ReadonlySet<number | null>): Promise<number> {
  const marker = reviewMarker(t.key);
  const resolvedBody = `${marker}\n${RESOLVED_NOTE}`;
  const self = await tokenAuthor(octokit);
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
    owner: t.owner,
    repo: t.repo,
    pull_number: t.pullNumber,
    per_page: 100,
  });
  let n = 0;
  for (const r of reviews) {
    if (!writtenBy(r.user, self) || !r.body.startsWith(marker) || live.has(r.id) || r.body === resolvedBody) continue;
    await octokit.rest.pulls.updateReview({ owner: t.owner, repo: t.repo, pull_number: t.pullNumber, review_id: r.id, body: resolvedBody });
    n++;
  }
  return n;
}
