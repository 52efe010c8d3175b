/**
 * The guarding egress proxy: login.microsoftonline.com is tunnelled to the sandbox's Entra ID (Python
 * MSAL's instance discovery), loopback passes, every other host is refused and logged; and a real
 * DefaultAzureCredential chain in a child process with the sandbox's env stays on loopback.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { strippedPath } from "../sandbox/pods.js";

let sb: Sandbox;
let home: string;
beforeAll(async () => {
  sb = await startSandbox("seed-000-outage", { azurite: false });
  home = mkdtempSync(path.join(tmpdir(), "egress-home-"));
});
afterAll(async () => {
  await sb?.stop();
  rmSync(home, { recursive: true, force: true });
});

function connect(target: string): Promise<{ status: number; socket: Socket }> {
  const proxy = new URL(sb.urls.proxy);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: proxy.hostname, port: proxy.port, method: "CONNECT", path: target });
    req.on("connect", (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on("error", reject);
    req.end();
  });
}

/** Runs a small ES module with the sandbox env on a PATH without az/azd/pwsh; returns its stdout. */
function runNode(source: string, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", source], {
      cwd: process.cwd(),
      env: { PATH: strippedPath(), HOME: home, ...sb.env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("guard proxy", () => {
  it("refuses a non-loopback host with 403 and logs the attempt", async () => {
    const { status, socket } = await connect("management.azure.com:443");
    socket.destroy();
    expect(status).toBe(403);
    expect(sb.log.refusedEgress).toContainEqual(expect.objectContaining({ host: "management.azure.com", port: 443, method: "CONNECT" }));
  });

  it("tunnels login.microsoftonline.com:443 to the sandbox's Entra ID (its certificate names that host)", async () => {
    const { status, socket } = await connect("login.microsoftonline.com:443");
    expect(status).toBe(200);
    const body = await new Promise<string>((resolve, reject) => {
      const secure = tls.connect({ socket, servername: "login.microsoftonline.com", ca: sb.tls.certPem }, () => {
        secure.write(
          `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${sb.urls.authorityHost}/${sb.state.tenantId}/oauth2/v2.0/authorize`)} HTTP/1.1\r\nHost: login.microsoftonline.com\r\nConnection: close\r\n\r\n`,
        );
      });
      let raw = "";
      secure.on("data", (c: Buffer) => (raw += c.toString()));
      secure.on("end", () => resolve(raw));
      secure.on("error", reject);
    });
    expect(body).toMatch(/^HTTP\/1\.1 200/);
    expect(body).toContain(
      `"tenant_discovery_endpoint":"${sb.urls.authorityHost}/${sb.state.tenantId}/v2.0/.well-known/openid-configuration"`,
    );
  });

  it("lets loopback targets through", async () => {
    const imds = new URL(sb.urls.imds);
    const { status, socket } = await connect(`127.0.0.1:${imds.port}`);
    socket.destroy();
    expect(status).toBe(200);
  });
});

describe("a child process with the sandbox env", () => {
  it("a would-be leak (fetch to a public host) is refused on loopback and logged", async () => {
    const before = sb.log.refusedEgress.length;
    const { out } = await runNode(
      `try { await fetch("https://example.com/"); console.log("LEAKED"); } catch (e) { console.log("refused:", e.cause?.message ?? e.message); }`,
    );
    expect(out).not.toContain("LEAKED");
    expect(sb.log.refusedEgress.slice(before)).toContainEqual(expect.objectContaining({ host: "example.com" }));
  });

  it("DefaultAzureCredential with leftover AZURE_TENANT_ID/AZURE_CLIENT_ID fails the seed-000 way (IMDS: Identity not found) and never leaves loopback", async () => {
    const before = { refused: sb.log.refusedEgress.length, imds: sb.log.count({ service: "imds" }) };
    const leftover = sb.app("legacy-django-sp").appId;
    const { out } = await runNode(
      `import { DefaultAzureCredential } from "@azure/identity";
       try { await new DefaultAzureCredential().getToken("https://vault.azure.net/.default"); console.log("TOKEN"); }
       catch (e) { console.log(e.name + ": " + e.message); }`,
      { AZURE_CLIENT_ID: leftover, AZURE_TENANT_ID: sb.state.tenantId },
    );
    // The JS SDK's wording of the chain failure (Python's is "DefaultAzureCredential failed to retrieve a token…").
    expect(out).toContain("AggregateAuthenticationError: ChainedTokenCredential authentication failed.");
    expect(out).toContain("EnvironmentCredential is unavailable");
    expect(out).toMatch(/ManagedIdentityCredential: Authentication failed\. .*Identity not found/);
    expect(out).toContain("Azure CLI could not be found");
    expect(out).not.toContain("TOKEN");
    expect(sb.log.count({ service: "imds" })).toBeGreaterThan(before.imds);
    expect(
      sb.log
        .filter({ service: "imds" })
        .slice(before.imds)
        .some((e) => e.query.includes(`client_id=${leftover}`)),
    ).toBe(true);
    expect(sb.log.refusedEgress.length).toBe(before.refused);
  });
});
