/**
 * A small local harness for the data-plane services: serves a Handler over HTTPS on 127.0.0.1 with a
 * throw-away certificate (trusted in this process via tls.setDefaultCACertificates), and mints access
 * tokens the way the sandbox's Entra ID does (RS256 with the tenant's signing key), so the REAL SDK
 * clients can be pointed at one service at a time without the whole sandbox.
 */
import { execFileSync } from "node:child_process";
import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { AccessTokenClaims, Handler, SandboxRequest, SandboxUrls, ServiceContext } from "../sandbox/contract.js";
import type { SigningKey, TenantState } from "../sandbox/state.js";
import { verifyAccessToken } from "../sandbox/tokens.js";

export interface TlsMaterial {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

let material: TlsMaterial | undefined;

/**
 * One self-signed certificate for 127.0.0.1 and localhost, shared by the test processes through a fixed
 * directory (created atomically by whichever process comes first, renewed after a day), and trusted by
 * this process. A fixed place, because vitest's forks are killed without running exit handlers.
 */
export function tlsMaterial(): TlsMaterial {
  if (material) return material;
  const dir = path.join(tmpdir(), "sandbox-data-tls");
  const certPath = path.join(dir, "cert.pem");
  const keyPath = path.join(dir, "key.pem");
  const fresh = existsSync(keyPath) && existsSync(certPath) && Date.now() - statSync(certPath).mtimeMs < 86_400_000;
  if (!fresh) {
    const work = mkdtempSync(path.join(tmpdir(), "sandbox-data-tls-new-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(work, "key.pem"), "-out", path.join(work, "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(work, dir);
    } catch {
      rmSync(work, { recursive: true, force: true }); // another process won the race: use its pair
    }
  }
  material = { certPath, keyPath, cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), material.cert]);
  return material;
}

export function signingKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

export function signJwt(key: SigningKey, payload: object): string {
  const head = `${b64({ typ: "JWT", alg: "RS256", kid: key.kid })}.${b64(payload)}`;
  const signature = createSign("RSA-SHA256").update(head).sign(key.privateKey).toString("base64url");
  return `${head}.${signature}`;
}

export interface TokenFor {
  oid: string;
  appid?: string;
  aud: string;
  /** Seconds from now (negative = already expired). */
  expiresIn?: number;
}

export function mintAccessToken(state: TenantState, t: TokenFor, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const claims: AccessTokenClaims = {
    aud: t.aud,
    iss: `https://sts.windows.net/${state.tenantId}/`,
    tid: state.tenantId,
    oid: t.oid,
    appid: t.appid ?? t.oid,
    sub: t.oid,
    iat: now - 5,
    nbf: now - 5,
    exp: now + (t.expiresIn ?? 3600),
    idtyp: "app",
  };
  return signJwt(state.entraSigningKey, claims);
}

/** A TokenCredential that hands out sandbox tokens for whatever resource the SDK asks for. */
export function credentialFor(state: TenantState, oid: string, opts: { aud?: string; expiresIn?: number } = {}): TokenCredential & { requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    async getToken(scopes: string | string[]): Promise<AccessToken> {
      const scope = Array.isArray(scopes) ? (scopes[0] ?? "") : scopes;
      requests.push(scope);
      const aud = opts.aud ?? scope.replace(/\/?\.default$/, "");
      const token = mintAccessToken(state, { oid, aud, ...(opts.expiresIn !== undefined ? { expiresIn: opts.expiresIn } : {}) });
      return { token, expiresOnTimestamp: Date.now() + 3_000_000 };
    },
  };
}

export function placeholderUrls(overrides: Partial<SandboxUrls> = {}): SandboxUrls {
  const none = "https://127.0.0.1:9";
  return { authorityHost: none, arm: none, graph: none, keyVault: none, blob: none, queue: none, kubernetes: none, issuers: none, imds: "http://127.0.0.1:9", github: "http://127.0.0.1:9", actions: "http://127.0.0.1:9", proxy: "http://127.0.0.1:9", ...overrides };
}

export interface Clock {
  offsetMs: number;
}

export function contextFor(state: TenantState, urls: SandboxUrls, clock: Clock = { offsetMs: 0 }): ServiceContext {
  const now = () => Date.now() + clock.offsetMs;
  const material = tlsMaterial();
  return {
    state,
    urls,
    now,
    // The sandbox's own verifier (tokens.ts): signature by the tenant key, issuer, audience, lifetime.
    verifyAccessToken: (token, audiences) => verifyAccessToken(state, token, audiences, now()),
    tls: { certFile: material.certPath, keyFile: material.keyPath, certPem: material.cert, keyPem: material.key },
    workDir: tmpdir(),
  };
}

export interface Served {
  url: string;
  /** Requests seen (method + path), for asserting what the SDK sent. */
  log: { method: string; url: string; status: number; headers: SandboxRequest["headers"] }[];
  close(): Promise<void>;
}

/** Serves a Handler the way the sandbox framework does (JSON for objects, Buffers/strings as-is). */
export async function serveHandler(handler: () => Handler): Promise<Served & { setHandler(h: Handler): void }> {
  const { cert, key } = tlsMaterial();
  let current: Handler | undefined;
  const log: Served["log"] = [];
  const server = https.createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const url = new URL(`https://host${req.url ?? "/"}`);
      let json: unknown;
      try {
        json = body.length > 0 && /json/.test(String(req.headers["content-type"] ?? "json")) ? JSON.parse(body.toString()) : undefined;
      } catch {
        json = undefined;
      }
      const auth = req.headers.authorization;
      const sreq: SandboxRequest = {
        method: req.method ?? "GET",
        url,
        path: url.pathname.replace(/^\/+/, "/"),
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
        bearer: auth?.startsWith("Bearer ") ? auth.slice(7) : undefined,
        remoteAddress: req.socket.remoteAddress ?? "",
      };
      try {
        const out = await (current ?? handler())(sreq);
        const headers = { ...(out.headers ?? {}) };
        let payload: Buffer | undefined;
        if (Buffer.isBuffer(out.body)) payload = out.body;
        else if (typeof out.body === "string") payload = Buffer.from(out.body);
        else if (out.body !== undefined) {
          payload = Buffer.from(JSON.stringify(out.body));
          headers["content-type"] ??= "application/json; charset=utf-8";
        }
        if (!("content-length" in headers)) headers["content-length"] = String(payload?.length ?? 0);
        log.push({ method: sreq.method, url: req.url ?? "", status: out.status, headers: req.headers });
        res.writeHead(out.status, headers).end(req.method === "HEAD" ? undefined : payload);
      } catch (err) {
        log.push({ method: sreq.method, url: req.url ?? "", status: 500, headers: req.headers });
        res.writeHead(500, { "content-type": "text/plain" }).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    log,
    setHandler: (h) => (current = h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const newId = () => randomUUID();
