/**
 * The Action's config: `subscription-id` is a default for `subscriptions`, applied to the parsed config
 * (any YAML form: block, flow, JSON) without touching the text, so errors keep the user's line numbers.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cloudFor, loadActionConfig } from "../../action/config.js";
import { InputError } from "../../shared/errors.js";

const SUB = "11111111-2222-3333-4444-555555555555";
const OTHER = "99999999-8888-7777-6666-555555555555";
const dirs: string[] = [];
const BUILT_IN = { allowCustomCloud: false, cloudInput: false };

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "aag-action-config-"));
  dirs.push(dir);
  const file = join(dir, "azure-auth-gate.yml");
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("loadActionConfig", () => {
  it("fills in subscriptions of a JSON config, a flow-style config and an empty one", () => {
    const json = configFile('{\n  "cloud": "AzureCloud",\n  "targets": []\n}');
    expect(loadActionConfig(json, SUB, "/ws", BUILT_IN)?.config.subscriptions).toEqual([SUB]);
    const flow = configFile("{ cloud: AzureCloud }");
    expect(loadActionConfig(flow, SUB, "/ws", BUILT_IN)?.config.subscriptions).toEqual([SUB]);
    expect(loadActionConfig(undefined, SUB, "/ws", BUILT_IN)?.config.subscriptions).toEqual([SUB]);
  });

  it("keeps the file's own subscriptions", () => {
    const file = configFile(`{ "subscriptions": ["${OTHER}"] }`);
    expect(loadActionConfig(file, SUB, "/ws", BUILT_IN)?.config.subscriptions).toEqual([OTHER]);
  });

  it("reports an error on the user's own line of a JSON config", () => {
    const file = configFile('{\n  "cloud": "AzureCloud",\n  "targetz": []\n}\n');
    const err = errorOf(() => loadActionConfig(file, SUB, "/ws", BUILT_IN));
    expect(err.message).toBe("unknown key 'targetz'");
    expect(err.line).toBe(3);
    expect(err.file).toBe(file);
  });

  it("names the input when the config file is missing, and needs nothing without a file or subscription-id", () => {
    const err = errorOf(() => loadActionConfig("/nonexistent/azure-auth-gate.yml", SUB, "/ws", BUILT_IN));
    expect(err.message).toBe("config file not found (input config)");
    expect(loadActionConfig(undefined, undefined, "/ws", BUILT_IN)).toBeUndefined();
  });

  it("refuses a custom cloud profile the repository's config names unless the workflow allows it (the cloud input replaces the config's)", () => {
    const file = configFile(`{ "cloud": "./attacker.json", "subscriptions": ["${OTHER}"] }`);
    const err = errorOf(() => loadActionConfig(file, SUB, "/ws", BUILT_IN));
    expect(err.oneLine()).toMatch(
      /azure-auth-gate\.yml:1: cloud: cloud '\.\/attacker\.json' is a custom cloud profile: .*set the Action input allow-custom-cloud: true/,
    );
    expect(loadActionConfig(file, SUB, "/ws", { allowCustomCloud: false, cloudInput: true })?.config.cloud).toBe("./attacker.json");
    expect(() => loadActionConfig(file, SUB, "/ws", { allowCustomCloud: true, cloudInput: false })).toThrow(/cannot read cloud profile/);
  });
});

describe("cloudFor", () => {
  it("takes built-in clouds by name, and a profile file only with allow-custom-cloud", () => {
    expect(cloudFor("AzureChinaCloud", undefined, "/ws", false).tokenExchangeAudience).toBe("api://AzureADTokenExchangeChina");
    const err = errorOf(() => cloudFor("./cloud.json", undefined, "/ws", false));
    expect(err.oneLine()).toMatch(/^input cloud: '\/ws\/cloud\.json' is a custom cloud profile: /);
    expect(() => cloudFor("./cloud.json", undefined, "/ws", true)).toThrow(/cannot read cloud profile/);
  });
});
