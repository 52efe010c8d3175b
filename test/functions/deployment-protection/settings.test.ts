/**
 * The protection rule's App Settings: defaults, and each bad or missing setting as one InputError
 * naming it (the HTTP function then answers 500 "misconfigured" and logs that line, no stack trace).
 */
import { HttpRequest, InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { makeProtectionHandlers } from "../../../functions/deployment-protection/handlers.js";
import { createProtectionRuntime } from "../../../functions/deployment-protection/runtime.js";
import { readProtectionSettings } from "../../../functions/deployment-protection/settings.js";
import { InputError } from "../../../shared/errors.js";

const BASE = { AAG_GITHUB_APP_ID: "123456", AAG_GITHUB_KEY_VAULT: "kv-platform", AAG_STORAGE_ACCOUNT: "aagstate" };

function problem(env: Record<string, string>): string {
  try {
    readProtectionSettings(env);
  } catch (err) {
    if (err instanceof InputError) return err.oneLine();
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("protection settings", () => {
  it("defaults", () => {
    expect(readProtectionSettings(BASE)).toMatchObject({
      appId: "123456",
      keyVault: "kv-platform",
      webhookSecretName: "github-webhook-secret",
      privateKeyName: "github-app-private-key",
      githubApiUrl: "https://api.github.com",
      configPath: "azure-auth-gate.yml",
      cloud: "AzureCloud",
      storage: { account: "aagstate" },
      stateContainer: "azure-auth-gate",
    });
    expect(readProtectionSettings(BASE)).not.toHaveProperty("probeKubeconfig");
  });

  it("names the setting that is wrong", () => {
    expect(problem({ ...BASE, AAG_GITHUB_APP_ID: "" })).toMatch(/^AAG_GITHUB_APP_ID: /);
    expect(problem({ ...BASE, AAG_GITHUB_APP_ID: "my-app" })).toMatch(/^AAG_GITHUB_APP_ID: /);
    expect(problem({ ...BASE, AAG_GITHUB_KEY_VAULT: "" })).toMatch(/^AAG_GITHUB_KEY_VAULT: /);
    expect(problem({ ...BASE, AAG_GITHUB_API_URL: "http://github.example" })).toBe("AAG_GITHUB_API_URL: must be an https:// URL");
    expect(problem({ ...BASE, AAG_PROTECTION_CONFIG: "../other/azure-auth-gate.yml" })).toMatch(/^AAG_PROTECTION_CONFIG: /);
    expect(problem({ ...BASE, AAG_GITHUB_WEBHOOK_SECRET_NAME: "has spaces" })).toMatch(/^AAG_GITHUB_WEBHOOK_SECRET_NAME: /);
    expect(problem({ ...BASE, AAG_PROTECTION_TENANT_ID: "contoso" })).toBe("AAG_PROTECTION_TENANT_ID: must be a GUID");
    expect(problem({ AAG_GITHUB_APP_ID: "1", AAG_GITHUB_KEY_VAULT: "kv" })).toMatch(/^AAG_STORAGE_ACCOUNT: /);
  });

  it("a misconfigured app answers the webhook 500 and logs the one line", async () => {
    const logs: string[] = [];
    const handlers = makeProtectionHandlers(() => createProtectionRuntime({ env: { ...BASE, AAG_GITHUB_APP_ID: "" } }));
    const context = new InvocationContext({
      functionName: "deploymentProtection",
      logHandler: (level, ...args) => logs.push(`${level}: ${args.join(" ")}`),
    });
    const res = await handlers.deploymentProtection(
      new HttpRequest({ method: "POST", url: "https://x/api/github/deployment-protection", body: { string: "{}" } }),
      context,
    );
    expect(res.status).toBe(500);
    expect(logs.join("\n")).toMatch(/AAG_GITHUB_APP_ID: set it to the GitHub App's numeric App ID/);
    expect(logs.join("\n")).not.toMatch(/\n\s+at /);
  });

  it("an unexpected start-up failure is logged through the masked seam: one error line, no token it quotes, no stack", async () => {
    const logs: { level: string; line: string }[] = [];
    // A JWT-shaped credential, as an SDK error might quote a request it failed on.
    const token = ["eyJhbGciOiJSUzI1NiJ9", "eyJzdWIiOiJnaXRodWItYXBwIn0", "c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw"].join(".");
    const handlers = makeProtectionHandlers(() => {
      throw new Error(`could not build the GitHub client: Authorization: Bearer ${token}\n    at createProtectionRuntime (runtime.ts:1:1)`);
    });
    const context = new InvocationContext({
      functionName: "deploymentProtection",
      logHandler: (level, ...args) => logs.push({ level, line: args.join(" ") }),
    });
    const res = await handlers.deploymentProtection(
      new HttpRequest({ method: "POST", url: "https://x/api/github/deployment-protection", body: { string: "{}" } }),
      context,
    );
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.jsonBody)).not.toContain(token);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.level).toBe("error");
    expect(logs[0]!.line).toMatch(/^deployment protection is misconfigured: could not build the GitHub client: Authorization: Bearer /);
    expect(logs[0]!.line).not.toContain(token);
    expect(logs[0]!.line).not.toMatch(/\bat createProtectionRuntime/);
  });
});
