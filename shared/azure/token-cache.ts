/**
 * One token request per scope per run. Every SDK client of a run asks the credential for a token when it sends
 * its first request; a gate run opens its clients concurrently, so without sharing each one signs in on its own
 * (measured: 11 Entra requests for 2 scopes). This wrapper keeps one in-flight request and one cached token per
 * scope set and tenant, and refreshes it a few minutes before it expires (or when the token says to refresh).
 * Claims challenges (Continuous Access Evaluation) always go to the credential.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

const REFRESH_MARGIN_MS = 5 * 60_000;

export class SharedTokenCredential implements TokenCredential {
  private readonly tokens = new Map<string, AccessToken>();
  private readonly inFlight = new Map<string, Promise<AccessToken | null>>();

  constructor(
    private readonly inner: TokenCredential,
    private readonly now: () => number = Date.now,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    if (options?.claims) return this.inner.getToken(scopes, options);
    const key = `${options?.tenantId ?? ""}|${[scopes].flat().join(" ")}`;
    const cached = this.tokens.get(key);
    if (cached && this.now() < (cached.refreshAfterTimestamp ?? cached.expiresOnTimestamp - REFRESH_MARGIN_MS)) return cached;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const request = this.inner
      .getToken(scopes, options)
      .then((token) => {
        if (token) this.tokens.set(key, token);
        return token;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, request);
    return request;
  }
}

/** Wraps a credential once (wrapping an already shared credential returns it unchanged). */
export function shareTokens(credential: TokenCredential, now?: () => number): TokenCredential {
  return credential instanceof SharedTokenCredential ? credential : new SharedTokenCredential(credential, now);
}
