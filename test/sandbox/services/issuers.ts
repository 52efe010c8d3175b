/**
 * The OIDC issuers Entra ID federates with, and the tokens they sign:
 *   - each AKS cluster with the OIDC issuer enabled: `${issuers}/clusters/{guid}/` (trailing slash, as
 *     AKS serves it), discovery at `.well-known/openid-configuration`, keys at `openid/v1/jwks`;
 *     projected service-account tokens signed with the cluster's key (the ServiceAccountTokenMinter
 *     pods.ts uses for `serviceAccountToken` volumes);
 *   - GitHub Actions: `${issuers}/github` (no trailing slash, like token.actions.githubusercontent.com),
 *     keys at `/.well-known/jwks`, ID tokens with GitHub's claim shapes.
 */
import { randomUUID } from "node:crypto";
import type { Handler, SandboxResponse, ServiceContext } from "../contract.js";
import { signJwt, publicJwk } from "../jwt.js";
import type { ServiceAccountTokenMinter } from "../pods.js";
import { githubIssuer } from "../scenario/resolve.js";
import type { ClusterState, GitHubState, SigningKey, TenantState } from "../state.js";

/** The key that signs tokens of issuer `iss` (exact string), if the sandbox runs that issuer. */
export function issuerKey(state: TenantState, issuersUrl: string, iss: unknown): SigningKey | undefined {
  if (typeof iss !== "string") return undefined;
  const cluster = state.clusters.find((c) => c.oidcIssuerEnabled && c.issuerUrl === iss);
  if (cluster) return cluster.signingKey;
  if (state.github && iss === githubIssuer(issuersUrl)) return state.github.signingKey;
  return undefined;
}

/** Projected service-account token, as the cluster's API server signs it (`kubernetes.io` claims included). */
export function serviceAccountTokenMinter(ctx: Pick<ServiceContext, "now">): ServiceAccountTokenMinter {
  return (cluster: ClusterState, r) => {
    const now = Math.floor(ctx.now() / 1000);
    return signJwt(cluster.signingKey, {
      aud: [r.audience],
      exp: now + r.expirationSeconds,
      iat: now,
      iss: cluster.issuerUrl ?? "https://kubernetes.default.svc.cluster.local",
      jti: randomUUID(),
      "kubernetes.io": {
        namespace: r.namespace,
        node: { name: "aks-nodepool1-00000000-vmss000000", uid: randomUUID() },
        pod: { name: r.podName, uid: r.podUid },
        serviceaccount: { name: r.serviceAccount, uid: randomUUID() },
      },
      nbf: now,
      sub: `system:serviceaccount:${r.namespace}:${r.serviceAccount}`,
    });
  };
}

/** The `sub` GitHub puts in an ID token for this run (environment > pull_request > ref). */
export function githubSubject(gh: GitHubState): string {
  const [owner = "", repo = ""] = gh.repository.split("/");
  const prefix = gh.immutableSubject ? `repo:${owner}@${gh.ownerId}/${repo}@${gh.repoId}` : `repo:${owner}/${repo}`;
  if (gh.environment) return `${prefix}:environment:${gh.environment}`;
  if (gh.pullRequest !== undefined) return `${prefix}:pull_request`;
  return `${prefix}:ref:${gh.ref}`;
}

export interface GitHubTokenOverrides {
  /** Lifetime in seconds (GitHub's are 5 minutes). */
  lifetimeSeconds?: number;
  /** Extra or replaced claims (e.g. a custom `sub`). */
  claims?: Record<string, unknown>;
}

