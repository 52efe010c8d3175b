/**
 * A small harness for the control-plane services: serves one Handler over HTTPS on 127.0.0.1 with a
 * throw-away certificate (trusted in this test process through tls.setDefaultCACertificates, so the
 * real SDK clients and `fetch` accept it) and mints access tokens the way the sandbox's Entra ID does
 * (RS256 JWTs signed with the tenant key, `roles` for Graph application permissions).
 */
import { execFileSync } from "node:child_process";
import { createSign, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { AccessTokenClaims, Handler, SandboxRequest, SandboxUrls, ServiceContext } from "../sandbox/contract.js";
import type { SigningKey, TenantState } from "../sandbox/state.js";
import { verifyAccessToken } from "../sandbox/tokens.js";

let cert: { cert: string; key: string; dir: string } | undefined;

export function tlsMaterial(): { cert: string; key: string; dir: string } {
  if (cert) return cert;
  const dir = mkdtempSync(path.join(tmpdir(), "sandbox-control-tls-"));
  const certPath = path.join(dir, "cert.pem");
  const keyPath = path.join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], {
    stdio: "ignore",
  });
  cert = { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8"), dir };
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), cert.cert]);
  return cert;
}

export function newSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

export function signJwt(key: SigningKey, payload: object): string {
  const head = `${b64({ typ: "JWT", alg: "RS256", kid: key.kid })}.${b64(payload)}`;
  return `${head}.${createSign("RSA-SHA256").update(head).sign(key.privateKey).toString("base64url")}`;
}

export interface TokenSpec {
  oid: string;
  aud: string;
  appid?: string;
  roles?: string[];
  expiresIn?: number;
}

export function mintToken(state: TenantState, t: TokenSpec): string {
  const now = Math.floor(Date.now() / 1000);
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
    ...(t.roles ? { roles: t.roles } : {}),
  };
  return signJwt(state.entraSigningKey, claims);
}

/** A TokenCredential handing out sandbox tokens for whatever scope the SDK asks; records the scopes. */
export function credentialFor(state: TenantState, oid: string, appid?: string): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(requested: string | string[]): Promise<AccessToken> {
      const scope = Array.isArray(requested) ? (requested[0] ?? "") : requested;
      scopes.push(scope);
      const token = mintToken(state, { oid, aud: scope.replace(/\/?\.default$/, ""), ...(appid ? { appid } : {}) });
      return { token, expiresOnTimestamp: Date.now() + 3_000_000 };
    },
  };
}

export function contextFor(state: TenantState, urls: Partial<SandboxUrls>): ServiceContext {
  const none = "https://127.0.0.1:9";
  const all: SandboxUrls = {
    authorityHost: none,
    arm: none,
    graph: none,
    keyVault: none,
    blob: none,
    queue: none,
    kubernetes: none,
    issuers: none,
    imds: "http://127.0.0.1:9",
    github: "http://127.0.0.1:9",
    actions: "http://127.0.0.1:9",
    proxy: "http://127.0.0.1:9",
    ...urls,
  };
  const material = tlsMaterial();
  return {
    state,
    urls: all,
    now: () => Date.now(),
    // The sandbox's own verifier (tokens.ts): signature by the tenant key, issuer, audience, lifetime.
    verifyAccessToken: (token, audiences) => verifyAccessToken(state, token, audiences, Date.now()),
    tls: { certFile: path.join(material.dir, "cert.pem"), keyFile: path.join(material.dir, "key.pem"), certPem: material.cert, keyPem: material.key },
    workDir: material.dir,
  };
}

export interface Served {
  url: string;
  log: { method: string; url: string; status: number }[];
  close(): Promise<void>;
}

/** Serves the handler built from the server's own URL (services need it for nextLinks), like the sandbox framework. */
export async function serve(makeHandler: (url: string) => Handler): Promise<Served> {
  const { cert: certPem, key } = tlsMaterial();
  // The handler needs the server's URL (for nextLinks), so it is built once the server listens.
  const holder: { handler?: Handler } = {};
  const log: Served["log"] = [];
  const server = https.createServer({ cert: certPem, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const url = new URL(`https://host${req.url ?? "/"}`);
        let json: unknown;
        if (body.length > 0) {
          try {
            json = JSON.parse(body.toString("utf8"));
          } catch {
            res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"code":"InvalidRequestContent","message":"malformed JSON"}}');
            return;
          }
        }
        const auth = req.headers.authorization;
        const sreq: SandboxRequest = {
          method: req.method ?? "GET",
          url,
          path: url.pathname.replace(/\/{2,}/g, "/"),
          query: url.searchParams,
          headers: req.headers,
          body,
          json,
          bearer: auth?.startsWith("Bearer ") ? auth.slice(7) : undefined,
          remoteAddress: req.socket.remoteAddress ?? "",
        };
        try {
          const out = await holder.handler!(sreq);
          const headers: Record<string, string> = { ...(out.headers ?? {}) };
          let payload: Buffer | undefined;
          if (Buffer.isBuffer(out.body)) payload = out.body;
          else if (typeof out.body === "string") payload = Buffer.from(out.body);
          else if (out.body !== undefined) {
            payload = Buffer.from(JSON.stringify(out.body));
            headers["content-type"] ??= "application/json; charset=utf-8";
          }
          headers["content-length"] = String(payload?.length ?? 0);
          log.push({ method: sreq.method, url: req.url ?? "", status: out.status });
          res.writeHead(out.status, headers).end(payload);
        } catch (err) {
          log.push({ method: sreq.method, url: req.url ?? "", status: 500 });
          res.writeHead(500, { "content-type": "text/plain" }).end(String(err));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  holder.handler = makeHandler(url);
  return {
    url,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
