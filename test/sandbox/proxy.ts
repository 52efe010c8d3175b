/**
 * The sandbox's guarding egress proxy (HTTPS_PROXY of every child process it configures): a loopback
 * CONNECT proxy that
 *   - tunnels `login.microsoftonline.com:443` to the sandbox's Entra ID (Python MSAL always asks it for
 *     instance discovery; the sandbox certificate names that host too),
 *   - lets loopback targets (127.0.0.0/8, localhost, ::1) through,
 *   - REFUSES every other host with 403 and records the attempt (`sandbox.log.refusedEgress`), so a
 *     client that tries to reach a real endpoint fails on loopback instead of leaving the machine.
 * Pods reach it through their cluster's egress proxy (network.ts `startEgressProxy`, which gives them
 * the cluster's source address and chains non-loopback targets here).
 */
import http from "node:http";
import type net from "node:net";
import type { RequestLog } from "./log.js";
import { listenOnLoopback, openTunnel } from "./connect-proxy.js";

export const ENTRA_PUBLIC_HOST = "login.microsoftonline.com";

export interface GuardProxy {
  url: string;
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function splitHostPort(authority: string, defaultPort: number): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  return { host: (m?.[1] ?? authority).replace(/^\[|\]$/g, ""), port: m?.[2] ? Number(m[2]) : defaultPort };
}

export async function startGuardProxy(opts: { entraPort: () => number; log: RequestLog }): Promise<GuardProxy> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };

  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("absolute-form request expected");
      return;
    }
    const port = Number(target.port || (target.protocol === "https:" ? 443 : 80));
    if (!isLoopbackHost(target.hostname)) {
      opts.log.refuse({ host: target.hostname, port, method: req.method ?? "GET", at: Date.now() });
      res.writeHead(403, { "content-type": "text/plain" }).end(`egress to ${target.host} refused by the sandbox`);
      return;
    }
    const forward = http.request(
      { host: target.hostname, port, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end("upstream unreachable")));
    req.pipe(forward);
  });

  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    client.on("error", () => client.destroy());
    const { host, port } = splitHostPort(req.url ?? "", 443);
    const refuse = (status: string) => client.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    let upstreamHost: string;
    let upstreamPort: number;
    if (host.toLowerCase() === ENTRA_PUBLIC_HOST && port === 443) [upstreamHost, upstreamPort] = ["127.0.0.1", opts.entraPort()];
    else if (isLoopbackHost(host)) [upstreamHost, upstreamPort] = [host === "localhost" ? "127.0.0.1" : host, port];
    else {
      opts.log.refuse({ host, port, method: "CONNECT", at: Date.now() });
      refuse("403 Forbidden");
      return;
    }
    track(openTunnel(client, head, { upstream: { host: upstreamHost, port: upstreamPort }, unreachable: () => refuse("502 Bad Gateway") }));
  });

  return listenOnLoopback(server, sockets);
}
