/**
 * The data-plane tests' Entra ID, IMDS and service-account token minting — the sandbox core's REAL
 * pieces (services/entra.ts, services/imds.ts, services/issuers.ts) wrapped for these tests' local
 * harness, which serves one handler at a time instead of starting the whole sandbox. The signatures
 * are the ones the stand-ins had, so the Kubernetes/pod tests and the probe harness keep working.
 */
import type { Handler } from "../sandbox/contract.js";
import type { ServiceAccountTokenMinter } from "../sandbox/pods.js";
import { entraService } from "../sandbox/services/entra.js";
import { imdsService } from "../sandbox/services/imds.js";
import { serviceAccountTokenMinter } from "../sandbox/services/issuers.js";
import type { TenantState } from "../sandbox/state.js";
import { contextFor } from "../sandbox/testing/context.js";
import { serveHandler } from "../sandbox/testing/serve.js";

/** Projected service-account token, as the cluster's API server signs it (real clock). */
export const mintServiceAccountToken: ServiceAccountTokenMinter = serviceAccountTokenMinter({ now: () => Date.now() });

/** The sandbox's Entra ID for `state`, served at `baseUrl()` (read once, when the first request arrives). */
export function entraStandIn(state: TenantState, baseUrl: () => string): Handler {
  let handler: Handler | undefined;
  return (req) => (handler ??= entraService(contextFor(state, { authorityHost: baseUrl() })))(req);
}

const EMPTY_NODES = { identities: [] } as unknown as TenantState;

/**
 * The sandbox's IMDS over plain http. Without a state, the node has no identities: every token request
 * gets 400 "Identity not found", as AKS's IMDS answers a pod whose Workload Identity was not injected.
 * `requests` lists the path and query of each request, oldest first.
 */
export async function startImdsStandIn(
  state: TenantState = EMPTY_NODES,
): Promise<{ url: string; readonly requests: string[]; close(): Promise<void> }> {
  const served = await serveHandler("imds", { plainHttp: true });
  served.setHandler(imdsService(contextFor(state)));
  return {
    url: served.url,
    get requests() {
      return served.log.map((r) => r.url);
    },
    close: () => served.close(),
  };
}
