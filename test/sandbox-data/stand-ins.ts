/**
 * The data-plane tests' Entra ID, IMDS and service-account token minting — now the sandbox core's REAL
 * pieces (services/entra.ts, services/imds.ts, services/issuers.ts) wrapped for these tests' local
 * harness, which serves one handler at a time instead of starting the whole sandbox. The signatures
 * are the ones the stand-ins had, so the Kubernetes/pod tests and the probe harness keep working.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Handler, SandboxRequest, ServiceContext } from "../sandbox/contract.js";
import type { ServiceAccountTokenMinter } from "../sandbox/pods.js";
import { entraService } from "../sandbox/services/entra.js";
import { imdsService } from "../sandbox/services/imds.js";
import { serviceAccountTokenMinter } from "../sandbox/services/issuers.js";
import type { TenantState } from "../sandbox/state.js";
import { verifyAccessToken } from "../sandbox/tokens.js";
import { placeholderUrls, tlsMaterial } from "./harness.js";

/** Projected service-account token, as the cluster's API server signs it (real clock). */
export const mintServiceAccountToken: ServiceAccountTokenMinter = serviceAccountTokenMinter({ now: () => Date.now() });

function contextOf(state: TenantState, urls: Parameters<typeof placeholderUrls>[0]): ServiceContext {
  const material = tlsMaterial();
  return {
    state,
    urls: placeholderUrls(urls),
    now: () => Date.now(),
    verifyAccessToken: (token, audiences) => verifyAccessToken(state, token, audiences, Date.now()),
    tls: { certFile: material.certPath, keyFile: material.keyPath, certPem: material.cert, keyPem: material.key },
    workDir: "",
  };
}

/** The sandbox's Entra ID for `state`, served at `baseUrl()` (read once, when the first request arrives). */
export function entraStandIn(state: TenantState, baseUrl: () => string): Handler {
  let handler: Handler | undefined;
  return (req) => (handler ??= entraService(contextOf(state, { authorityHost: baseUrl() })))(req);
}

const EMPTY_NODES = { identities: [] } as unknown as TenantState;

/**
 * The sandbox's IMDS over plain http. Without a state, the node has no identities: every token request
 * gets 400 "Identity not found", as AKS's IMDS answers a pod whose Workload Identity was not injected.
 */
export async function startImdsStandIn(state: TenantState = EMPTY_NODES): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const handler = imdsService(contextOf(state, {}));
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const url = new URL(`http://imds${req.url ?? "/"}`);
    const sreq: SandboxRequest = { method: req.method ?? "GET", url, path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.alloc(0), json: undefined, bearer: undefined, remoteAddress: req.socket.remoteAddress ?? "" };
    req.resume();
    req.on("end", () => {
      void Promise.resolve(handler(sreq)).then((out) => {
        res.writeHead(out.status, { "content-type": "application/json; charset=utf-8", ...out.headers }).end(JSON.stringify(out.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
