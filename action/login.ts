/**
 * The gate's own Azure login from GitHub Actions, with no secret: a ClientAssertionCredential whose
 * assertion is a fresh GitHub ID token for every Azure token request (so a long job never presents an
 * expired assertion, AADSTS700024). A preflight token request turns the two ways this fails into
 * findings instead of crashes: no ID token at all (AG501) and Entra refusing it (AG502, explained).
 */
import * as core from "@actions/core";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { ClientAssertionCredential } from "@azure/identity";
import { scopeFor, type CloudProfile } from "../shared/cloud/profile.js";
import { profileClientOptions } from "../shared/cloud/tls.js";
import type { Finding } from "../shared/findings/model.js";
import { raise } from "../shared/findings/raise.js";
import type { RunContext } from "./run-context.js";
import { redactTokens } from "./redact.js";
import { reporter } from "./reporter.js";
import { bridgeAzureSdkLog } from "../shared/azure/sdk-log.js";
import { decodeIdClaims, explainSubject, type GitHubIdClaims } from "./subject.js";
import { sh } from "../shared/shell.js";

export { redactTokens };

export type LoginOutcome = { ok: true; credential: TokenCredential } | { ok: false; finding: Finding; notice: string };

export interface LoginInput {
  tenantId: string;
  clientId: string;
  profile: CloudProfile;
  run: RunContext;
  env: Readonly<Record<string, string | undefined>>;
}

const PERMISSIONS_YAML =
  "permissions:\n  id-token: write      # lets the job request a GitHub ID token\n  contents: read\n  pull-requests: write # the sticky PR comment";

function workflowTarget(run: RunContext) {
  return { kind: "workflow", name: `${run.owner}/${run.repo}: ${run.workflow || "workflow"}` };
}

export function noIdTokenFinding(run: RunContext, reason: string): Finding {
  const fork = run.pullRequest?.fromFork === true;
  const evidence = fork
    ? `pull request #${run.pullRequest?.number} comes from a fork: GitHub gives fork pull_request runs no ID token (and a read-only GITHUB_TOKEN). ${reason}`
    : `the job cannot request a GitHub ID token: ${reason}`;
  const fix = fork
    ? "Fork pull requests never get an ID token. Run the gate in static mode for them, and the Azure layers in the deploy job:\n\n" +
      "with:\n  mode: ${{ github.event.pull_request.head.repo.fork && 'static' || 'azure' }}\n\n" +
      "Never switch such a workflow to pull_request_target to get a token while checking out the pull request's code."
    : `Give the job permission to request an ID token:\n\n${PERMISSIONS_YAML}`;
  return raise("AG501", { target: workflowTarget(run), evidence, fix });
}

function aadstsCode(message: string): string | undefined {
  return /AADSTS\d+/.exec(message)?.[0];
}

/** The first sentence of Entra's answer (it carries no token; trace ids and timestamps are dropped). */
function entraSummary(message: string): string {
  const line = redactTokens(message.split("\n")[0] ?? "");
  const at = line.search(/\s(Trace ID|Correlation ID|Timestamp):/);
  return (at > 0 ? line.slice(0, at) : line).trim().slice(0, 400);
}

export function refusedFinding(input: {
  clientId: string;
  tenantId: string;
  message: string;
  claims: GitHubIdClaims | undefined;
}): Finding {
  const { clientId, claims } = input;
  const code = aadstsCode(input.message);
  const target = { kind: "identity", name: clientId };
  const said = `Entra ID refused the GitHub ID token${code ? ` (${code})` : ""}: ${entraSummary(input.message)}`;
  if (code === "AADSTS700016" || code === "AADSTS90002") {
    return raise("AG502", {
      target,
      evidence: said,
      fix: `Check the Action's client-id (${clientId}) and tenant-id (${input.tenantId}): Entra cannot find that application in that tenant. Use the app registration's or managed identity's client id, not its object id.`,
    });
  }
  if (!claims) {
    return raise("AG502", {
      target,
      evidence: `${said}. The ID token's claims could not be read.`,
      fix: "Compare the federated credential's issuer, subject and audience with the workflow's ID token.",
    });
  }
  const why = explainSubject(claims);
  const others = why.alternatives.map((a) => `${a.label}: ${a.subject}`).join("; ");
  const evidence =
    `${said}. The token's sub is '${claims.sub}' (iss ${claims.iss}, aud ${claims.aud}); the federated credential subject that would match is exactly '${claims.sub}' ` +
    `(Entra compares issuer, subject and audience exactly and case-sensitively). It comes from ${why.producedBy}` +
    (others ? ` Other forms for this repository: ${others}.` : "");
  const params = JSON.stringify({ name: "github-gate", issuer: claims.iss, subject: claims.sub, audiences: [claims.aud] });
  const fix =
    `Add a federated credential with this subject to the gate's identity (client id ${clientId}):\n\n` +
    `az ad app federated-credential create --id ${sh(clientId)} --parameters ${sh(params)}\n\n` +
    `or, when the gate's identity is a user-assigned managed identity:\n\n` +
    `az identity federated-credential create --name github-gate --identity-name IDENTITY_NAME --resource-group RESOURCE_GROUP --issuer ${sh(claims.iss)} --subject ${sh(claims.sub)} --audiences ${sh(claims.aud)}`;
  return raise("AG502", { target, evidence, fix });
}

/** Marks every access token as a secret for the runner's log masking before any code can print it. */
function masked(inner: TokenCredential): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const token = await inner.getToken(scopes, options);
      if (token) reporter.secret(token.token);
      return token;
    },
  };
}

/** Builds the OIDC credential and proves it can get a token; never throws for a login problem. */
export async function signIn(input: LoginInput): Promise<LoginOutcome> {
  const { env, run, profile } = input;
  // The identity SDK's sign-in lines go to the runner's debug log with the gate's (step debug).
  bridgeAzureSdkLog();
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    const finding = noIdTokenFinding(run, "ACTIONS_ID_TOKEN_REQUEST_URL is not set (the job has no `permissions: id-token: write`).");
    return { ok: false, finding, notice: "No GitHub ID token (AG501): running the static layer only." };
  }
  let claims: GitHubIdClaims | undefined;
  let idTokenError: string | undefined;
  const getAssertion = async (): Promise<string> => {
    try {
      // core.getIDToken masks the token itself (setSecret) before returning it.
      const token = await core.getIDToken(profile.tokenExchangeAudience);
      claims = decodeIdClaims(token);
      return token;
    } catch (err) {
      idTokenError = redactTokens((err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim());
      throw err;
    }
  };
  const credential = masked(
    new ClientAssertionCredential(input.tenantId, input.clientId, getAssertion, {
      authorityHost: profile.authorityHost,
      disableInstanceDiscovery: profile.disableInstanceDiscovery,
      ...profileClientOptions(profile),
    }),
  );
  try {
    await credential.getToken(scopeFor(profile.resourceManagerAudience));
    return { ok: true, credential };
  } catch (err) {
    if (idTokenError !== undefined) {
      return {
        ok: false,
        finding: noIdTokenFinding(run, `the Actions ID-token endpoint refused: ${idTokenError}`),
        notice: "No GitHub ID token (AG501): running the static layer only.",
      };
    }
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      finding: refusedFinding({ clientId: input.clientId, tenantId: input.tenantId, message, claims }),
      notice: "Entra ID refused the GitHub ID token (AG502): running the static layer only.",
    };
  }
}
