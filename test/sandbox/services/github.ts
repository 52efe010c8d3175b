/**
 * The GitHub REST API surface the gate uses (GITHUB_API_URL): issue/PR comments (the sticky PR
 * comment), issues (the audit issue), and pull requests with their files, reviews and review comments
 * (github-pulls.ts: the Action's one-click fix suggestions). Shapes, status codes
 * and error bodies follow docs.github.com; paging uses `per_page`/`page` and the `Link` header that
 * Octokit's `paginate` follows.
 *
 * Tokens: the repository has two installation tokens, derived from its name (githubTokens below):
 * `write` (what GITHUB_TOKEN is with `issues: write` / `pull-requests: write`) and `readOnly` (what a
 * fork's pull_request run gets). Writes with the read-only token are refused with 403
 * "Resource not accessible by integration", as GitHub does; an unknown token gets 401 "Bad credentials".
 */
import { createHash } from "node:crypto";
import type { Handler, SandboxResponse, ServiceContext } from "../contract.js";
import type { GitHubState } from "../state.js";
import {
  BODY_LIMIT,
  BOT,
  bodyOf,
  DOCS,
  html,
  iso,
  json,
  notFound,
  notTheAuthor,
  paged,
  requireWrite,
  userView,
  validationFailed,
  type Access,
  type Ctx,
} from "./github-http.js";
import { appJwtRoute, appRepoRoute, installationToken } from "./github-app.js";
import { oneReviewComment, pullRoute } from "./github-pulls.js";

export interface GitHubTokens {
  write: string;
  readOnly: string;
}

/** The repository's installation tokens (`ghs_…`), stable for a repository name. */
export function githubTokens(gh: Pick<GitHubState, "repository">): GitHubTokens {
  const token = (kind: string) =>
    `ghs_${createHash("sha256").update(`github-token\0${gh.repository}\0${kind}`).digest("base64url").replace(/[-_]/g, "").slice(0, 36)}`;
  return { write: token("write"), readOnly: token("read-only") };
}

// ---------------------------------------------------------------------------------------------
// Representations
// ---------------------------------------------------------------------------------------------

