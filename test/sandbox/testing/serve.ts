/**
 * Serves one sandbox service alone, over HTTPS (or plain http) on 127.0.0.1, through the sandbox's own
 * HTTP framework (http.ts: body and JSON decoding, response encoding, the same error answers) with the
 * test certificate — so the real SDK clients can be pointed at one service without the whole sandbox.
 */
import type { Handler, SandboxRequest, ServiceName } from "../contract.js";
import { Faults } from "../faults.js";
import { listen } from "../http.js";
import { RequestLog } from "../log.js";
import { testTls } from "./tls.js";

export interface Served {
  url: string;
  /** Requests the handler answered: method, path and query as sent, status, request headers. */
  log: { method: string; url: string; status: number; headers: SandboxRequest["headers"] }[];
  /** Attaches (or replaces) the handler; services are built once the server's URL is known. */
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Plain http, as IMDS and the Actions runtime endpoint are. */
  plainHttp?: boolean;
  /** Leave request bodies undecoded, as the sandbox attaches its blob proxy. */
  rawBody?: boolean;
}

/** `service` names the dialect of the framework's own error answers; until a handler is attached they are 503s. */
export async function serveHandler(service: ServiceName, opts: ServeOptions = {}): Promise<Served> {
  const log: Served["log"] = [];
  const listener = await listen({
    name: service,
    plainHttp: opts.plainHttp ?? false,
    tls: testTls(),
    log: new RequestLog(),
    faults: new Faults(),
    latencyMs: () => 0,
  });
  const recorded =
    (handler: Handler): Handler =>
    async (req) => {
      const seen = { method: req.method, url: `${req.url.pathname}${req.url.search}`, headers: req.headers };
      try {
        const out = await handler(req);
        log.push({ ...seen, status: out.status });
        return out;
      } catch (err) {
        log.push({ ...seen, status: 500 });
        throw err;
      }
    };
  const setHandler = (handler: Handler) =>
    listener.attach({ name: service, handler: recorded(handler), ...(opts.rawBody ? { rawBody: true } : {}) });
  return { url: listener.url, log, setHandler, close: () => listener.close() };
}
