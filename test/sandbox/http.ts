/**
 * The sandbox's HTTP framework: one loopback listener per service (port 0 on 127.0.0.1), HTTPS with
 * the sandbox certificate unless the service is plain http (IMDS, the Actions runtime), and around
 * every service handler: body collection, URL parsing that survives ARM's `//subscriptions/…`,
 * JSON decoding (a malformed body is answered 400, as Azure does), injected faults and latency,
 * response encoding, and the request log.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { SandboxRequest, SandboxResponse, SandboxService, SandboxTls, ServiceName } from "./contract.js";
import type { FaultHit, Faults } from "./faults.js";
import { redactQuery, type Arrival, type RequestLog } from "./log.js";

export interface ListenerOptions {
  name: ServiceName;
  plainHttp: boolean;
  tls: SandboxTls;
  log: RequestLog;
  faults: Faults;
  /** Added latency for this service, read on every request (scenario `latencyMs`, changeable at runtime). */
  latencyMs: () => number;
}

export interface Listener {
  name: ServiceName;
  url: string;
  port: number;
  /** Services are attached after every listener has its port (they need each other's URLs). */
  attach(service: SandboxService): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const REASONS: Record<number, string> = {
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

/**
 * The codes each dialect documents for the common client errors (the ones its emulator sends itself):
 * ARM's AuthenticationFailed, AuthorizationFailed, ResourceNotFound and Conflict; Graph's; Key Vault's;
 * Kubernetes' StatusReason. A status without one keeps the fallback below.
 */
const CLIENT_ERRORS: Partial<Record<ServiceName, Record<number, string>>> = {
  arm: { 401: "AuthenticationFailed", 403: "AuthorizationFailed", 404: "ResourceNotFound", 409: "Conflict" },
  graph: { 401: "InvalidAuthenticationToken", 403: "Authorization_RequestDenied", 404: "Request_ResourceNotFound" },
  keyvault: { 401: "Unauthorized", 403: "Forbidden", 409: "Conflict" },
  kubernetes: { 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict" },
};

/** The error body each service sends for an injected status, in its own dialect. */
export function faultResponse(service: ServiceName, status: number, retryAfterSeconds: number | undefined): SandboxResponse {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
  const code = REASONS[status] ?? CLIENT_ERRORS[service]?.[status] ?? (status >= 500 ? "InternalServerError" : "BadRequest");
  const message =
    status === 429
      ? "The request is being throttled as the limit has been reached for operation type. (Injected by the sandbox.)"
      : status >= 500
        ? `The service is temporarily unavailable. (Injected ${status} by the sandbox.)`
        : `Injected ${status} by the sandbox.`;
  switch (service) {
    case "entra":
    case "imds":
      return { status, headers, body: { error: status === 429 ? "temporarily_unavailable" : "server_error", error_description: message } };
    case "blob":
    case "queue": {
      const storageCode = status === 429 || status === 503 ? "ServerBusy" : "InternalError";
      return {
        status,
        headers: { ...headers, "content-type": "application/xml", "x-ms-error-code": storageCode },
        body: `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${storageCode}</Code><Message>${message}</Message></Error>`,
      };
    }
    case "kubernetes":
      return {
        status,
        headers,
        body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: code, code: status },
      };
    case "github":
      return { status, headers, body: { message, documentation_url: "https://docs.github.com/rest", status: String(status) } };
    case "keyvault":
      return { status, headers, body: { error: { code: status === 429 ? "Throttled" : code, message } } };
    default:
      return { status, headers, body: { error: { code, message } } };
  }
}

function encode(res: SandboxResponse, method: string): { headers: Record<string, string>; payload: Buffer | undefined } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = v;
  let payload: Buffer | undefined;
  if (Buffer.isBuffer(res.body)) payload = res.body;
  else if (typeof res.body === "string") payload = Buffer.from(res.body);
  else if (res.body !== undefined) {
    payload = Buffer.from(JSON.stringify(res.body));
    headers["content-type"] ??= "application/json; charset=utf-8";
  }
  // A HEAD answer keeps the content-length of what GET would send (Azurite's, forwarded by the blob proxy).
  if (method !== "HEAD" || !("content-length" in headers))
    headers["content-length"] = String(method === "HEAD" && payload === undefined ? 0 : (payload?.length ?? 0));
  return { headers, payload: method === "HEAD" ? undefined : payload };
}

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /[/+]json\b/i.test(contentType);
}

