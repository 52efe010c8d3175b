/**
 * The data-plane tests' harness: serve one sandbox service at a time over HTTPS and point the REAL SDK
 * clients at it, without the whole sandbox. The pieces are the sandbox's shared test pieces
 * (test/sandbox/testing/): the test certificate, a ServiceContext, the sandbox's own HTTP framework,
 * and access tokens signed with the tenant's Entra key.
 */
export { freshSigningKey } from "../sandbox/jwt.js";
export { contextFor, placeholderUrls } from "../sandbox/testing/context.js";
export { serveHandler, type Served } from "../sandbox/testing/serve.js";
export { testTls } from "../sandbox/testing/tls.js";
export { credentialFor, mintAccessToken } from "../sandbox/testing/tokens.js";

/** The status and GitHub `message` of an Octokit call that must fail. */
export async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; response?: { data?: { message?: string } } };
    return { status: e.status, message: e.response?.data?.message ?? "" };
  }
  throw new Error("expected the call to fail");
}