/** A GitHub Actions OIDC ID token for `audience`, as `core.getIDToken(audience)` returns it. */
export function mintGitHubIdToken(ctx: ServiceContext, audience: string, overrides: GitHubTokenOverrides = {}): string {
  const gh = ctx.state.github;
  if (!gh) throw new Error("this scenario has no `github` section: no GitHub Actions run to mint an ID token for");
  const [owner = ""] = gh.repository.split("/");
  const now = Math.floor(ctx.now() / 1000);
  const event = gh.pullRequest !== undefined ? "pull_request" : "push";
  const ref = gh.pullRequest !== undefined ? `refs/pull/${gh.pullRequest}/merge` : gh.ref;
  const workflowRef = `${gh.repository}/.github/workflows/${gh.workflow}@${ref}`;
  const sha = randomUUID().replace(/-/g, "") + "00000000";
  return signJwt(gh.signingKey, {
    jti: randomUUID(),
    sub: githubSubject(gh),
    aud: audience,
    ref,
    sha,
    repository: gh.repository,
    repository_owner: owner,
    repository_owner_id: String(gh.ownerId),
    repository_id: String(gh.repoId),
    repository_visibility: "private",
    run_id: "1000000001",
    run_number: "42",
    run_attempt: "1",
    actor: "octocat",
    actor_id: "583231",
    workflow: gh.workflow.replace(/\.ya?ml$/, ""),
    workflow_ref: workflowRef,
    job_workflow_ref: workflowRef,
    event_name: event,
    ref_type: "branch",
    head_ref: gh.pullRequest !== undefined ? "feature" : "",
    base_ref: gh.pullRequest !== undefined ? "main" : "",
    ...(gh.environment ? { environment: gh.environment } : {}),
    runner_environment: "github-hosted",
    iss: githubIssuer(ctx.urls.issuers),
    nbf: now - 5,
    exp: now + (overrides.lifetimeSeconds ?? 300),
    iat: now,
    ...overrides.claims,
  });
}

const ok = (body: unknown): SandboxResponse => ({ status: 200, headers: { "cache-control": "max-age=3600" }, body });
const notFound = (): SandboxResponse => ({ status: 404, headers: { "content-type": "text/plain" }, body: "404 page not found\n" });

export function issuersService(ctx: ServiceContext): Handler {
  return (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") return { status: 405, body: "method not allowed" };
    const github = ctx.state.github;
    const ghPath = new URL(githubIssuer(ctx.urls.issuers)).pathname;
    if (github && req.path.startsWith(`${ghPath}/`)) {
      const rest = req.path.slice(ghPath.length);
      const iss = githubIssuer(ctx.urls.issuers);
      if (rest === "/.well-known/openid-configuration") {
        return ok({
          issuer: iss,
          jwks_uri: `${iss}/.well-known/jwks`,
          subject_types_supported: ["public", "pairwise"],
          response_types_supported: ["id_token"],
          claims_supported: [
            "sub",
            "aud",
            "exp",
            "iat",
            "iss",
            "jti",
            "nbf",
            "ref",
            "sha",
            "repository",
            "repository_id",
            "repository_owner",
            "repository_owner_id",
            "run_id",
            "run_number",
            "run_attempt",
            "actor",
            "actor_id",
            "workflow",
            "workflow_ref",
            "head_ref",
            "base_ref",
            "event_name",
            "ref_type",
            "environment",
            "job_workflow_ref",
            "repository_visibility",
            "runner_environment",
          ],
          id_token_signing_alg_values_supported: ["RS256"],
          scopes_supported: ["openid"],
        });
      }
      if (rest === "/.well-known/jwks") return ok({ keys: [publicJwk(github.signingKey)] });
      return notFound();
    }
    for (const c of ctx.state.clusters) {
      if (!c.oidcIssuerEnabled || !c.issuerUrl) continue;
      const base = new URL(c.issuerUrl).pathname; // ends with "/"
      if (!req.path.startsWith(base)) continue;
      const rest = req.path.slice(base.length);
      if (rest === ".well-known/openid-configuration") {
        return ok({
          issuer: c.issuerUrl,
          jwks_uri: `${c.issuerUrl}openid/v1/jwks`,
          response_types_supported: ["id_token"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
        });
      }
      if (rest === "openid/v1/jwks") return ok({ keys: [publicJwk(c.signingKey)] });
    }
    return notFound();
  };
}
