/**
 * The sandbox's control API: a small plain-http JSON API on 127.0.0.1 so that another process (a
 * black-box test, a user's shell with curl) can drive a running sandbox the way in-process tests drive
 * `sb.clock`, `sb.faults` and `sb.log`. Every request needs `Authorization: Bearer <token>` (the token is
 * in the env file, AAG_SANDBOX_CONTROL_TOKEN): loopback is not a boundary between local users.
 *
 *   GET    /v1/clock                 → {now, nowMs, offsetMs}
 *   POST   /v1/clock/advance         {"by": "25h" | ms}  → the clock after the move
 *   GET    /v1/faults                → [{id, spec}]
 *   POST   /v1/faults                a fault spec (docs/sandbox.md "Faults") → 201 {id}
 *   DELETE /v1/faults[/{id}]         → 204
 *   GET    /v1/log?service=&method=&status=&path=  → {count, entries, refusedEgress}
 *   DELETE /v1/log                   → 204
 *   GET    /v1/state                 → the tenant as the services see it now, secret values redacted
 *   POST   /v1/stop                  → 202, then the sandbox stops (as on SIGTERM)
 *
 * Errors are `{"error": {"code", "message"}}` with 400 (bad body or spec), 401, 404 or 405.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { ServiceName } from "./contract.js";
import type { Faults } from "./faults.js";
import type { LogFilter, RequestLog } from "./log.js";
import type { TenantState } from "./state.js";

export interface ControlTarget {
  clock: { now(): number; advance(by: number | string): void; readonly offsetMs: number };
  faults: Faults;
  log: RequestLog;
  state: TenantState;
}

export interface ControlApi {
  url: string;
  token: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Secret material the state holds for the services (KV values, app secret texts, signing keys). */
const REDACTED_KEYS = new Set(["value", "secretText", "privateKey", "signingKey"]);

function redactedState(state: TenantState): unknown {
  return JSON.parse(
    JSON.stringify(state, (k, v: unknown) => {
      if (REDACTED_KEYS.has(k) && v !== undefined && v !== null) return "REDACTED";
      // Kubernetes Secrets in the clusters: names of the keys stay, the data does not.
      if (v && typeof v === "object" && (v as { kind?: unknown }).kind === "Secret") {
        const o = v as { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
        const hide = (d?: Record<string, unknown>) => d && Object.fromEntries(Object.keys(d).map((x) => [x, "REDACTED"]));
        return { ...o, ...(o.data ? { data: hide(o.data) } : {}), ...(o.stringData ? { stringData: hide(o.stringData) } : {}) };
      }
      return v;
    }),
  );
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", reject);
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8").trim();
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, "InvalidJson", "the request body is not JSON"));
      }
    });
  });
}

function clockView(clock: ControlTarget["clock"]) {
  const nowMs = clock.now();
  return { now: new Date(nowMs).toISOString(), nowMs, offsetMs: clock.offsetMs };
}

function logFilter(query: URLSearchParams): LogFilter {
  const f: LogFilter = {};
  const service = query.get("service");
  if (service) f.service = service as ServiceName;
  const method = query.get("method");
  if (method) f.method = method.toUpperCase();
  const status = query.get("status");
  if (status) f.status = Number(status);
  const path = query.get("path");
  if (path) f.path = new RegExp(path, "i");
  return f;
}

export async function startControlApi(target: ControlTarget, opts: { onStop: () => void }): Promise<ControlApi> {
  const token = randomBytes(24).toString("base64url");
  const expected = Buffer.from(`Bearer ${token}`);
  const authorized = (header: string | undefined) => {
    const got = Buffer.from(header ?? "");
    return got.length === expected.length && timingSafeEqual(got, expected);
  };

  async function route(method: string, url: URL, req: http.IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const parts = url.pathname.split("/").filter(Boolean);
    if (parts[0] !== "v1") throw new HttpError(404, "NotFound", `no route ${url.pathname}`);
    const [, resource, sub] = parts;
    const allow = (...methods: string[]) => {
      if (!methods.includes(method)) throw new HttpError(405, "MethodNotAllowed", `${method} ${url.pathname}: use ${methods.join(" or ")}`);
    };
    switch (resource) {
      case "clock":
        if (sub === "advance") {
          allow("POST");
          const body = (await readJson(req)) as { by?: unknown } | undefined;
          const by = body?.by;
          if (typeof by !== "number" && typeof by !== "string")
            throw new HttpError(400, "InvalidBody", 'body must be {"by": "25h"} or {"by": milliseconds}');
          try {
            target.clock.advance(by);
          } catch (err) {
            throw new HttpError(400, "InvalidBody", (err as Error).message);
          }
          return { status: 200, body: clockView(target.clock) };
        }
        allow("GET");
        return { status: 200, body: clockView(target.clock) };
      case "faults":
        if (method === "GET" && !sub) return { status: 200, body: target.faults.list() };
        if (method === "POST" && !sub) {
          try {
            return { status: 201, body: { id: target.faults.add((await readJson(req)) as Parameters<Faults["add"]>[0]) } };
          } catch (err) {
            if (err instanceof HttpError) throw err;
            throw new HttpError(400, "InvalidFault", (err as Error).message);
          }
        }
        allow("GET", "POST", "DELETE");
        if (sub && !target.faults.list().some((f) => f.id === sub)) throw new HttpError(404, "NotFound", `no fault '${sub}'`);
        target.faults.clear(sub);
        return { status: 204 };
      case "log":
        if (method === "DELETE") {
          target.log.clear();
          return { status: 204 };
        }
        allow("GET", "DELETE");
        {
          let entries;
          try {
            entries = target.log.filter(logFilter(url.searchParams));
          } catch (err) {
            throw new HttpError(400, "InvalidQuery", (err as Error).message);
          }
          return { status: 200, body: { count: entries.length, entries, refusedEgress: target.log.refusedEgress } };
        }
      case "state":
        allow("GET");
        return { status: 200, body: redactedState(target.state) };
      case "stop":
        allow("POST");
        setImmediate(opts.onStop);
        return { status: 202, body: { stopping: true } };
      default:
        throw new HttpError(404, "NotFound", `no route ${url.pathname}`);
    }
  }

  const server = http.createServer((req, res) => {
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json; charset=utf-8" });
      res.end(body === undefined ? undefined : `${JSON.stringify(body)}\n`);
    };
    if (!authorized(req.headers.authorization))
      return send(401, { error: { code: "Unauthorized", message: "Authorization: Bearer $AAG_SANDBOX_CONTROL_TOKEN required" } });
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    route((req.method ?? "GET").toUpperCase(), url, req).then(
      (r) => send(r.status, r.body),
      (err: unknown) =>
        err instanceof HttpError
          ? send(err.status, { error: { code: err.code, message: err.message } })
          : send(500, { error: { code: "InternalError", message: String(err) } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
