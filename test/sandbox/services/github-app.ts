/**
 * The GitHub App side of the sandbox's GitHub REST API, as a deployment protection rule uses it:
 *
 * - App authentication: `Authorization: Bearer <JWT>` signed RS256 with the App's private key, `iss` the
 *   App id (or client id), `iat` in the past, `exp` in the future and no more than 10 minutes ahead —
 *   the claims GitHub checks, with its error messages (Octokit's clock-skew retry keys on them).
 * - `GET /repos/{o}/{r}/installation` and `POST /app/installations/{id}/access_tokens` (optionally narrowed
 *   to `repositories` and `permissions`; asking for more than the installation granted is 422).
 * - Installation tokens reach only what their permissions allow: `contents: read` for the contents and
 *   git trees APIs, `deployments: write` for the protection-rule callback; anything else is 403
 *   "Resource not accessible by integration".
 * - `POST /repos/{o}/{r}/actions/runs/{run_id}/deployment_protection_rule` accepts a review only from
 *   the App whose rule is pending for that run and environment; a reviewed rule is no longer pending.
 *
 * The contents (`?ref=` branch or commit sha), trees (a tree's sha is not its commit's) and refs APIs serve `GitHubState.git`'s commits to any token
 * that may read the repository.
 */
import { createHash, randomBytes } from "node:crypto";
import type { SandboxRequest, SandboxResponse, ServiceContext } from "../contract.js";
import { decodeJwt, verifySignature } from "../jwt.js";
import type { GitHubAppState, GitHubState } from "../state.js";
import { BODY_LIMIT, bodyOf, DOCS, iso, json, notFound, validationFailed, type Ctx } from "./github-http.js";

const TOKEN_LIFETIME_MS = 3600_000;
const MAX_JWT_AHEAD_S = 600;

type Permission = "read" | "write";

function unauthorized(ctx: ServiceContext, message: string): SandboxResponse {
  // GitHub's Date header is what Octokit uses to correct a skewed clock.
  return json(401, { message, documentation_url: `${DOCS}/apps/apps`, status: "401" }, { date: new Date(ctx.now()).toUTCString() });
}

