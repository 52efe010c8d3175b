import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { SharedTokenCredential, shareTokens } from "../../shared/azure/token-cache.js";

/** A credential that counts its requests and answers after a tick, like a real token endpoint. */
function counting(expiresInMs: number, now: () => number) {
  const calls: { scopes: string[]; options?: GetTokenOptions }[] = [];
  let fail = false;
  const credential: TokenCredential = {
    async getToken(scopes, options) {
      calls.push({ scopes: [scopes].flat(), ...(options ? { options } : {}) });
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error("AADSTS7000215: Invalid client secret provided.");
      return { token: `t${calls.length}`, expiresOnTimestamp: now() + expiresInMs } satisfies AccessToken;
    },
  };
  return { credential, calls, failNext: (v: boolean) => (fail = v) };
}

describe("SharedTokenCredential", () => {
  it("makes one request per scope however many clients ask at once", async () => {
    const now = () => 1_000_000;
    const inner = counting(3_600_000, now);
    const shared = new SharedTokenCredential(inner.credential, now);
    const arm = "https://management.azure.com/.default";
    const vault = "https://vault.azure.net/.default";
    const tokens = await Promise.all([...Array(8).fill(arm), ...Array(3).fill(vault)].map((s) => shared.getToken(s)));
    expect(inner.calls.map((c) => c.scopes[0]).sort()).toEqual([arm, vault]);
    expect(new Set(tokens.slice(0, 8).map((t) => t?.token)).size).toBe(1);
    await shared.getToken(arm);
    expect(inner.calls).toHaveLength(2);
  });

  it("refreshes five minutes before expiry, and earlier when the token says so", async () => {
    let t = 0;
    const inner = counting(60 * 60_000, () => t);
    const shared = new SharedTokenCredential(inner.credential, () => t);
    await shared.getToken("s");
    t = 54 * 60_000;
    await shared.getToken("s");
    expect(inner.calls).toHaveLength(1);
    t = 56 * 60_000;
    await shared.getToken("s");
    expect(inner.calls).toHaveLength(2);
  });

  it("passes claims challenges through and never caches a failure", async () => {
    const now = () => 0;
    const inner = counting(3_600_000, now);
    const shared = new SharedTokenCredential(inner.credential, now);
    await shared.getToken("s");
    await shared.getToken("s", { claims: "eyJhY2Nlc3NfdG9rZW4iOnt9fQ" });
    expect(inner.calls).toHaveLength(2);
    inner.failNext(true);
    await expect(shared.getToken("other")).rejects.toThrow(/AADSTS7000215/);
    inner.failNext(false);
    await expect(shared.getToken("other")).resolves.toMatchObject({ token: "t4" });
  });

  it("wraps once", () => {
    const shared = shareTokens(counting(1, () => 0).credential);
    expect(shareTokens(shared)).toBe(shared);
  });
});
