/**
 * The GitHub REST API surface the gate uses (GITHUB_API_URL): issue/PR comments (the sticky PR
 * comment), issues (the audit issue), pull requests, their files and reviews. Shapes, status codes
 * and error bodies follow docs.github.com; paging uses `per_page`/`page` and the `Link` header that
 * Octokit's `paginate` follows.
 *
 * Tokens: the repository has two installation tokens, derived from its name (githubTokens below):
 * `write` (what GITHUB_TOKEN is with `issues: write` / `pull-requests: write`) and `readOnly` (what a
 * fork's pull_request run gets). Writes with the read-only token are refused with 403
 * "Resource not accessible by integration", as GitHub does; an unknown token gets 401 "Bad credentials".
 */
import { createHash } from "node:crypto";
import type { Handler, SandboxRequest, SandboxResponse, ServiceContext } from "../contract.js";
import type { GitHubState } from "../state.js";

const DOCS = "https://docs.github.com/rest";
const BODY_LIMIT = 65536;
const BOT = { login: "github-actions[bot]", id: 41898282, node_id: "MDM6Qm90NDE4OTgyODI=", type: "Bot", site_admin: false };

export interface GitHubTokens {
  write: string;
  readOnly: string;
}

/** The repository's installation tokens (`ghs_…`), stable for a repository name. */
export function githubTokens(gh: Pick<GitHubState, "repository">): GitHubTokens {
  const token = (kind: string) => `ghs_${createHash("sha256").update(`github-token\0${gh.repository}\0${kind}`).digest("base64url").replace(/[-_]/g, "").slice(0, 36)}`;
  return { write: token("write"), readOnly: token("read-only") };
}

type Access = "write" | "read";

function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-used": "1",
      "x-ratelimit-resource": "core",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      ...headers,
    },
    body,
  };
}

const notFound = (docs = DOCS) => json(404, { message: "Not Found", documentation_url: docs, status: "404" });

function validationFailed(resource: string, field: string, message: string, docs: string): SandboxResponse {
  return json(422, { message: "Validation Failed", errors: [{ resource, code: "custom", field, message }], documentation_url: docs, status: "422" });
}

