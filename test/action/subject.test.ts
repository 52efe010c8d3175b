/**
 * AG502's explanation of a GitHub ID token: which subject it carries, which workflow feature produced
 * it, and the other forms — from decoded claims only (the token never reaches the finding).
 */
import { describe, expect, it } from "vitest";
import { noIdTokenFinding, redactTokens, refusedFinding } from "../../action/login.js";
import { decodeIdClaims, explainSubject, type GitHubIdClaims } from "../../action/subject.js";
import type { RunContext } from "../../action/run-context.js";

const base = {
  iss: "https://token.actions.githubusercontent.com",
  aud: "api://AzureADTokenExchange",
  repository: "acme/django-app",
  repository_id: "2002",
  repository_owner: "acme",
  repository_owner_id: "1001",
  ref: "refs/heads/main",
};

function jwt(payload: object): string {
  const b = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b({ alg: "RS256", typ: "JWT" })}.${b(payload)}.c2lnbmF0dXJl`;
}

describe("explainSubject", () => {
  it("environment form: names the job's environment", () => {
    const e = explainSubject({ ...base, sub: "repo:acme/django-app:environment:production", environment: "production" });
    expect(e.form).toBe("environment");
    expect(e.producedBy).toContain("environment: production");
    expect(e.alternatives.map((a) => a.subject)).toEqual([
      "repo:acme/django-app:pull_request",
      "repo:acme/django-app:ref:refs/heads/main",
      "repo:acme@1001/django-app@2002:environment:production",
    ]);
  });

  it("pull request, branch and tag forms", () => {
    expect(explainSubject({ ...base, sub: "repo:acme/django-app:pull_request" }).form).toBe("pull_request");
    const branch = explainSubject({ ...base, sub: "repo:acme/django-app:ref:refs/heads/release/1.2" });
    expect(branch.form).toBe("branch");
    expect(branch.producedBy).toContain("branch release/1.2");
    expect(explainSubject({ ...base, sub: "repo:acme/django-app:ref:refs/tags/v1.0" }).form).toBe("tag");
  });

  it("the immutable owner@id/repo@id form, with the name form as the alternative", () => {
    const e = explainSubject({ ...base, sub: "repo:acme@1001/django-app@2002:environment:production", environment: "production" });
    expect(e.immutable).toBe(true);
    expect(e.producedBy).toContain("immutable subject form");
    expect(e.alternatives).toContainEqual({
      label: "name form (older repositories)",
      subject: "repo:acme/django-app:environment:production",
    });
  });

  it("a customised subject template lists its claim keys", () => {
    const e = explainSubject({ ...base, sub: "repository_owner_id:1001:repository_id:2002:environment:production" });
    expect(e.form).toBe("custom");
    expect(e.producedBy).toContain("repository_owner_id, repository_id, environment");
  });

  it("a reusable workflow is named", () => {
    const e = explainSubject({
      ...base,
      sub: "repo:acme/django-app:ref:refs/heads/main",
      workflow_ref: "acme/django-app/.github/workflows/deploy.yml@refs/heads/main",
      job_workflow_ref: "acme/platform/.github/workflows/gate.yml@refs/heads/main",
    });
    expect(e.producedBy).toContain("reusable workflow acme/platform/.github/workflows/gate.yml");
  });
});

describe("login findings", () => {
  const run: RunContext = {
    owner: "acme",
    repo: "django-app",
    eventName: "push",
    workflow: "deploy",
    job: "deploy",
    apiUrl: "https://api.github.com",
    runUrl: undefined,
    pullRequest: undefined,
  };

  it("AG502 shows the sub and the az command, never the token", () => {
    const token = jwt({ ...base, sub: "repo:acme/django-app:environment:production", environment: "production" });
    const claims = decodeIdClaims(token) as GitHubIdClaims;
    expect(claims.sub).toBe("repo:acme/django-app:environment:production");
    const f = refusedFinding({
      clientId: "11111111-2222-3333-4444-555555555555",
      tenantId: "99999999-9999-9999-9999-999999999999",
      message: `AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:acme/django-app:environment:production'. Trace ID: abc Correlation ID: def Timestamp: 2026 ${token}`,
      claims,
    });
    expect(f.id).toBe("AG502");
    expect(f.evidence).toContain("(AADSTS700213)");
    expect(f.evidence).toContain("sub is 'repo:acme/django-app:environment:production'");
    expect(f.evidence).not.toContain("Trace ID");
    expect(f.fix).toContain('"subject":"repo:acme/django-app:environment:production"');
    expect(f.fix).toContain("az identity federated-credential create");
    expect(JSON.stringify(f)).not.toContain(token.split(".")[1]);
  });

  it("AG502 for an unknown application points at client-id / tenant-id", () => {
    const f = refusedFinding({
      clientId: "11111111-2222-3333-4444-555555555555",
      tenantId: "99999999-9999-9999-9999-999999999999",
      message: "AADSTS700016: Application with identifier '1111' was not found in the directory",
      claims: undefined,
    });
    expect(f.fix).toContain("client-id (11111111-2222-3333-4444-555555555555)");
  });

  it("AG501 gives the permissions YAML, or the static-mode fix on a fork", () => {
    expect(noIdTokenFinding(run, "no URL").fix).toContain("id-token: write");
    const fork = noIdTokenFinding({ ...run, eventName: "pull_request", pullRequest: { number: 7, fromFork: true } }, "no URL");
    expect(fork.evidence).toContain("comes from a fork");
    expect(fork.fix).toContain("mode: ${{ github.event.pull_request.head.repo.fork && 'static' || 'azure' }}");
  });

  it("redacts anything shaped like a JWT", () => {
    expect(redactTokens(`failed: ${jwt({ sub: "x" })} end`)).toBe("failed: [token] end");
  });
});
