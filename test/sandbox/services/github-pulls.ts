/**
 * Pull requests in the sandbox's GitHub REST API: the PR itself (`head.sha`), its changed files with
 * their patches, reviews and review comments. Like GitHub, a review comment must land on the PR's
 * diff: a line of a hunk, on the side it names, with a multi-line range inside one hunk. Otherwise
 * the whole review is refused with 422 "Unprocessable Entity" and nothing is stored — so a client's
 * own filtering is tested against the rule, not against a stub that accepts everything.
 *
 * Comments after a new push: a comment made on an earlier head keeps its line while that line is
 * still in the current diff, else it is outdated (`line: null`, `position: null`), as GitHub shows
 * it. (GitHub also moves a comment when lines above it shift; the sandbox keeps the original line.)
 */
import { createHash } from "node:crypto";
import type { SandboxResponse } from "../contract.js";
import type { GitHubState, ReviewCommentState, ReviewStateName } from "../state.js";
import {
  BODY_LIMIT,
  bodyOf,
  DOCS,
  html,
  iso,
  json,
  notFound,
  notTheAuthor,
  paged,
  requireWrite,
  unprocessable,
  userView,
  validationFailed,
  type Ctx,
} from "./github-http.js";

type Side = "LEFT" | "RIGHT";

interface Hunk {
  /** The hunk's lines, header first, as the patch shows them. */
  text: string[];
  /** Line number on each side → index into `text`. */
  left: Map<number, number>;
  right: Map<number, number>;
  /** Position (1-based line of the patch after its first header) of the hunk's header. */
  headerPosition: number;
}

/** The hunks of a file's patch with the lines each shows per side (context lines are on both). */
export function indexPatch(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let left = 0;
  let right = 0;
  const lines = patch.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const line of lines) {
    const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (header) {
      left = Number(header[1]);
      right = Number(header[2]);
      // Positions run on through later hunk headers: each header is a line of the patch too.
      const prev = hunks[hunks.length - 1];
      hunks.push({ text: [line], left: new Map(), right: new Map(), headerPosition: prev ? prev.headerPosition + prev.text.length : 0 });
      continue;
    }
    const hunk = hunks[hunks.length - 1];
    if (!hunk) continue;
    const i = hunk.text.push(line) - 1;
    if (line.startsWith("\\")) continue;
    if (line.startsWith("+")) hunk.right.set(right++, i);
    else if (line.startsWith("-")) hunk.left.set(left++, i);
    else {
      hunk.left.set(left++, i);
      hunk.right.set(right++, i);
    }
  }
  return hunks;
}

function hunkOf(hunks: readonly Hunk[], side: Side, line: number): Hunk | undefined {
  return hunks.find((h) => (side === "LEFT" ? h.left : h.right).has(line));
}

export function headSha(c: Ctx, n: number): string {
  return c.gh.headSha ?? createHash("sha1").update(`${c.gh.repository}#${n}`).digest("hex");
}

const filesOf = (gh: GitHubState) => gh.pullFiles ?? [];
const threads = (gh: GitHubState) => (gh.reviewComments ??= []);