interface Ctx {
  ctx: ServiceContext;
  gh: GitHubState;
  req: SandboxRequest;
  access: Access;
  api: string;
  /** Request path without the API base path. */
  path: string;
  owner: string;
  repo: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Slices `items` by `per_page`/`page` and adds GitHub's Link header (next/last/first/prev). */
function paged(c: Ctx, items: unknown[]): SandboxResponse {
  const perPage = Math.min(Math.max(Number(c.req.query.get("per_page") ?? 30) || 30, 1), 100);
  const pageNo = Math.max(Number(c.req.query.get("page") ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p: number) => {
    const q = new URLSearchParams(c.req.query);
    q.set("per_page", String(perPage));
    q.set("page", String(p));
    return `<${c.api}${c.path}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (pageNo > 1) rels.push(`${link(pageNo - 1)}; rel="prev"`);
  if (pageNo < last) rels.push(`${link(pageNo + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (pageNo > 1) rels.push(`${link(1)}; rel="first"`);
  return json(200, items.slice((pageNo - 1) * perPage, pageNo * perPage), rels.length > 0 ? { link: rels.join(", ") } : {});
}

function requireWrite(c: Ctx, docs: string): SandboxResponse | undefined {
  if (c.access === "write") return undefined;
  return json(403, { message: "Resource not accessible by integration", documentation_url: docs, status: "403" });
}

function bodyOf(c: Ctx): Record<string, unknown> {
  return c.req.json && typeof c.req.json === "object" ? (c.req.json as Record<string, unknown>) : {};
}

// ---------------------------------------------------------------------------------------------
// Representations
// ---------------------------------------------------------------------------------------------

const html = (c: Ctx) => `https://github.com/${c.gh.repository}`;

function commentView(c: Ctx, cm: GitHubState["comments"][number]): Record<string, unknown> {
  const isPr = cm.issueNumber === c.gh.pullRequest;
  return {
    id: cm.id,
    node_id: `IC_${cm.id}`,
    url: `${c.api}/repos/${c.gh.repository}/issues/comments/${cm.id}`,
    html_url: `${html(c)}/${isPr ? "pull" : "issues"}/${cm.issueNumber}#issuecomment-${cm.id}`,
    issue_url: `${c.api}/repos/${c.gh.repository}/issues/${cm.issueNumber}`,
    body: cm.body,
    user: { ...BOT, login: cm.user.login },
    created_at: cm.created_at,
    updated_at: cm.updated_at,
    author_association: "NONE",
  };
}

function issueView(c: Ctx, issue: GitHubState["issues"][number]): Record<string, unknown> {
  return {
    id: 1_000_000 + issue.number,
    node_id: `I_${issue.number}`,
    number: issue.number,
    url: `${c.api}/repos/${c.gh.repository}/issues/${issue.number}`,
    html_url: `${html(c)}/issues/${issue.number}`,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    labels: issue.labels.map((name, i) => ({ id: i + 1, name, color: "ededed", default: false })),
    user: BOT,
    comments: c.gh.comments.filter((cm) => cm.issueNumber === issue.number).length,
  };
}

function prView(c: Ctx, n: number): Record<string, unknown> {
  const [owner] = c.gh.repository.split("/");
  const repo = { id: c.gh.repoId, full_name: c.gh.repository, name: c.repo, owner: { login: owner, id: c.gh.ownerId }, fork: false };
  const headRepo = c.gh.fork ? { ...repo, id: c.gh.repoId + 1, full_name: `contributor/${c.repo}`, owner: { login: "contributor", id: c.gh.ownerId + 1 }, fork: true } : repo;
  const sha = createHash("sha1").update(`${c.gh.repository}#${n}`).digest("hex");
  return {
    id: 2_000_000 + n,
    number: n,
    state: "open",
    title: `Pull request #${n}`,
    url: `${c.api}/repos/${c.gh.repository}/pulls/${n}`,
    html_url: `${html(c)}/pull/${n}`,
    user: { login: c.gh.fork ? "contributor" : owner, type: "User" },
    head: { ref: c.gh.fork ? "patch-1" : "feature", sha, repo: headRepo, label: `${headRepo.owner.login}:${c.gh.fork ? "patch-1" : "feature"}` },
    base: { ref: c.gh.ref.replace(/^refs\/heads\//, ""), sha: createHash("sha1").update(c.gh.repository).digest("hex"), repo },
    draft: false,
    merged: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

function issueExists(gh: GitHubState, n: number): boolean {
  return n === gh.pullRequest || gh.issues.some((i) => i.number === n);
}

function listComments(c: Ctx, n: number): SandboxResponse {
  if (!issueExists(c.gh, n)) return notFound(`${DOCS}/issues/comments#list-issue-comments`);
  return paged(c, c.gh.comments.filter((cm) => cm.issueNumber === n).map((cm) => commentView(c, cm)));
}

function createComment(c: Ctx, n: number): SandboxResponse {
  const docs = `${DOCS}/issues/comments#create-an-issue-comment`;
  const denied = requireWrite(c, docs);
  if (denied) return denied;
  if (!issueExists(c.gh, n)) return notFound(docs);
  const body = bodyOf(c).body;
  if (typeof body !== "string" || body.length === 0) return validationFailed("IssueComment", "body", "body wasn't supplied", docs);
  if (body.length > BODY_LIMIT) return validationFailed("IssueComment", "body", `body is too long (maximum is ${BODY_LIMIT} characters)`, docs);
  const now = iso(c.ctx.now());
  const id = Math.max(100_000, ...c.gh.comments.map((cm) => cm.id)) + 1;
  const comment = { id, issueNumber: n, body, user: { login: BOT.login }, created_at: now, updated_at: now };
  c.gh.comments.push(comment);
  return json(201, commentView(c, comment), { location: `${c.api}/repos/${c.gh.repository}/issues/comments/${id}` });
}

function oneComment(c: Ctx, id: number): SandboxResponse {
  const cm = c.gh.comments.find((x) => x.id === id);
  const method = c.req.method;
  const docs = `${DOCS}/issues/comments#${method === "PATCH" ? "update" : method === "DELETE" ? "delete" : "get"}-an-issue-comment`;
  if (method !== "GET") {
    const denied = requireWrite(c, docs);
    if (denied) return denied;
  }
  if (!cm) return notFound(docs);
  if (method === "GET") return json(200, commentView(c, cm));
  if (method === "DELETE") {
    c.gh.comments = c.gh.comments.filter((x) => x !== cm);
    return { status: 204 };
  }
  const body = bodyOf(c).body;
  if (typeof body !== "string" || body.length === 0) return validationFailed("IssueComment", "body", "body wasn't supplied", docs);
  if (body.length > BODY_LIMIT) return validationFailed("IssueComment", "body", `body is too long (maximum is ${BODY_LIMIT} characters)`, docs);
  cm.body = body;
  cm.updated_at = iso(c.ctx.now());
  return json(200, commentView(c, cm));
}

function listIssues(c: Ctx): SandboxResponse {
  const state = c.req.query.get("state") ?? "open";
  const labels = (c.req.query.get("labels") ?? "").split(",").filter(Boolean);
  const items = c.gh.issues
    .filter((i) => state === "all" || i.state === state)
    .filter((i) => labels.every((l) => i.labels.includes(l)))
    .sort((a, b) => b.number - a.number)
    .map((i) => issueView(c, i));
  return paged(c, items);
}

function createIssue(c: Ctx): SandboxResponse {
  const docs = `${DOCS}/issues/issues#create-an-issue`;
  const denied = requireWrite(c, docs);
  if (denied) return denied;
  const b = bodyOf(c);
  if (typeof b.title !== "string" || b.title.length === 0) return validationFailed("Issue", "title", "title wasn't supplied", docs);
  const number = Math.max(0, c.gh.pullRequest ?? 0, ...c.gh.issues.map((i) => i.number)) + 1;
  const issue = { number, title: b.title, body: typeof b.body === "string" ? b.body : "", state: "open" as const, labels: Array.isArray(b.labels) ? b.labels.map(String) : [] };
  c.gh.issues.push(issue);
  return json(201, issueView(c, issue), { location: `${c.api}/repos/${c.gh.repository}/issues/${number}` });
}

function oneIssue(c: Ctx, n: number): SandboxResponse {
  const docs = `${DOCS}/issues/issues#${c.req.method === "PATCH" ? "update" : "get"}-an-issue`;
  if (c.req.method === "PATCH") {
    const denied = requireWrite(c, docs);
    if (denied) return denied;
  }
  const issue = c.gh.issues.find((i) => i.number === n);
  if (!issue) return notFound(docs);
  if (c.req.method === "PATCH") {
    const b = bodyOf(c);
    if (typeof b.title === "string") issue.title = b.title;
    if (typeof b.body === "string") issue.body = b.body;
    if (b.state === "open" || b.state === "closed") issue.state = b.state;
    if (Array.isArray(b.labels)) issue.labels = b.labels.map((l) => (typeof l === "string" ? l : String((l as { name?: unknown }).name)));
  }
  return json(200, issueView(c, issue));
}

function reviews(c: Ctx, n: number): SandboxResponse {
  const docs = `${DOCS}/pulls/reviews#${c.req.method === "POST" ? "create" : "list"}-reviews-for-a-pull-request`;
  if (c.req.method === "POST") {
    const denied = requireWrite(c, docs);
    if (denied) return denied;
  }
  if (n !== c.gh.pullRequest) return notFound(docs);
  const view = (r: GitHubState["reviews"][number]) => ({ id: r.id, body: r.body, state: "COMMENTED", user: BOT, pull_request_url: `${c.api}/repos/${c.gh.repository}/pulls/${n}`, submitted_at: iso(c.ctx.now()) });
  if (c.req.method === "GET") return paged(c, c.gh.reviews.filter((r) => r.pullNumber === n).map(view));
  const b = bodyOf(c);
  const comments = Array.isArray(b.comments) ? (b.comments as { path?: unknown; line?: unknown; body?: unknown }[]) : [];
  if (comments.some((x) => typeof x.path !== "string" || typeof x.body !== "string")) return validationFailed("PullRequestReviewComment", "comments", "path and body are required", docs);
  const review = { id: Math.max(300_000, ...c.gh.reviews.map((r) => r.id)) + 1, pullNumber: n, body: typeof b.body === "string" ? b.body : "", comments: comments.map((x) => ({ path: String(x.path), line: Number(x.line ?? 1), body: String(x.body) })) };
  c.gh.reviews.push(review);
  return json(200, view(review));
}

function route(c: Ctx, rest: string[]): SandboxResponse {
  const m = c.req.method;
  const [a, b, d, e] = rest;
  const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
  if (rest.length === 0 && m === "GET") return json(200, { id: c.gh.repoId, name: c.repo, full_name: c.gh.repository, owner: { login: c.owner, id: c.gh.ownerId }, private: false, fork: false, default_branch: "main", html_url: html(c) });
  if (a === "issues") {
    if (b === undefined) return m === "GET" ? listIssues(c) : m === "POST" ? createIssue(c) : notFound();
    if (b === "comments" && d !== undefined && e === undefined) return Number.isNaN(num(d)) ? notFound() : oneComment(c, num(d));
    const n = num(b);
    if (Number.isNaN(n)) return notFound();
    if (d === undefined && (m === "GET" || m === "PATCH")) return oneIssue(c, n);
    if (d === "comments" && e === undefined) return m === "GET" ? listComments(c, n) : m === "POST" ? createComment(c, n) : notFound();
  }
  if (a === "pulls") {
    const n = num(b);
    if (Number.isNaN(n) || n !== c.gh.pullRequest) return notFound(`${DOCS}/pulls/pulls#get-a-pull-request`);
    if (d === undefined && m === "GET") return json(200, prView(c, n));
    if (d === "files" && m === "GET") return paged(c, []);
    if (d === "reviews" && e === undefined) return reviews(c, n);
    if (d === "comments" && m === "GET") {
      return paged(c, c.gh.reviews.filter((r) => r.pullNumber === n).flatMap((r, i) => r.comments.map((x, j) => ({ id: r.id * 100 + j, pull_request_review_id: r.id, path: x.path, line: x.line, body: x.body, user: BOT, position: i + 1 }))));
    }
  }
  return notFound();
}

export function githubService(ctx: ServiceContext): Handler {
  const api = ctx.urls.github.replace(/\/+$/, "");
  const basePath = new URL(api).pathname.replace(/\/+$/, "");
  return (req) => {
    const gh = ctx.state.github;
    const auth = typeof req.headers.authorization === "string" ? req.headers.authorization : "";
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(auth)?.[1];
    if (!token) return json(401, { message: "Requires authentication", documentation_url: DOCS, status: "401" });
    const tokens = gh ? githubTokens(gh) : undefined;
    const access: Access | undefined = token === tokens?.write ? "write" : token === tokens?.readOnly ? "read" : undefined;
    if (!gh || !access) return json(401, { message: "Bad credentials", documentation_url: DOCS, status: "401" });

    const path = req.path.startsWith(basePath) ? req.path.slice(basePath.length) : req.path;
    const [root, owner, repo, ...rest] = path.split("/").filter(Boolean);
    if (root !== "repos" || `${owner}/${repo}`.toLowerCase() !== gh.repository.toLowerCase()) return notFound();
    return route({ ctx, gh, req, access, api, path, owner: owner!, repo: repo! }, rest);
  };
}
