/**
 * The control-plane tests' harness: the ARM and Graph emulators served alone over HTTPS (the sandbox's
 * own HTTP framework and test certificate), with access tokens minted as the sandbox's Entra ID signs
 * them (`roles` for Graph application permissions). The pieces are the sandbox's shared test pieces
 * (test/sandbox/testing/).
 */
import type { Handler, ServiceName } from "../sandbox/contract.js";
import { serveHandler, type Served } from "../sandbox/testing/serve.js";

export { contextFor } from "../sandbox/testing/context.js";
export { credentialFor, mintAccessToken } from "../sandbox/testing/tokens.js";
export type { Served } from "../sandbox/testing/serve.js";

/** Serves the handler built from the server's own URL (ARM and Graph need it for nextLinks). */
export async function serve(service: ServiceName, makeHandler: (url: string) => Handler): Promise<Served> {
  const served = await serveHandler(service);
  served.setHandler(makeHandler(served.url));
  return served;
}