function commentView(c: Ctx, cm: GitHubState["comments"][number]): Record<string, unknown> {
  const isPr = cm.issueNumber === c.gh.pullRequest;
  return {
    id: cm.id,
    node_id: `IC_${cm.id}`,
    url: `${c.api}/repos/${c.gh.repository}/issues/comments/${cm.id}`,
    html_url: `${html(c)}/${isPr ? "pull" : "issues"}/${cm.issueNumber}#issuecomment-${cm.id}`,
    issue_url: `${c.api}/repos/${c.gh.repository}/issues/${cm.issueNumber}`,
    body: cm.body,
    user: userView(cm.user),
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

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

function issueExists(gh: GitHubState, n: number): boolean {
  return n === gh.pullRequest || gh.issues.some((i) => i.number === n);
}

function listComments(c: Ctx, n: number): SandboxResponse {
  if (!issueExists(c.gh, n)) return notFound(`${DOCS}/issues/comments#list-issue-comments`);
  return paged(
    c,
    c.gh.comments.filter((cm) => cm.issueNumber === n).map((cm) => commentView(c, cm)),
  );
}

function createComment(c: Ctx, n: number): SandboxResponse {
  const docs = `${DOCS}/issues/comments#create-an-issue-comment`;
  const denied = requireWrite(c, docs);
  if (denied) return denied;
  if (!issueExists(c.gh, n)) return notFound(docs);
  const body = bodyOf(c).body;
  if (typeof body !== "string" || body.length === 0) return validationFailed("IssueComment", "body", "body wasn't supplied", docs);
  if (body.length > BODY_LIMIT)
    return validationFailed("IssueComment", "body", `body is too long (maximum is ${BODY_LIMIT} characters)`, docs);
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
  const foreign = notTheAuthor(cm.user, docs);
  if (foreign) return foreign;
  if (method === "DELETE") {
    c.gh.comments = c.gh.comments.filter((x) => x !== cm);
    return { status: 204 };
  }
  const body = bodyOf(c).body;
  if (typeof body !== "string" || body.length === 0) return validationFailed("IssueComment", "body", "body wasn't supplied", docs);
  if (body.length > BODY_LIMIT)
    return validationFailed("IssueComment", "body", `body is too long (maximum is ${BODY_LIMIT} characters)`, docs);
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
  const issue = {
    number,
    title: b.title,
    body: typeof b.body === "string" ? b.body : "",
    state: "open" as const,
    labels: Array.isArray(b.labels) ? b.labels.map(String) : [],
  };
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

function route(c: Ctx, rest: string[]): SandboxResponse {
  const m = c.req.method;
  const [a, b, d, e] = rest;
  const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
  if (rest.length === 0 && m === "GET")
    return json(200, {
      id: c.gh.repoId,
      name: c.repo,
      full_name: c.gh.repository,
      owner: { login: c.owner, id: c.gh.ownerId },
      private: false,
      fork: false,
      default_branch: c.gh.git?.defaultBranch ?? "main",
      html_url: html(c),
    });
  const appAnswer = appRepoRoute(c, rest);
  if (appAnswer) return appAnswer;
  // An App installation token reaches only what its permissions name (github-app.ts); the App asks for no issues or pull requests access.
  if (c.installation) return json(403, { message: "Resource not accessible by integration", documentation_url: DOCS, status: "403" });
  if (a === "issues") {
    if (b === undefined) return m === "GET" ? listIssues(c) : m === "POST" ? createIssue(c) : notFound();
    if (b === "comments" && d !== undefined && e === undefined) return Number.isNaN(num(d)) ? notFound() : oneComment(c, num(d));
    const n = num(b);
    if (Number.isNaN(n)) return notFound();
    if (d === undefined && (m === "GET" || m === "PATCH")) return oneIssue(c, n);
    if (d === "comments" && e === undefined) return m === "GET" ? listComments(c, n) : m === "POST" ? createComment(c, n) : notFound();
  }
  if (a === "pulls") {
    if (b === "comments" && d !== undefined && e === undefined) return Number.isNaN(num(d)) ? notFound() : oneReviewComment(c, num(d));
    const n = num(b);
    if (Number.isNaN(n)) return notFound(`${DOCS}/pulls/pulls#get-a-pull-request`);
    return pullRoute(c, n, rest.slice(2));
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
    const path = req.path.startsWith(basePath) ? req.path.slice(basePath.length) : req.path;
    const asApp = appJwtRoute(ctx, gh, req, path, token);
    if (asApp) return asApp;
    const tokens = gh ? githubTokens(gh) : undefined;
    const installation = gh ? installationToken(gh, token, ctx.now()) : undefined;
    const access: Access | undefined = token === tokens?.write ? "write" : token === tokens?.readOnly || installation ? "read" : undefined;
    if (!gh || !access) return json(401, { message: "Bad credentials", documentation_url: DOCS, status: "401" });
    // Every token here is an installation token (GITHUB_TOKEN is one): it has no user, so GET /user is refused.
    if (path.replace(/\/+$/, "") === "/user")
      return json(403, {
        message: "Resource not accessible by integration",
        documentation_url: `${DOCS}/users/users#get-the-authenticated-user`,
        status: "403",
      });

    const [root, owner, repo, ...rest] = path.split("/").filter(Boolean);
    if (root !== "repos" || `${owner}/${repo}`.toLowerCase() !== gh.repository.toLowerCase()) return notFound();
    return route(
      {
        ctx,
        gh,
        req,
        access,
        api,
        path,
        owner: owner!,
        repo: repo!,
        ...(installation ? { installation: { permissions: installation.permissions } } : {}),
      },
      rest,
    );
  };
}
