/**
 * Explaining a GitHub ID token to a human whose federated credential does not match it: which subject
 * the token carries, which workflow feature produced that subject, and the subject forms the same run
 * would have under the other features. Works on the decoded claims only; the token itself is never kept.
 */

/** The claims of a GitHub Actions ID token that matter for federation (docs.github.com, "About security hardening with OpenID Connect"). */
export interface GitHubIdClaims {
  sub: string;
  iss: string;
  aud: string;
  repository?: string;
  repository_id?: string;
  repository_owner?: string;
  repository_owner_id?: string;
  environment?: string;
  event_name?: string;
  ref?: string;
  ref_type?: string;
  workflow_ref?: string;
  job_workflow_ref?: string;
  exp?: number;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/** Decodes the payload of a JWT without verifying it (it is only used to explain a refusal). */
export function decodeIdClaims(jwt: string): GitHubIdClaims | undefined {
  const payload = jwt.split(".")[1];
  if (!payload) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== "object") return undefined;
  const o = raw as Record<string, unknown>;
  const sub = str(o.sub);
  if (!sub) return undefined;
  const aud = Array.isArray(o.aud) ? o.aud.map(String).join(",") : (str(o.aud) ?? "");
  const claims: GitHubIdClaims = { sub, iss: str(o.iss) ?? "", aud };
  for (const key of [
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "environment",
    "event_name",
    "ref",
    "ref_type",
    "workflow_ref",
    "job_workflow_ref",
  ] as const) {
    const v = str(o[key]);
    if (v !== undefined) claims[key] = v;
  }
  if (typeof o.exp === "number") claims.exp = o.exp;
  return claims;
}

export type SubjectForm = "environment" | "pull_request" | "branch" | "tag" | "custom";

export interface SubjectExplanation {
  form: SubjectForm;
  /** The immutable `repo:OWNER@OWNER_ID/REPO@REPO_ID:…` prefix instead of `repo:OWNER/REPO:…`. */
  immutable: boolean;
  /** Which workflow feature produced the subject, in words. */
  producedBy: string;
  /** The other subjects a federated credential could name for this repository (for comparison). */
  alternatives: { label: string; subject: string }[];
}

const DEFAULT = /^repo:([^:]+):(environment|pull_request|ref|job_workflow_ref)(?::(.*))?$/;

/** Splits the repo part of a default-template subject: `owner/repo` or `owner@id/repo@id`. */
function repoPrefix(repoPart: string): { immutable: boolean } {
  return { immutable: /^[^/@]+@\d+\/[^/@]+@\d+$/.test(repoPart) };
}

function reusable(claims: GitHubIdClaims): string | undefined {
  const job = claims.job_workflow_ref;
  if (!job || !claims.workflow_ref) return undefined;
  const path = (ref: string) => ref.split("@")[0];
  return path(job) !== path(claims.workflow_ref) ? job : undefined;
}

export function explainSubject(claims: GitHubIdClaims): SubjectExplanation {
  const m = DEFAULT.exec(claims.sub);
  const reusableRef = reusable(claims);
  const viaReusable = reusableRef
    ? ` The job runs in the reusable workflow ${reusableRef} (called from ${claims.workflow_ref}); its token still carries the caller's subject unless a custom template adds job_workflow_ref.`
    : "";
  if (!m) {
    const keys = claims.sub.split(":").filter((_, i) => i % 2 === 0);
    return {
      form: "custom",
      immutable: false,
      producedBy: `a customised subject template (claim keys ${keys.join(", ")}), set with the "OIDC subject claim" API for the repository or organisation.${viaReusable}`,
      alternatives: [],
    };
  }
  const repoPart = m[1] ?? "";
  const kind = m[2] ?? "";
  const rest = m[3] ?? "";
  const { immutable } = repoPrefix(repoPart);
  const prefix = `repo:${repoPart}`;
  const immutableNote = immutable
    ? " The repository uses the immutable subject form (owner and repository ids after '@'), which GitHub emits for repositories created or renamed since mid-2026: a credential written as repo:OWNER/REPO:… never matches it."
    : "";
  let form: SubjectForm;
  let producedBy: string;
  if (kind === "environment") {
    form = "environment";
    producedBy = `the job declares \`environment: ${rest}\`: with an environment GitHub puts the environment in the subject instead of the branch or pull request.`;
  } else if (kind === "pull_request") {
    form = "pull_request";
    producedBy = "a pull_request event (without a job environment): every pull request gets the same subject, whatever its branch.";
  } else if (rest.startsWith("refs/tags/")) {
    form = "tag";
    producedBy = `a run for the tag ${rest.slice("refs/tags/".length)} (no job environment).`;
  } else {
    form = "branch";
    producedBy = `a run for the branch ${rest.replace(/^refs\/heads\//, "")} (a push, schedule or workflow_dispatch without a job environment).`;
  }
  const branch = claims.ref?.startsWith("refs/heads/") ? claims.ref : "refs/heads/main";
  const alternatives = [
    { label: "environment", subject: `${prefix}:environment:${claims.environment ?? "production"}` },
    { label: "pull request", subject: `${prefix}:pull_request` },
    { label: "branch", subject: `${prefix}:ref:${branch}` },
  ].filter((a) => a.subject !== claims.sub);
  if (!immutable && claims.repository_owner_id && claims.repository_id && claims.repository) {
    const [owner, repo] = claims.repository.split("/");
    alternatives.push({
      label: "immutable form",
      subject: `repo:${owner}@${claims.repository_owner_id}/${repo}@${claims.repository_id}:${kind}${rest ? `:${rest}` : ""}`,
    });
  } else if (immutable && claims.repository) {
    alternatives.push({ label: "name form (older repositories)", subject: `repo:${claims.repository}:${kind}${rest ? `:${rest}` : ""}` });
  }
  return { form, immutable, producedBy: `${producedBy}${immutableNote}${viaReusable}`, alternatives };
}
