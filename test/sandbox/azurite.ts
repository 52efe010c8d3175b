/**
 * Starts the real Azurite (npm `azurite`) Blob and Queue services for the sandbox: HTTPS with the
 * sandbox certificate, `--oauth basic` (Azurite checks a bearer's aud/iss/nbf/exp but not its
 * signature and does no RBAC — the blob proxy in front does that), in memory, port 0 on 127.0.0.1,
 * telemetry off (it would otherwise phone home). Every scenario storage account exists in Azurite
 * through AZURITE_ACCOUNTS, with a key derived from the account name (so it is stable across runs).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TenantState } from "./state.js";

export interface AzuriteOptions {
  certPath: string;
  keyPath: string;
  /** Storage account names to create. */
  accounts: string[];
  /** Give up if a service has not announced its port by then (default 45 s: 8 test runs may share 2 cores). */
  startTimeoutMs?: number;
}

export interface Azurite {
  /** https://127.0.0.1:PORT — an account's blob endpoint is `${blobUrl}/${account}` (path-style). */
  blobUrl: string;
  queueUrl: string;
  /** PEM of the certificate Azurite serves (to trust it when forwarding). */
  ca: string;
  /** Shared key of an account (base64), as Azurite knows it. */
  accountKey(account: string): string;
  stop(): Promise<void>;
}

/** Deterministic 64-byte account key, base64 (the format AZURITE_ACCOUNTS and SharedKey need). */
export function storageAccountKey(account: string): string {
  return createHash("sha512").update(`sandbox-storage-account-key\0${account}`).digest("base64");
}

function azuriteScript(service: "blob" | "queue"): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("azurite/package.json");
  return path.join(path.dirname(pkg), "dist", "src", service, "main.js");
}

const EXIT_WITH_PARENT = path.join(path.dirname(fileURLToPath(import.meta.url)), "exit-with-parent.mjs");

interface Started {
  child: ChildProcess;
  url: string;
}

/** `location` is only the working directory: Azurite refuses --location with --inMemoryPersistence. */
function startService(service: "blob" | "queue", opts: AzuriteOptions, location: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const hostFlag = service === "blob" ? "--blobHost" : "--queueHost";
  const portFlag = service === "blob" ? "--blobPort" : "--queuePort";
  const args = [
    "--import",
    EXIT_WITH_PARENT,
    azuriteScript(service),
    hostFlag,
    "127.0.0.1",
    portFlag,
    "0",
    "--cert",
    opts.certPath,
    "--key",
    opts.keyPath,
    "--oauth",
    "basic",
    "--inMemoryPersistence",
    "--disableTelemetry",
    "--skipApiVersionCheck",
    "--disableProductStyleUrl",
    "--silent",
  ];
  // stdin is a pipe only so that Azurite notices when the sandbox dies (exit-with-parent.mjs).
  const child = spawn(process.execPath, args, { cwd: location, env, stdio: ["pipe", "pipe", "pipe"] });
  return new Promise<Started>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Azurite ${service} did not start within ${opts.startTimeoutMs ?? 45_000} ms: ${output.slice(-500)}`));
    }, opts.startTimeoutMs ?? 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /successfully listens on (https:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, url: m[1] });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite ${service} exited with code ${code}: ${output.slice(-500)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function startAzurite(opts: AzuriteOptions): Promise<Azurite> {
  const location = await mkdtemp(path.join(tmpdir(), "sandbox-azurite-"));
  const accounts = [...new Set(opts.accounts)];
  // Azurite's own environment: only what it needs (no proxies, no Azure credentials of the parent).
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: location, NODE_ENV: "production" };
  if (accounts.length > 0) env.AZURITE_ACCOUNTS = accounts.map((a) => `${a}:${storageAccountKey(a)}`).join(";");

  const results = await Promise.allSettled([startService("blob", opts, location, env), startService("queue", opts, location, env)]);
  const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all(started.map((s) => stopChild(s.child)));
    await rm(location, { recursive: true, force: true });
    throw failed.reason;
  }
  const [blob, queue] = started as [Started, Started];
  const ca = await readFile(opts.certPath, "utf8");
  return {
    blobUrl: blob.url,
    queueUrl: queue.url,
    ca,
    accountKey: (account) => storageAccountKey(account),
    stop: async () => {
      await Promise.all([stopChild(blob.child), stopChild(queue.child)]);
      await rm(location, { recursive: true, force: true });
    },
  };
}

/** An unsigned token Azurite `--oauth basic` accepts (it checks only aud, iss, iat/nbf/exp). For seeding only. */
function seedingToken(tenantId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ typ: "JWT", alg: "none" })}.${part({ aud: "https://storage.azure.com", iss: `https://sts.windows.net/${tenantId}/`, iat: now - 60, nbf: now - 60, exp: now + 600, oid: "sandbox-seeder" })}.`;
}

function azuriteRequest(
  azurite: Azurite,
  token: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<number> {
  const url = new URL(azurite.blobUrl);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: url.hostname,
        port: Number(url.port),
        method,
        path,
        ca: azurite.ca,
        headers: {
          authorization: `Bearer ${token}`,
          "x-ms-version": "2025-01-05",
          "x-ms-date": new Date().toUTCString(),
          "content-length": String(body?.length ?? 0),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Creates every scenario container and blob in Azurite (straight to Azurite, not through the
 * authorizing proxy: this is the tenant's initial content, not a caller's request).
 */
export async function seedAzurite(azurite: Azurite, state: TenantState): Promise<void> {
  const token = seedingToken(state.tenantId);
  const enc = (s: string) => s.split("/").map(encodeURIComponent).join("/");
  for (const account of state.storageAccounts) {
    const containers = new Set(account.containers);
    for (const key of Object.keys(account.blobs ?? {})) containers.add(key.split("/")[0] ?? "");
    for (const container of containers) {
      if (!container) continue;
      const status = await azuriteRequest(azurite, token, "PUT", `/${account.name}/${enc(container)}?restype=container`, {});
      if (status !== 201 && status !== 409)
        throw new Error(`Azurite refused to create container ${account.name}/${container}: HTTP ${status}`);
    }
    for (const [key, content] of Object.entries(account.blobs ?? {})) {
      const status = await azuriteRequest(
        azurite,
        token,
        "PUT",
        `/${account.name}/${enc(key)}`,
        { "x-ms-blob-type": "BlockBlob", "content-type": "text/plain; charset=utf-8" },
        Buffer.from(content),
      );
      if (status !== 201) throw new Error(`Azurite refused to create blob ${account.name}/${key}: HTTP ${status}`);
    }
  }
}
