/** App settings and the sweep config: bad input is one line naming the setting or field; the mask hides every encoding. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../functions/sweep-settings.js";
import { InputError } from "../../shared/errors.js";
import { SecretMask } from "../../shared/rotation/mask.js";
import { loadSweepConfig } from "../../shared/sweep/sweep-config.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUB = "11111111-1111-1111-1111-111111111111";

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected an InputError");
}

function configFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "aag-sweep-config-")), "sweep.yml");
  writeFileSync(file, text);
  return file;
}

describe("app settings", () => {
  it("defaults the schedule to daily at 03:00 and rotation on schedule to on", () => {
    const s = readSettings({ AAG_SWEEP_CONFIG: "sweep.yml", AAG_STORAGE_ACCOUNT: "aagstate" });
    expect(s).toMatchObject({
      sweepSchedule: "0 0 3 * * *",
      rotateOnSchedule: true,
      stateContainer: "azure-auth-gate",
      storage: { account: "aagstate" },
    });
  });

  it.each([
    [{}, "AAG_SWEEP_CONFIG"],
    [{ AAG_SWEEP_CONFIG: "x" }, "AAG_STORAGE_ACCOUNT"],
    [{ AAG_SWEEP_CONFIG: "x", AAG_STORAGE_ACCOUNT: "Bad_Name" }, "AAG_STORAGE_ACCOUNT"],
    [{ AAG_SWEEP_CONFIG: "x", AzureWebJobsStorage: "UseDevelopmentStorage=true", AAG_SWEEP_SCHEDULE: "0 3 * * *" }, "AAG_SWEEP_SCHEDULE"],
    [{ AAG_SWEEP_CONFIG: "x", AAG_STORAGE_ACCOUNT: "aagstate", AAG_ROTATE_ON_SCHEDULE: "maybe" }, "AAG_ROTATE_ON_SCHEDULE"],
  ])("%j → one line naming %s", (env, field) => {
    const err = inputError(() => readSettings(env));
    expect(err.field).toBe(field);
    expect(err.oneLine()).not.toContain("\n");
  });
});

describe("sweep config", () => {
  it("loads a minimal config with the documented defaults", () => {
    const config = loadSweepConfig(configFile(`tenantId: ${TENANT}\nscopes:\n  - name: production\n    subscriptions: [${SUB}]\n`));
    expect(config.batchSize).toBe(10);
    expect(config.discovery).toEqual({ resourceGraph: true, verifySample: 16, verifyEmptyCap: 64, concurrency: 16 });
    expect(config.rotation).toMatchObject({ expiryWindowDays: 30, overlapHours: 24, optIn: { appIds: [], tags: [], allMapped: false } });
  });

  it.each([
    [`tenantId: ${TENANT}\nscopes: []\n`, "scopes", /at least one scope/],
    [
      `tenantId: ${TENANT}\nscopes:\n  - name: p\n    subscriptions: [${SUB}]\nrotation:\n  optin: {}\n`,
      "rotation.optin",
      /unknown key 'optin'/,
    ],
    [
      `tenantId: ${TENANT}\nscopes:\n  - name: p\n    subscriptions: [${SUB}]\nrotation:\n  keyVault: [{ appId: nope, vault: kv, secret: s }]\n`,
      "rotation.keyVault[0].appId",
      /GUID/,
    ],
    [
      `tenantId: ${TENANT}\nscopes:\n  - name: p\n    subscriptions: [${SUB}]\ngithub: { repository: contoso, token: { vault: kv, secret: t } }\n`,
      "github.repository",
      /owner\/repo/,
    ],
    [
      `tenantId: ${TENANT}\nscopes:\n  - name: p\n    subscriptions: [${SUB}]\ndiscovery: { concurrency: 0 }\n`,
      "discovery.concurrency",
      /^must be at least 1$/,
    ],
    [
      `tenantId: ${TENANT}\nscopes:\n  - name: p\n    subscriptions: [${SUB}]\ndiscovery: { sample: 4 }\n`,
      "discovery.sample",
      /unknown key 'sample'/,
    ],
  ])("names the bad field (%#)", (text, field, message) => {
    const file = configFile(text);
    const err = inputError(() => loadSweepConfig(file));
    expect(err.field).toBe(field);
    expect(err.file).toBe(file);
    expect(err.message).toMatch(message);
  });

  it("a YAML syntax error names its line", () => {
    const file = configFile(`tenantId: ${TENANT}\nscopes:\n\t- name: p\n`);
    const err = inputError(() => loadSweepConfig(file));
    expect(err.message).toBe("not valid YAML: Tabs are not allowed as indentation");
    expect(err.line).toBe(3);
  });

  it("a missing file is one line", () => {
    expect(inputError(() => loadSweepConfig("/nonexistent/sweep.yml")).oneLine()).toBe(
      "/nonexistent/sweep.yml: sweep config file not found",
    );
  });
});

describe("SecretMask", () => {
  it("hides a registered value in raw, base64, base64url, URL-encoded and JSON-escaped form", () => {
    const mask = new SecretMask();
    const value = 'Ab3~x/y+z"q-1234567890';
    mask.add(value);
    const b64 = Buffer.from(value).toString("base64");
    const text = [value, b64, Buffer.from(value).toString("base64url"), encodeURIComponent(value), JSON.stringify({ v: value })].join(
      " | ",
    );
    const out = mask.mask(text);
    for (const form of [value, b64.replace(/=+$/, ""), encodeURIComponent(value)]) expect(out).not.toContain(form);
    expect(out).toContain("[secret redacted]");
    expect(mask.describe(new Error(`AADSTS7000215: bad secret ${value}\nTrace ID: x`))).toBe("AADSTS7000215: bad secret [secret redacted]");
  });
});

describe("shipped examples", () => {
  it("functions/sweep.example.yml is a valid sweep config", () => {
    const config = loadSweepConfig(path.join(process.cwd(), "functions/sweep.example.yml"));
    expect(config.scopes[0]!.targets[0]!.workload).toBe("production/Deployment/backend");
    expect(config.rotation.keyVault[0]!.secret).toBe("payments-client-secret");
  });
});
