/**
 * Access tokens for tests that serve single sandbox services: signed with the tenant's Entra key as
 * the sandbox's Entra ID signs them (jwt.ts, tokens.ts), but for any object id a test names — the
 * principal need not exist in the tenant — and with the Graph app roles the test chooses.
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { AccessTokenClaims } from "../contract.js";
import { signJwt } from "../jwt.js";
import type { TenantState } from "../state.js";
import { v1Issuer } from "../tokens.js";

export interface TokenSpec {
  oid: string;
  aud: string;
  /** Defaults to `oid`. */
  appid?: string;
  /** Graph application permissions (app roles) of the caller. */
  roles?: string[];
  /** Seconds from now (negative = already expired); default one hour. */
  expiresIn?: number;
}

export function mintAccessToken(state: TenantState, t: TokenSpec, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const claims: AccessTokenClaims = {
    aud: t.aud,
    iss: v1Issuer(state.tenantId),
    tid: state.tenantId,
    oid: t.oid,
    appid: t.appid ?? t.oid,
    sub: t.oid,
    iat: now - 5,
    nbf: now - 5,
    exp: now + (t.expiresIn ?? 3600),
    idtyp: "app",
    ...(t.roles ? { roles: t.roles } : {}),
  };
  return signJwt(state.entraSigningKey, claims);
}

export interface CredentialOptions {
  appid?: string;
  /** The audience to put in every token, whatever the SDK asks for (a wrong-audience test). */
  aud?: string;
  expiresIn?: number;
}

/**
 * A TokenCredential handing out sandbox tokens for whatever resource the SDK asks (as Entra would
 * after a successful sign-in); `requests` records the scopes it was asked for.
 */
export function credentialFor(state: TenantState, oid: string, opts: CredentialOptions = {}): TokenCredential & { requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    async getToken(scopes: string | string[]): Promise<AccessToken> {
      const scope = Array.isArray(scopes) ? (scopes[0] ?? "") : scopes;
      requests.push(scope);
      const aud = opts.aud ?? scope.replace(/\/?\.default$/, "");
      const token = mintAccessToken(state, {
        oid,
        aud,
        ...(opts.appid ? { appid: opts.appid } : {}),
        ...(opts.expiresIn !== undefined ? { expiresIn: opts.expiresIn } : {}),
      });
      return { token, expiresOnTimestamp: Date.now() + 3_000_000 };
    },
  };
}
