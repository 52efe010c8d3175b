/**
 * Starts the ARM and Graph emulators over HTTPS for a test file, with a fresh tenant, and gives the
 * tests what a real client needs: endpoints, a token credential per principal, raw `fetch` helpers.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { ServiceContext } from "../sandbox/contract.js";
import { armService } from "../sandbox/services/arm/index.js";
import { graphService } from "../sandbox/services/graph.js";
import type { TenantState } from "../sandbox/state.js";
import { tenant } from "./fixtures.js";
import { contextFor, credentialFor, mintAccessToken, serve, type Served } from "./control-plane-server.js";

export interface ControlPlane {
  state: TenantState;
  ctx: ServiceContext;
  arm: Served;
  graph: Served;
  /** A credential that signs tokens for `oid` (as Entra would after a successful client-credentials flow). */
  credential(oid: string): TokenCredential & { requests: string[] };
  armToken(oid: string): string;
  graphToken(oid: string, roles: string[]): string;
  /** Options every ARM SDK client gets: the sandbox endpoint and the ARM scope. */
  clientOptions(): { endpoint: string; credentials: { scopes: string[] } };
  legacyClientOptions(): { endpoint: string; credentialScopes: string[] };
  stop(): Promise<void>;
}

export async function startControlPlane(opts: { pageSize?: number; state?: TenantState } = {}): Promise<ControlPlane> {
  const state = opts.state ?? tenant();
  const ctx = contextFor(state, {});
  const arm = await serve("arm", (url) => {
    ctx.urls.arm = url;
    return armService(ctx, opts.pageSize ? { pageSize: opts.pageSize } : {});
  });
  const graph = await serve("graph", (url) => {
    ctx.urls.graph = url;
    return graphService(ctx);
  });
  ctx.urls.keyVault = "https://127.0.0.1:9443/vaults";
  ctx.urls.kubernetes = "https://127.0.0.1:9444";
  ctx.urls.blob = "https://127.0.0.1:9445/blob";
  return {
    state,
    ctx,
    arm,
    graph,
    credential: (oid) => credentialFor(state, oid),
    armToken: (oid) => mintAccessToken(state, { oid, aud: "https://management.azure.com" }),
    graphToken: (oid, roles) => mintAccessToken(state, { oid, aud: "https://graph.microsoft.com", roles }),
    clientOptions: () => ({ endpoint: arm.url, credentials: { scopes: ["https://management.azure.com/.default"] } }),
    legacyClientOptions: () => ({ endpoint: arm.url, credentialScopes: ["https://management.azure.com/.default"] }),
    stop: async () => {
      await arm.close();
      await graph.close();
    },
  };
}

export async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

/** Captures the RestError an SDK call throws (statusCode, code, message). */
export async function failure(p: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { statusCode?: number; code?: string; message: string };
  }
  throw new Error("expected the call to fail");
}
