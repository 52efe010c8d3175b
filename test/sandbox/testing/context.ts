/**
 * The ServiceContext a single sandbox service gets when a test serves it alone (serve.ts) instead of
 * starting the whole sandbox: the tenant, the URLs of the services the test does serve, the sandbox's
 * own token verifier on the real clock, and the test certificate.
 */
import { tmpdir } from "node:os";
import type { SandboxUrls, ServiceContext } from "../contract.js";
import type { TenantState } from "../state.js";
import { verifyAccessToken } from "../tokens.js";
import { testTls } from "./tls.js";

/** Every service a test does not serve points at a closed loopback port, so a stray call fails fast. */
export function placeholderUrls(overrides: Partial<SandboxUrls> = {}): SandboxUrls {
  const none = "https://127.0.0.1:9";
  const plain = "http://127.0.0.1:9";
  return {
    authorityHost: none,
    arm: none,
    graph: none,
    keyVault: none,
    blob: none,
    queue: none,
    kubernetes: none,
    issuers: none,
    imds: plain,
    github: plain,
    actions: plain,
    proxy: plain,
    ...overrides,
  };
}

export function contextFor(state: TenantState, urls: Partial<SandboxUrls> = {}): ServiceContext {
  return {
    state,
    urls: placeholderUrls(urls),
    now: () => Date.now(),
    // The sandbox's own verifier (tokens.ts): signature by the tenant key, issuer, audience, lifetime.
    verifyAccessToken: (token, audiences) => verifyAccessToken(state, token, audiences, Date.now()),
    tls: testTls(),
    workDir: tmpdir(),
  };
}
