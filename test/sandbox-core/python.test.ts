/**
 * Contract tests with the REAL Azure SDK for Python (Debian's python3-azure: azure-identity 1.13,
 * MSAL 1.21): test/sandbox/pods/django_app.py runs as a pod of the scenario's Deployment (Job), so
 * MSAL's hard-coded instance discovery goes through the cluster's egress proxy and the guard proxy's
 * login.microsoftonline.com tunnel. The correct scenario gets a token, the secret and the blobs; the
 * seed-000 scenario reproduces the outage word for word; nothing is refused on the way out.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { strippedPath } from "../sandbox/pods.js";
import { pythonSdkMissing } from "../sandbox/python-sdk.js";
import { runDeploymentAsJob } from "./jobs.js";

/** ClientSecretCredential is MSAL-based: MSAL asks login.microsoftonline.com about the unknown authority first. */
const SECRET_PROBE = `
import json, os, sys
from azure.identity import ClientSecretCredential
from azure.core.exceptions import ClientAuthenticationError
cred = ClientSecretCredential(os.environ["AZURE_TENANT_ID"], os.environ["PROBE_CLIENT_ID"], os.environ["PROBE_SECRET"], authority=os.environ["AZURE_AUTHORITY_HOST"])
try:
    cred.get_token("https://storage.azure.com/.default")
    print(json.dumps({"ok": True}))
except ClientAuthenticationError as exc:
    print(json.dumps({"ok": False, "message": str(exc)}))
`;

function runPython(sb: Sandbox, source: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  const home = mkdtempSync(path.join(tmpdir(), "py-home-"));
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/python3", ["-c", source], {
      env: { PATH: strippedPath(), HOME: home, ...sb.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", () => {
      rmSync(home, { recursive: true, force: true });
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "") as Record<string, unknown>);
      } catch {
        reject(new Error(`python printed no JSON:\n${out}`));
      }
    });
  });
}

const missing = pythonSdkMissing();

describe.skipIf(missing !== undefined)("the real Python SDK in a pod", () => {
  let good: Sandbox;
  let outage: Sandbox;
  beforeAll(async () => {
    [good, outage] = await Promise.all([startSandbox("workload-identity"), startSandbox("seed-000-outage")]);
  });
  afterAll(async () => {
    await Promise.all([good?.stop(), outage?.stop()]);
  });

  it("correct Workload Identity: token, Key Vault secret and blob listing succeed", async () => {
    const run = await runDeploymentAsJob(good, { cluster: "aks-prod", namespace: "app", deployment: "backend", job: "django-migrate" });
    expect(run.out).toMatchObject({
      token: { ok: true },
      secrets: { "django-secret-key": { ok: true, length: 36 } },
      blob: { ok: true, count: 1 },
    });
    expect(run.succeeded).toBe(true);
    expect(run.log).not.toContain("sandbox-django-secret-key-value-0001");
    // azure-identity 1.13 exchanges the federated token with its own AAD client (no MSAL, no discovery).
    expect(good.log.count({ service: "entra", path: `/${good.state.tenantId}/oauth2/v2.0/token`, status: 200 })).toBeGreaterThan(0);
    expect(good.log.refusedEgress).toEqual([]);
  }, 90_000);

  it("seed 000: DefaultAzureCredential fails with the chain the field report shows, via IMDS 'Identity not found'", async () => {
    const run = await runDeploymentAsJob(outage, { cluster: "aks-prod", namespace: "app", deployment: "backend", job: "django-migrate" });
    expect(run.succeeded).toBe(false);
    const message = (run.out.token as { ok: boolean; message: string }).message;
    expect(run.out.token).toMatchObject({ ok: false });
    expect(message).toContain("DefaultAzureCredential failed to retrieve a token from the included credentials.");
    expect(message).toMatch(
      /EnvironmentCredential: EnvironmentCredential authentication unavailable\. Environment variables are not fully configured\./,
    );
    expect(message).toMatch(/ManagedIdentityCredential: .*requested identity has not been assigned to this resource/);
    const leftover = outage.app("legacy-django-sp").appId;
    expect(outage.log.filter({ service: "imds" }).some((e) => e.status === 400 && e.query.includes(`client_id=${leftover}`))).toBe(true);
    expect(outage.log.count({ service: "keyvault" })).toBe(0);
    expect(outage.log.refusedEgress).toEqual([]);
  }, 90_000);

  it("MSAL for Python reaches the sandbox's Entra ID through the login.microsoftonline.com tunnel: live secret works, expired one gets AADSTS7000222", async () => {
    const sb = await startSandbox("app-expiring-secret", { azurite: false });
    try {
      const app = sb.app("reporting-sp");
      const ok = await runPython(sb, SECRET_PROBE, {
        PROBE_CLIENT_ID: app.appId,
        PROBE_SECRET: "rpt8Q~current-secret-value-for-sandbox-000000",
      });
      expect(ok).toEqual({ ok: true });
      expect(sb.log.count({ service: "entra", path: "/common/discovery/instance", status: 200 })).toBeGreaterThan(0);
      const expired = await runPython(sb, SECRET_PROBE, {
        PROBE_CLIENT_ID: app.appId,
        PROBE_SECRET: "rpt8Q~previous-secret-value-for-sandbox-00000",
      });
      expect(expired.ok).toBe(false);
      expect(expired.message).toContain("AADSTS7000222");
      expect(String(expired.message)).not.toContain("rpt8Q~previous");
      expect(sb.log.refusedEgress).toEqual([]);
    } finally {
      await sb.stop();
    }
  }, 90_000);
});
