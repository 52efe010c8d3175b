/**
 * Access tokens of the sandbox's Entra ID: issued by the token endpoint (services/entra.ts), IMDS
 * (services/imds.ts) and the test credentials (index.ts), verified by every resource service through
 * `ServiceContext.verifyAccessToken`. v1.0 tokens (`iss: https://sts.windows.net/{tid}/`), which is
 * what Entra issues for ARM, Key Vault, Storage and Graph client-credentials requests — and the only
 * issuer form Azurite's `--oauth basic` accepts.
 */
import { randomUUID } from "node:crypto";
import type { AccessTokenClaims, TokenCheck } from "./contract.js";
import { decodeJwt, signJwt, verifySignature } from "./jwt.js";
import type { ApplicationState, IdentityState, TenantState } from "./state.js";

export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** Entra's default access-token lifetime as the token endpoint reports it. */
export const TOKEN_LIFETIME_SECONDS = 3599;

export type TokenSubject = { kind: "identity"; identity: IdentityState } | { kind: "app"; app: ApplicationState };

export function v1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

function isGraph(resource: string, graphUrl: string): boolean {
  const r = resource.replace(/\/+$/, "");
  return r === "https://graph.microsoft.com" || r === GRAPH_APP_ID || r === graphUrl.replace(/\/+$/, "");
}

export interface IssuedToken {
  token: string;
  claims: AccessTokenClaims & Record<string, unknown>;
  expiresIn: number;
}

/** An access token for `subject` to call `resource`, signed with the tenant's Entra key. */
export function issueAccessToken(
  state: TenantState,
  subject: TokenSubject,
  resource: string,
  nowMs: number,
  graphUrl: string,
  lifetimeSeconds = TOKEN_LIFETIME_SECONDS,
): IssuedToken {
  const now = Math.floor(nowMs / 1000);
  const oid = subject.kind === "identity" ? subject.identity.principalId : subject.app.servicePrincipalId;
  const appid = subject.kind === "identity" ? subject.identity.clientId : subject.app.appId;
  const claims: AccessTokenClaims & Record<string, unknown> = {
    aud: resource,
    iss: v1Issuer(state.tenantId),
    iat: now - 300,
    nbf: now - 300,
    exp: now + lifetimeSeconds,
    aio: randomUUID(),
    appid,
    appidacr: subject.kind === "identity" ? "2" : "1",
    idp: v1Issuer(state.tenantId),
    idtyp: "app",
    oid,
    rh: "0.sandbox",
    sub: oid,
    tid: state.tenantId,
    uti: randomUUID().replace(/-/g, "").slice(0, 22),
    ver: "1.0",
  };
  if (subject.kind === "identity") claims.xms_mirid = subject.identity.id;
  if (subject.kind === "app" && isGraph(resource, graphUrl) && subject.app.graphPermissions.length > 0)
    claims.roles = [...subject.app.graphPermissions];
  return { token: signJwt(state.entraSigningKey, claims), claims, expiresIn: lifetimeSeconds };
}

const fail = (description: string): TokenCheck => ({ ok: false, status: 401, error: "invalid_token", description });
const bare = (s: string) => s.replace(/\/+$/, "").toLowerCase();

/** What every resource service asks: signed by this tenant's Entra ID, for one of `audiences`, unexpired on the sandbox clock. */
export function verifyAccessToken(state: TenantState, token: string | undefined, audiences: string[], nowMs: number): TokenCheck {
  if (!token) return fail("no token");
  const jwt = decodeJwt(token);
  if (!jwt) return fail("malformed token: not a JWT");
  if (jwt.header.kid !== state.entraSigningKey.kid || !verifySignature(jwt, state.entraSigningKey.publicKey))
    return fail("signature validation failed: the token was not signed by this tenant's Entra ID");
  const claims = jwt.payload as unknown as AccessTokenClaims;
  if (claims.iss !== v1Issuer(state.tenantId) || claims.tid !== state.tenantId)
    return fail(`issuer validation failed: ${String(claims.iss)}`);
  const wanted = audiences.map(bare);
  if (typeof claims.aud !== "string" || !wanted.includes(bare(claims.aud)))
    return fail(`audience '${String(claims.aud)}' is not one of ${audiences.join(", ")}`);
  const now = nowMs / 1000;
  if (typeof claims.exp !== "number" || claims.exp <= now)
    return fail(`lifetime validation failed: the token expired at ${new Date((claims.exp ?? 0) * 1000).toISOString()}`);
  if (typeof claims.nbf === "number" && claims.nbf > now + 300) return fail("lifetime validation failed: the token is not yet valid");
  return { ok: true, claims };
}
