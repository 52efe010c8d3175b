/** azure-auth-gate.yml: strict schema, errors naming file, line and field path; cloud profile resolution. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfigText } from "../../shared/config/load.js";
import { InputError } from "../../shared/errors.js";

const SUB = "11111111-1111-1111-1111-111111111111";
const GOOD = `
cloud: AzureCloud
subscriptions: [${SUB}]
cluster: { subscription: ${SUB}, resourceGroup: rg-aks, name: aks-prod }
targets:
  - workload: production/Deployment/backend
    blob:
      - { account: stmedia, container: media, access: write }
    keyVault:
      - { vault: kv-app, secrets: [django-secret-key] }
`;

function errorOf(text: string, file = "azure-auth-gate.yml"): InputError {
  try {
    parseConfigText(text, file, tmpdir());
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("config schema", () => {
  it("accepts a good file and fills the documented defaults", () => {
    const { config, profile } = parseConfigText(GOOD, "azure-auth-gate.yml");
    expect(profile.name).toBe("AzureCloud");
    expect(config.failOpen).toBe(false);
    expect(config.concurrency).toBe(8);
    expect(config.probe).toEqual({ timeoutSeconds: 120 });
    expect(config.targets[0]?.keyVault[0]?.access).toBe("get");
    expect(config.targets[0]?.blob[0]?.access).toBe("write");
  });

  it("names an unknown key with its full path and line", () => {
    const err = errorOf(GOOD.replace("access: write", "access: write, acess: read"));
    expect(err.oneLine()).toBe("azure-auth-gate.yml:8: targets[0].blob[0].acess: unknown key 'acess'");
  });

  it("names a misspelled key, and the required key it stands for, instead of a 'missing' error on the right name", () => {
    const err = errorOf(GOOD.replace("container: media", "contianer: media"));
    expect(err.oneLine()).toBe(
      "azure-auth-gate.yml:8: targets[0].blob[0].contianer: unknown key 'contianer'; this entry lacks 'container': misspelled?",
    );
  });

  it("says in words what a value must be, where zod's own wording would show", () => {
    expect(errorOf(`${GOOD}concurrency: 100\n`).oneLine()).toBe("azure-auth-gate.yml:11: concurrency: must be at most 64");
    expect(errorOf(`${GOOD}failOpen: maybe\n`).oneLine()).toBe(
      'azure-auth-gate.yml:11: failOpen: must be true or false, not a string ("maybe")',
    );
    // A long value may be a secret pasted into the wrong key: its length, never its text.
    const pasted = "Abc8Q~" + "x".repeat(34);
    const long = errorOf(`${GOOD}failOpen: "${pasted}"\n`).oneLine();
    expect(long).toBe("azure-auth-gate.yml:11: failOpen: must be true or false, not a string of 40 characters");
    expect(long).not.toContain(pasted);
    expect(errorOf(GOOD.replace("access: write", "access: reed")).oneLine()).toBe(
      'azure-auth-gate.yml:8: targets[0].blob[0].access: must be one of "read", "write"',
    );
    expect(errorOf(GOOD.replace("workload: production/Deployment/backend", "workload: 7")).oneLine()).toBe(
      "azure-auth-gate.yml:6: targets[0].workload: must be a string, not a number (7)",
    );
  });

  it("names an unknown top-level key", () => {
    expect(errorOf(`${GOOD}failopen: true\n`).oneLine()).toMatch(/^azure-auth-gate\.yml:11: failopen: unknown key 'failopen'$/);
  });

  it("names a bad enum value by path", () => {
    const err = errorOf(GOOD.replace("access: write", "access: readwrite"));
    expect(err.field).toBe("targets[0].blob[0].access");
    expect(err.line).toBe(8);
  });

  it("rejects severity overrides for unknown finding ids and waivers without a reason", () => {
    expect(errorOf(`${GOOD}severity: { AG299: info }\n`).field).toBe("severity.AG299");
    expect(errorOf(`${GOOD}waivers: [{ id: AG209 }]\n`).field).toBe("waivers[0].reason");
  });

  it("insists on somewhere to search", () => {
    expect(errorOf("cluster: { issuerUrl: https://oidc.example/x/ }\n").field).toBe("subscriptions");
  });

  it("reports YAML syntax errors with a line", () => {
    const err = errorOf("targets:\n  - workload: a/b/c\n   bad: [\n");
    expect(err.message).toMatch(/^not valid YAML/);
    expect(err.file).toBe("azure-auth-gate.yml");
    expect(err.line).toBe(3);
    // Each kind of syntax error a hand-edited config meets, on the line it is on.
    expect(errorOf("subscriptions: []\ntargets: [\n  - workload: a/b/c\nconcurrency: 4\n").line).toBe(3);
    expect(errorOf("subscriptions: []\ntargets:\n\t- workload: a/b/c\n").line).toBe(3);
    expect(errorOf("subscriptions: []\nconcurrency: 4\nconcurrency: 8\n").line).toBe(3);
  });

  it("resolves a cloud profile file relative to the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "aag-config-"));
    writeFileSync(
      join(dir, "sandbox.json"),
      JSON.stringify({
        name: "Sandbox",
        authorityHost: "https://127.0.0.1:1",
        resourceManagerEndpoint: "https://127.0.0.1:2",
        resourceManagerAudience: "https://management.azure.com",
        graphEndpoint: "https://127.0.0.1:3",
        graphAudience: "https://graph.microsoft.com",
        keyVaultUrlTemplate: "https://127.0.0.1:4/{name}",
        keyVaultAudience: "https://vault.azure.net",
        blobUrlTemplate: "https://127.0.0.1:5/{account}",
        queueUrlTemplate: "https://127.0.0.1:6/{account}",
        storageAudience: "https://storage.azure.com",
        tokenExchangeAudience: "api://AzureADTokenExchange",
      }),
    );
    writeFileSync(join(dir, "azure-auth-gate.yml"), GOOD.replace("cloud: AzureCloud", "cloud: ./sandbox.json"));
    // The config comes from the repository: its profile file counts only on the user's say-so.
    expect(() => loadConfig(join(dir, "azure-auth-gate.yml"))).toThrow(
      /^cloud '\.\/sandbox\.json' is a custom cloud profile: .*pass --allow-custom-cloud \(CLI\)/,
    );
    const { profile } = loadConfig(join(dir, "azure-auth-gate.yml"), { allowCustomCloud: true });
    expect(profile.name).toBe("Sandbox");
    expect(profile.disableInstanceDiscovery).toBe(true);
    writeFileSync(join(dir, "broken.yml"), GOOD.replace("cloud: AzureCloud", "cloud: ./missing.json"));
    expect(() => loadConfig(join(dir, "broken.yml"), { allowCustomCloud: true })).toThrow(
      /cloud '\.\/missing\.json': cannot read cloud profile/,
    );
  });

  it("says when the config file does not exist", () => {
    expect(() => loadConfig("/nonexistent/azure-auth-gate.yml")).toThrow("config file not found");
  });
});