/** The App a JWT authenticates, or GitHub's 401. */
export function verifyAppJwt(
  ctx: ServiceContext,
  app: GitHubAppState,
  token: string,
): { ok: true } | { ok: false; response: SandboxResponse } {
  const jwt = decodeJwt(token);
  if (!jwt) return { ok: false, response: unauthorized(ctx, "A JSON web token could not be decoded") };
  const { iss, iat, exp } = jwt.payload;
  const now = Math.floor(ctx.now() / 1000);
  if (typeof iat !== "number" || !Number.isInteger(iat) || iat > now + 60)
    return {
      ok: false,
      response: unauthorized(ctx, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"),
    };
  if (typeof exp !== "number" || !Number.isInteger(exp) || exp <= now)
    return {
      ok: false,
      response: unauthorized(
        ctx,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
      ),
    };
  if (exp > now + MAX_JWT_AHEAD_S)
    return { ok: false, response: unauthorized(ctx, "'Expiration time' claim ('exp') is too far in the future") };
  if (String(iss) !== String(app.appId) && iss !== app.clientId)
    return { ok: false, response: unauthorized(ctx, "'Issuer' claim ('iss') must be an Integer or the App's client ID") };
  if (!verifySignature(jwt, app.publicKey)) return { ok: false, response: unauthorized(ctx, "A JSON web token could not be decoded") };
  return { ok: true };
}

/** The live installation token `token` is, if it is one. */
export function installationToken(gh: GitHubState, token: string, nowMs: number): GitHubAppState["tokens"][number] | undefined {
  const t = gh.app?.tokens.find((x) => x.token === token);
  return t && t.expiresAt > nowMs ? t : undefined;
}

function installationView(gh: GitHubState, app: GitHubAppState): Record<string, unknown> {
  const [owner = ""] = gh.repository.split("/");
  return {
    id: app.installationId,
    app_id: app.appId,
    app_slug: app.slug,
    client_id: app.clientId,
    target_type: "Organization",
    target_id: gh.ownerId,
    account: { login: owner, id: gh.ownerId, type: "Organization" },
    repository_selection: "selected",
    permissions: app.permissions,
    events: app.events,
  };
}

const granted = (have: Permission | undefined, want: Permission) => have === "write" || (have === "read" && want === "read");

function createAccessToken(ctx: ServiceContext, gh: GitHubState, app: GitHubAppState, req: SandboxRequest): SandboxResponse {
  const docs = `${DOCS}/apps/apps#create-an-installation-access-token-for-an-app`;
  const body = req.json && typeof req.json === "object" ? (req.json as Record<string, unknown>) : {};
  const [, repoName = ""] = gh.repository.split("/");
  const names = Array.isArray(body.repositories) ? body.repositories.map(String) : undefined;
  const ids = Array.isArray(body.repository_ids) ? body.repository_ids.map(Number) : undefined;
  if ((names && names.some((n) => n.toLowerCase() !== repoName.toLowerCase())) || (ids && ids.some((id) => id !== gh.repoId))) {
    return json(422, {
      message: "There is at least one repository that does not exist or is not accessible to the parent installation.",
      documentation_url: docs,
      status: "422",
    });
  }
  let permissions = app.permissions;
  if (body.permissions && typeof body.permissions === "object") {
    const asked = body.permissions as Record<string, unknown>;
    for (const [name, level] of Object.entries(asked)) {
      if ((level !== "read" && level !== "write") || !granted(app.permissions[name], level)) {
        return json(422, {
          message: "The permissions requested are not granted to this installation.",
          documentation_url: docs,
          status: "422",
        });
      }
    }
    permissions = asked as Record<string, Permission>;
  }
  const token = `ghs_${randomBytes(27).toString("base64url").replace(/[-_]/g, "x").slice(0, 36)}`;
  const expiresAt = ctx.now() + TOKEN_LIFETIME_MS;
  app.tokens.push({ token, expiresAt, repositories: [repoName], permissions });
  return json(201, {
    token,
    expires_at: iso(expiresAt),
    permissions,
    repository_selection: "selected",
    repositories: [{ id: gh.repoId, name: repoName, full_name: gh.repository }],
  });
}

/** Routes that authenticate as the App itself (JWT): undefined when `path` is not one of them. */
export function appJwtRoute(
  ctx: ServiceContext,
  gh: GitHubState | undefined,
  req: SandboxRequest,
  path: string,
  token: string,
): SandboxResponse | undefined {
  const installationOfRepo = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(path);
  const accessTokens = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
  if (!installationOfRepo && !accessTokens && path !== "/app") return undefined;
  const app = gh?.app;
  if (!gh || !app) return unauthorized(ctx, "Integration not found");
  const verified = verifyAppJwt(ctx, app, token);
  if (!verified.ok) return verified.response;
  if (path === "/app")
    return req.method === "GET"
      ? json(200, {
          id: app.appId,
          slug: app.slug,
          client_id: app.clientId,
          name: app.slug,
          permissions: app.permissions,
          events: app.events,
        })
      : notFound();
  if (installationOfRepo) {
    if (req.method !== "GET" || `${installationOfRepo[1]}/${installationOfRepo[2]}`.toLowerCase() !== gh.repository.toLowerCase())
      return notFound(`${DOCS}/apps/apps#get-a-repository-installation-for-the-authenticated-app`);
    return json(200, installationView(gh, app));
  }
  if (req.method !== "POST" || Number(accessTokens![1]) !== app.installationId)
    return notFound(`${DOCS}/apps/apps#create-an-installation-access-token-for-an-app`);
  return createAccessToken(ctx, gh, app, req);
}

// ---------------------------------------------------------------------------------------------
// Contents and git trees
// ---------------------------------------------------------------------------------------------

export function blobSha(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** A branch name or a full commit sha → the commit's sha. */
function resolveRef(gh: GitHubState, ref: string | null): string | undefined {
  const git = gh.git;
  if (!git) return undefined;
  const name = (ref ?? git.defaultBranch).replace(/^refs\/heads\//, "");
  if (git.branches[name]) return git.branches[name];
  return git.commits[name] ? name : undefined;
}

function dirEntries(files: Record<string, string>, dir: string): { name: string; path: string; type: "file" | "dir" }[] {
  const prefix = dir ? `${dir}/` : "";
  const seen = new Map<string, "file" | "dir">();
  for (const p of Object.keys(files)) {
    if (!p.startsWith(prefix)) continue;
    const [head = "", ...rest] = p.slice(prefix.length).split("/");
    seen.set(head, rest.length > 0 ? "dir" : "file");
  }
  return [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([name, type]) => ({ name, path: `${prefix}${name}`, type }));
}

function contents(c: Ctx, filePath: string): SandboxResponse {
  const docs = `${DOCS}/repos/contents#get-repository-content`;
  const sha = resolveRef(c.gh, c.req.query.get("ref"));
  if (!sha)
    return json(404, { message: "No commit found for the ref " + (c.req.query.get("ref") ?? ""), documentation_url: docs, status: "404" });
  const files = c.gh.git!.commits[sha]!;
  const text = files[filePath];
  const url = (p: string) =>
    `${c.api}/repos/${c.gh.repository}/contents/${p}?ref=${encodeURIComponent(c.req.query.get("ref") ?? c.gh.git!.defaultBranch)}`;
  if (text !== undefined) {
    // GitHub wraps the base64 content at 60 characters.
    const content =
      (
        Buffer.from(text, "utf8")
          .toString("base64")
          .match(/.{1,60}/g) ?? []
      ).join("\n") + "\n";
    return json(200, {
      type: "file",
      encoding: "base64",
      size: Buffer.byteLength(text),
      name: filePath.split("/").pop(),
      path: filePath,
      content,
      sha: blobSha(text),
      url: url(filePath),
    });
  }
  const entries = dirEntries(files, filePath);
  if (entries.length === 0) return notFound(docs);
  return json(
    200,
    entries.map((e) => ({
      type: e.type,
      name: e.name,
      path: e.path,
      sha: e.type === "file" ? blobSha(files[e.path]!) : createHash("sha1").update(`tree\0${sha}\0${e.path}`).digest("hex"),
      size: e.type === "file" ? Buffer.byteLength(files[e.path]!) : 0,
      url: url(e.path),
    })),
  );
}

function tree(c: Ctx, ref: string): SandboxResponse {
  const docs = `${DOCS}/git/trees#get-a-tree`;
  const sha = resolveRef(c.gh, ref);
  if (!sha) return notFound(docs);
  const files = c.gh.git!.commits[sha]!;
  const recursive = c.req.query.has("recursive");
  const dirs = new Set<string>();
  for (const p of Object.keys(files)) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const entries = [
    ...[...dirs].map((p) => ({
      path: p,
      mode: "040000",
      type: "tree",
      sha: createHash("sha1").update(`tree\0${sha}\0${p}`).digest("hex"),
    })),
    ...Object.entries(files).map(([p, text]) => ({
      path: p,
      mode: "100644",
      type: "blob",
      sha: blobSha(text),
      size: Buffer.byteLength(text),
    })),
  ]
    .filter((e) => recursive || !e.path.includes("/"))
    .sort((a, b) => a.path.localeCompare(b.path));
  // A tree's sha is not its commit's: a client that reads files at the tree sha gets GitHub's 404, as it would there.
  const treeSha = treeShaOf(sha);
  return json(200, { sha: treeSha, url: `${c.api}/repos/${c.gh.repository}/git/trees/${treeSha}`, tree: entries, truncated: false });
}

const treeShaOf = (commitSha: string) => createHash("sha1").update(`tree\0${commitSha}`).digest("hex");

/** `GET /git/ref/heads/{branch}`: the commit a branch points at. */
function branchRef(c: Ctx, ref: string): SandboxResponse {
  const name = ref.replace(/^heads\//, "");
  const sha = ref.startsWith("heads/") ? c.gh.git?.branches[name] : undefined;
  if (!sha) return notFound(`${DOCS}/git/refs#get-a-reference`);
  return json(200, {
    ref: `refs/${ref}`,
    node_id: `REF_${name}`,
    url: `${c.api}/repos/${c.gh.repository}/git/refs/${ref}`,
    object: { sha, type: "commit", url: `${c.api}/repos/${c.gh.repository}/git/commits/${sha}` },
  });
}

// ---------------------------------------------------------------------------------------------
// Deployment protection rule callback
// ---------------------------------------------------------------------------------------------

function reviewProtectionRule(c: Ctx, runId: number): SandboxResponse {
  const docs = `${DOCS}/actions/workflow-runs#review-custom-deployment-protection-rules-for-a-workflow-run`;
  const app = c.gh.app;
  const rules = (c.gh.protectionRules ??= []).filter((r) => r.runId === runId);
  if (rules.length === 0) return notFound(docs);
  // Only the App's own installation token reviews its rule (not GITHUB_TOKEN, not a user).
  if (!c.installation || !app)
    return json(403, { message: "Resource not accessible by integration", documentation_url: docs, status: "403" });
  const b = bodyOf(c);
  if (typeof b.environment_name !== "string" || b.environment_name === "")
    return validationFailed("DeploymentProtectionRule", "environment_name", "environment_name wasn't supplied", docs);
  if (b.state !== "approved" && b.state !== "rejected")
    return validationFailed("DeploymentProtectionRule", "state", "state must be one of: approved, rejected", docs);
  const comment = typeof b.comment === "string" ? b.comment : "";
  if (comment.length > BODY_LIMIT)
    return validationFailed("DeploymentProtectionRule", "comment", `comment is too long (maximum is ${BODY_LIMIT} characters)`, docs);
  const rule = rules.find((r) => r.environment === b.environment_name && r.appId === app.appId && r.state === "pending");
  if (!rule)
    return json(422, {
      message: `No pending custom deployment protection rule of this app for environment '${b.environment_name}' in run ${runId}.`,
      documentation_url: docs,
      status: "422",
    });
  rule.state = b.state;
  rule.reviews.push({ state: b.state, comment, at: iso(c.ctx.now()) });
  return { status: 204 };
}

/**
 * Repository routes of this module (`contents`, `git/trees`, the protection-rule callback), with the
 * permission an installation token needs for each; undefined when `rest` is none of them.
 */
export function appRepoRoute(c: Ctx, rest: string[]): SandboxResponse | undefined {
  const [a, b, d, e, f] = rest;
  const needs = (name: string, level: Permission): SandboxResponse | undefined => {
    if (!c.installation) return undefined;
    return granted(c.installation.permissions[name], level)
      ? undefined
      : json(403, { message: "Resource not accessible by integration", documentation_url: DOCS, status: "403" });
  };
  if (a === "contents" && c.req.method === "GET")
    return needs("contents", "read") ?? contents(c, rest.slice(1).map(decodeURIComponent).join("/"));
  if (a === "git" && b === "trees" && d !== undefined && e === undefined && c.req.method === "GET")
    return needs("contents", "read") ?? tree(c, decodeURIComponent(d));
  if (a === "git" && b === "ref" && d !== undefined && c.req.method === "GET")
    return needs("contents", "read") ?? branchRef(c, rest.slice(2).map(decodeURIComponent).join("/"));
  if (
    a === "actions" &&
    b === "runs" &&
    d !== undefined &&
    /^\d+$/.test(d) &&
    e === "deployment_protection_rule" &&
    f === undefined &&
    c.req.method === "POST"
  ) {
    return needs("deployments", "write") ?? reviewProtectionRule(c, Number(d));
  }
  return undefined;
}