export async function listen(opts: ListenerOptions): Promise<Listener> {
  let service: SandboxService | undefined;
  const sockets = new Set<Socket>();

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = Date.now();
    const arrival = opts.log.arrive();
    // Answered requests leave when their entry is recorded (before the client can see the answer); this
    // catches the ones that never get that far (a broken upload, a closed socket).
    res.on("close", arrival.leave);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      void handle(req, res, Buffer.concat(chunks), started, arrival);
    });
  };

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer,
    started: number,
    arrival: Arrival,
  ): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(`https://sandbox${req.url ?? "/"}`);
    const path = url.pathname.replace(/\/{2,}/g, "/");
    const fault: FaultHit | undefined = opts.faults.match(opts.name, method, path);
    const delayedMs = (fault?.spec.latencyMs ?? 0) + Math.max(0, opts.latencyMs());
    const send = (out: SandboxResponse) => {
      const { headers, payload } = encode(out, method);
      opts.log.record({
        service: opts.name,
        method,
        path,
        query: redactQuery(url.searchParams),
        status: out.status,
        ms: Date.now() - started,
        delayedMs,
        at: started,
        seq: arrival.seq,
        openOnArrival: arrival.openOnArrival,
        ...(fault ? { fault: fault.id } : {}),
      });
      arrival.leave();
      if (res.destroyed) return;
      res.writeHead(out.status, headers).end(payload);
    };

    if (delayedMs > 0) await sleep(delayedMs);
    if (fault?.spec.drop) {
      opts.log.record({
        service: opts.name,
        method,
        path,
        query: redactQuery(url.searchParams),
        status: 0,
        ms: Date.now() - started,
        delayedMs,
        at: started,
        seq: arrival.seq,
        openOnArrival: arrival.openOnArrival,
        fault: fault.id,
      });
      arrival.leave();
      req.socket.destroy();
      return;
    }
    if (fault?.spec.status !== undefined) return send(faultResponse(opts.name, fault.spec.status, fault.spec.retryAfterSeconds));

    if (!service)
      return send({
        status: 503,
        body: { error: { code: "ServiceUnavailable", message: `The sandbox ${opts.name} service is not attached yet.` } },
      });
    let json: unknown;
    if (!service.rawBody && body.length > 0 && isJson(req.headers["content-type"])) {
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch (err) {
        return send({
          status: 400,
          body: {
            error: {
              code: "InvalidRequestContent",
              message: `The request content was invalid and could not be deserialized: '${(err as Error).message}'.`,
            },
          },
        });
      }
    }
    const auth = req.headers.authorization;
    const sreq: SandboxRequest = {
      method,
      url,
      path,
      query: url.searchParams,
      headers: req.headers,
      body,
      json,
      bearer: typeof auth === "string" && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined,
      remoteAddress: req.socket.remoteAddress ?? "",
    };
    try {
      send(await service.handler(sreq));
    } catch (err) {
      send({
        status: 500,
        body: { error: { code: "InternalServerError", message: `The sandbox ${opts.name} service failed: ${(err as Error).message}` } },
      });
    }
  }

  const server = opts.plainHttp
    ? http.createServer(onRequest)
    : https.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, onRequest);
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  // Also TLS sockets handed over by the egress proxy's tunnels end here.
  server.on("secureConnection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name: opts.name,
    port,
    url: `${opts.plainHttp ? "http" : "https"}://127.0.0.1:${port}`,
    attach: (s) => {
      service = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