export function prView(c: Ctx, n: number): Record<string, unknown> {
  const [owner] = c.gh.repository.split("/");
  const repo = { id: c.gh.repoId, full_name: c.gh.repository, name: c.repo, owner: { login: owner, id: c.gh.ownerId }, fork: false };
  const headRepo = c.gh.fork
    ? {
        ...repo,
        id: c.gh.repoId + 1,
        full_name: `contributor/${c.repo}`,
        owner: { login: "contributor", id: c.gh.ownerId + 1 },
        fork: true,
      }
    : repo;
  const files = filesOf(c.gh);
  return {
    id: 2_000_000 + n,
    number: n,
    state: "open",
    title: `Pull request #${n}`,
    url: `${c.api}/repos/${c.gh.repository}/pulls/${n}`,
    html_url: `${html(c)}/pull/${n}`,
    user: { login: c.gh.fork ? "contributor" : owner, type: "User" },
    head: {
      ref: c.gh.fork ? "patch-1" : "feature",
      sha: headSha(c, n),
      repo: headRepo,
      label: `${headRepo.owner.login}:${c.gh.fork ? "patch-1" : "feature"}`,
    },
    base: { ref: c.gh.ref.replace(/^refs\/heads\//, ""), sha: createHash("sha1").update(c.gh.repository).digest("hex"), repo },
    draft: false,
    merged: false,
    changed_files: files.length,
  };
}

function listFiles(c: Ctx, n: number): SandboxResponse {
  const sha = headSha(c, n);
  return paged(
    c,
    filesOf(c.gh).map((f) => {
      const lines = (f.patch ?? "").split("\n");
      const additions = lines.filter((l) => l.startsWith("+")).length;
      const deletions = lines.filter((l) => l.startsWith("-")).length;
      const blobSha = createHash("sha1").update(`${sha}:${f.filename}`).digest("hex");
      return {
        sha: blobSha,
        filename: f.filename,
        status: f.status,
        additions,
        deletions,
        changes: additions + deletions,
        blob_url: `${html(c)}/blob/${sha}/${f.filename}`,
        raw_url: `${html(c)}/raw/${sha}/${f.filename}`,
        contents_url: `${c.api}/repos/${c.gh.repository}/contents/${f.filename}?ref=${sha}`,
        ...(f.patch !== undefined ? { patch: f.patch } : {}),
        ...(f.previousFilename !== undefined ? { previous_filename: f.previousFilename } : {}),
      };
    }),
  );
}

/** Where a stored comment is now: its line while the current diff still shows it, else outdated. */
function placeNow(c: Ctx, cm: ReviewCommentState): { line: number | null; position: number | null; hunk: Hunk | undefined } {
  const file = filesOf(c.gh).find((f) => f.filename === cm.path);
  const hunks = file?.patch !== undefined ? indexPatch(file.patch) : [];
  const hunk = hunkOf(hunks, cm.side, cm.line);
  if (!hunk) return { line: null, position: null, hunk: undefined };
  const index = (cm.side === "LEFT" ? hunk.left : hunk.right).get(cm.line) ?? 0;
  return { line: cm.line, position: hunk.headerPosition + index, hunk };
}

function reviewCommentView(c: Ctx, cm: ReviewCommentState): Record<string, unknown> {
  const now = placeNow(c, cm);
  const outdated = now.line === null;
  const index = now.hunk ? ((cm.side === "LEFT" ? now.hunk.left : now.hunk.right).get(cm.line) ?? 0) : 0;
  return {
    id: cm.id,
    node_id: `PRRC_${cm.id}`,
    url: `${c.api}/repos/${c.gh.repository}/pulls/comments/${cm.id}`,
    pull_request_review_id: cm.reviewId,
    diff_hunk: now.hunk ? now.hunk.text.slice(0, index + 1).join("\n") : "",
    path: cm.path,
    position: now.position,
    original_position: now.position ?? 1,
    commit_id: outdated ? cm.commitId : headSha(c, cm.pullNumber),
    original_commit_id: cm.commitId,
    user: userView(cm.user),
    body: cm.body,
    created_at: cm.created_at,
    updated_at: cm.updated_at,
    html_url: `${html(c)}/pull/${cm.pullNumber}#discussion_r${cm.id}`,
    pull_request_url: `${c.api}/repos/${c.gh.repository}/pulls/${cm.pullNumber}`,
    author_association: "NONE",
    start_line: outdated ? null : (cm.startLine ?? null),
    original_start_line: cm.startLine ?? null,
    start_side: cm.startLine !== undefined ? (cm.startSide ?? cm.side) : null,
    line: now.line,
    original_line: cm.line,
    side: cm.side,
    subject_type: "line",
  };
}

function reviewView(c: Ctx, r: GitHubState["reviews"][number]): Record<string, unknown> {
  return {
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: userView(r.user),
    body: r.body,
    state: r.state ?? "COMMENTED",
    html_url: `${html(c)}/pull/${r.pullNumber}#pullrequestreview-${r.id}`,
    pull_request_url: `${c.api}/repos/${c.gh.repository}/pulls/${r.pullNumber}`,
    author_association: "NONE",
    submitted_at: r.submittedAt ?? iso(c.ctx.now()),
    commit_id: r.commitId ?? headSha(c, r.pullNumber),
  };
}

const EVENTS: Record<string, ReviewStateName> = { COMMENT: "COMMENTED", APPROVE: "APPROVED", REQUEST_CHANGES: "CHANGES_REQUESTED" };

interface NewComment {
  path: string;
  line: number;
  startLine?: number;
  side: Side;
  startSide?: Side;
  body: string;
}

/** Checks one requested comment against the diff: what GitHub would say about it, or the comment. */
function resolveComment(c: Ctx, raw: Record<string, unknown>): { ok: true; comment: NewComment } | { ok: false; problems: string[] } {
  const side: Side = raw.side === "LEFT" ? "LEFT" : "RIGHT";
  const startSide: Side = raw.start_side === "LEFT" ? "LEFT" : raw.start_side === "RIGHT" ? "RIGHT" : side;
  const file = typeof raw.path === "string" ? filesOf(c.gh).find((f) => f.filename === raw.path) : undefined;
  if (!file || file.patch === undefined) return { ok: false, problems: ["Path could not be resolved"] };
  const hunks = indexPatch(file.patch);
  const line = typeof raw.line === "number" && Number.isInteger(raw.line) ? raw.line : undefined;
  const hunk = line !== undefined ? hunkOf(hunks, side, line) : undefined;
  if (line === undefined || !hunk) return { ok: false, problems: ["Line could not be resolved"] };
  const start = typeof raw.start_line === "number" && Number.isInteger(raw.start_line) ? raw.start_line : undefined;
  if (raw.start_line !== undefined && start === undefined) return { ok: false, problems: ["Start line could not be resolved"] };
  if (start !== undefined) {
    const startHunk = hunkOf(hunks, startSide, start);
    if (!startHunk) return { ok: false, problems: ["Start line could not be resolved"] };
    const startIndex = (startSide === "LEFT" ? startHunk.left : startHunk.right).get(start) ?? 0;
    const endIndex = (side === "LEFT" ? hunk.left : hunk.right).get(line) ?? 0;
    if (startHunk !== hunk || startIndex >= endIndex)
      return { ok: false, problems: ["Start line must precede the end line and be part of the same hunk"] };
  }
  const body = String(raw.body);
  return { ok: true, comment: { path: file.filename, line, side, body, ...(start !== undefined ? { startLine: start, startSide } : {}) } };
}

function createReview(c: Ctx, n: number): SandboxResponse {
  const docs = `${DOCS}/pulls/reviews#create-a-review-for-a-pull-request`;
  const denied = requireWrite(c, docs);
  if (denied) return denied;
  const b = bodyOf(c);
  const event = b.event === undefined ? undefined : String(b.event);
  if (event !== undefined && !(event in EVENTS)) return unprocessable([`Event ${event} is not included in the list`], docs);
  const head = headSha(c, n);
  if (b.commit_id !== undefined && b.commit_id !== head) return unprocessable(["Commit id is not the head of this pull request"], docs);
  const raw = Array.isArray(b.comments) ? (b.comments as unknown[]) : [];
  if (
    raw.some(
      (x) =>
        !x ||
        typeof x !== "object" ||
        typeof (x as { path?: unknown }).path !== "string" ||
        typeof (x as { body?: unknown }).body !== "string",
    )
  ) {
    return validationFailed("PullRequestReviewComment", "comments", "path and body are required", docs);
  }
  if (raw.some((x) => String((x as { body: string }).body).length > BODY_LIMIT))
    return validationFailed("PullRequestReviewComment", "body", `body is too long (maximum is ${BODY_LIMIT} characters)`, docs);
  const resolved = raw.map((x) => resolveComment(c, x as Record<string, unknown>));
  // All or nothing, like GitHub: one unplaceable comment refuses the whole review.
  const problems = resolved.flatMap((r) => (r.ok ? [] : r.problems));
  if (problems.length > 0) return unprocessable(problems, docs);
  const now = iso(c.ctx.now());
  const id = Math.max(300_000, ...c.gh.reviews.map((r) => r.id)) + 1;
  const comments = resolved.flatMap((r) => (r.ok ? [r.comment] : []));
  const review = {
    id,
    pullNumber: n,
    body: typeof b.body === "string" ? b.body : "",
    comments: comments.map((x) => ({ path: x.path, line: x.line, body: x.body })),
    commitId: head,
    state: event === undefined ? ("PENDING" as const) : (EVENTS[event] ?? "COMMENTED"),
    submittedAt: now,
  };
  c.gh.reviews.push(review);
  const all = threads(c.gh);
  let next = Math.max(500_000, ...all.map((t) => t.id)) + 1;
  for (const x of comments) all.push({ id: next++, reviewId: id, pullNumber: n, commitId: head, created_at: now, updated_at: now, ...x });
  return json(200, reviewView(c, review));
}

function reviews(c: Ctx, n: number, reviewId: number | undefined): SandboxResponse {
  if (reviewId === undefined) {
    if (c.req.method === "POST") return createReview(c, n);
    if (c.req.method !== "GET") return notFound();
    return paged(
      c,
      c.gh.reviews.filter((r) => r.pullNumber === n).map((r) => reviewView(c, r)),
    );
  }
  const docs = `${DOCS}/pulls/reviews#${c.req.method === "PUT" ? "update" : "get"}-a-review-for-a-pull-request`;
  if (c.req.method === "PUT") {
    const denied = requireWrite(c, docs);
    if (denied) return denied;
  } else if (c.req.method !== "GET") return notFound();
  const review = c.gh.reviews.find((r) => r.id === reviewId && r.pullNumber === n);
  if (!review) return notFound(docs);
  if (c.req.method === "PUT") {
    const foreign = notTheAuthor(review.user, docs);
    if (foreign) return foreign;
    const body = bodyOf(c).body;
    if (typeof body !== "string" || body.length === 0) return validationFailed("PullRequestReview", "body", "body wasn't supplied", docs);
    if (body.length > BODY_LIMIT)
      return validationFailed("PullRequestReview", "body", `body is too long (maximum is ${BODY_LIMIT} characters)`, docs);
    review.body = body;
  }
  return json(200, reviewView(c, review));
}

/** `GET|PATCH|DELETE /repos/{o}/{r}/pulls/comments/{id}`. */
export function oneReviewComment(c: Ctx, id: number): SandboxResponse {
  const m = c.req.method;
  const docs = `${DOCS}/pulls/comments#${m === "PATCH" ? "update" : m === "DELETE" ? "delete" : "get"}-a-review-comment-for-a-pull-request`;
  if (m !== "GET" && m !== "PATCH" && m !== "DELETE") return notFound();
  if (m !== "GET") {
    const denied = requireWrite(c, docs);
    if (denied) return denied;
  }
  const all = threads(c.gh);
  const cm = all.find((x) => x.id === id);
  if (!cm) return notFound(docs);
  if (m === "GET") return json(200, reviewCommentView(c, cm));
  const foreign = notTheAuthor(cm.user, docs);
  if (foreign) return foreign;
  if (m === "DELETE") {
    c.gh.reviewComments = all.filter((x) => x !== cm);
    return { status: 204 };
  }
  const body = bodyOf(c).body;
  if (typeof body !== "string" || body.length === 0)
    return validationFailed("PullRequestReviewComment", "body", "body wasn't supplied", docs);
  if (body.length > BODY_LIMIT)
    return validationFailed("PullRequestReviewComment", "body", `body is too long (maximum is ${BODY_LIMIT} characters)`, docs);
  cm.body = body;
  cm.updated_at = iso(c.ctx.now());
  return json(200, reviewCommentView(c, cm));
}

/** Routes `/repos/{o}/{r}/pulls/{n}[/…]` for the scenario's pull request. */
export function pullRoute(c: Ctx, n: number, rest: readonly (string | undefined)[]): SandboxResponse {
  const [d, e, f] = rest;
  const m = c.req.method;
  if (n !== c.gh.pullRequest) return notFound(`${DOCS}/pulls/pulls#get-a-pull-request`);
  if (d === undefined && m === "GET") return json(200, prView(c, n));
  if (d === "files" && e === undefined && m === "GET") return listFiles(c, n);
  if (d === "reviews" && f === undefined) {
    if (e === undefined) return reviews(c, n, undefined);
    return /^\d+$/.test(e) ? reviews(c, n, Number(e)) : notFound();
  }
  if (d === "comments" && e === undefined && m === "GET") {
    return paged(
      c,
      [...threads(c.gh)]
        .filter((x) => x.pullNumber === n)
        .sort((a, b) => a.id - b.id)
        .map((x) => reviewCommentView(c, x)),
    );
  }
  return notFound();
}
