/**
 * What every GitHub REST handler of the sandbox shares: the request context, GitHub's response
 * headers and error bodies, paging with the `Link` header, and the write-access check.
 */
import type { SandboxRequest, SandboxResponse, ServiceContext } from "../contract.js";
import type { GitHubState } from "../state.js";

export const DOCS = "https://docs.github.com/rest";
/** GitHub refuses comment bodies longer than this (issue comments and review comments alike). */
export const BODY_LIMIT = 65536;
export const BOT = { login: "github-actions[bot]", id: 41898282, node_id: "MDM6Qm90NDE4OTgyODI=", type: "Bot", site_admin: false };

/** The user object GitHub shows for an author: the workflow's bot, or another account. */
export function userView(author: { login: string; type?: string } | undefined): Record<string, unknown> {
  if (!author || author.login === BOT.login) return BOT;
  return {
    login: author.login,
    id: 1000 + [...author.login].reduce((n, ch) => n + ch.charCodeAt(0), 0),
    type: author.type ?? "User",
    site_admin: false,
  };
}

/**
 * Editing or deleting someone else's comment or review: the installation token (GITHUB_TOKEN) acts as
 * `github-actions[bot]` and may change only what it wrote — 403, as for any integration without the right.
 */
export function notTheAuthor(author: { login: string } | undefined, docs: string): SandboxResponse | undefined {
  if (!author || author.login === BOT.login) return undefined;
  return json(403, { message: "Resource not accessible by integration", documentation_url: docs, status: "403" });
}

export type Access = "write" | "read";

export interface Ctx {
  ctx: ServiceContext;
  gh: GitHubState;
  req: SandboxRequest;
  access: Access;
  /** Set when the caller is a GitHub App installation token (github-app.ts): what the token may do. */
  installation?: { permissions: Record<string, "read" | "write"> };
  api: string;
  /** Request path without the API base path. */
  path: string;
  owner: string;
  repo: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
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

export const notFound = (docs = DOCS) => json(404, { message: "Not Found", documentation_url: docs, status: "404" });

/** 422 "Validation Failed" with a field error (issue comments, issues, review bodies). */
export function validationFailed(resource: string, field: string, message: string, docs: string): SandboxResponse {
  return json(422, {
    message: "Validation Failed",
    errors: [{ resource, code: "custom", field, message }],
    documentation_url: docs,
    status: "422",
  });
}

/**
 * 422 "Unprocessable Entity", the shape GitHub uses when review comments cannot be placed: `errors`
 * is ONE string joining every problem ("Line could not be resolved, Path could not be resolved, and …").
 */
export function unprocessable(problems: readonly string[], docs: string): SandboxResponse {
  const joined =
    problems.length <= 2 ? problems.join(" and ") : `${problems.slice(0, -1).join(", ")}, and ${problems[problems.length - 1] ?? ""}`;
  return json(422, { message: "Unprocessable Entity", errors: [joined], documentation_url: docs, status: "422" });
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Slices `items` by `per_page`/`page` and adds GitHub's Link header (next/last/first/prev). */
export function paged(c: Ctx, items: unknown[]): SandboxResponse {
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

export function requireWrite(c: Ctx, docs: string): SandboxResponse | undefined {
  if (c.access === "write") return undefined;
  return json(403, { message: "Resource not accessible by integration", documentation_url: docs, status: "403" });
}

export function bodyOf(c: Ctx): Record<string, unknown> {
  return c.req.json && typeof c.req.json === "object" ? (c.req.json as Record<string, unknown>) : {};
}

export const html = (c: Ctx) => `https://github.com/${c.gh.repository}`;
