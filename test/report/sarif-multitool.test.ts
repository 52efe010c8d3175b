/**
 * The SARIF users upload, as the product really writes it — the built CLI's `--format sarif` and the Action's
 * `sarif` file from a run against the sandbox — validated by Microsoft's SARIF Multitool (spec rules, guidance
 * rules and GitHub's ingestion rules) and by the official 2.1.0 JSON schema (vendored in ./schemas). Any Multitool error or warning
 * fails; notes fail too unless listed below with the reason they do not apply to this tool.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Log } from "sarif";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { runnerEnv, scenario, step, workspace } from "../action/action-runner.js";
import { buildBin, runBin } from "../cli/built-bin.js";
import { multitoolValidate, type MultitoolResult } from "./sarif-multitool.js";
import { sarifSchemaErrors } from "./sarif-schema.js";

/** Multitool notes that do not apply to this tool, and why. Everything else it reports is a defect. */
const NOT_APPLICABLE: Record<string, string> = {
  SARIF2002: "message ids + arguments instead of text: each message carries its own evidence and fix, and GitHub shows message.text",
  SARIF2003: "versionControlProvenance: github/codeql-action/upload-sarif records the commit and ref; the CLI cannot know them",
  SARIF2010: "region snippets would copy manifest lines into the SARIF file, including the literal secrets AG101/AG111 report",
  SARIF2011: "context regions: the same copy of manifest lines as snippets",
};

function defects(results: MultitoolResult[]): string[] {
  return results.filter((r) => !(r.level === "note" && r.ruleId in NOT_APPLICABLE)).map((r) => `${r.level} ${r.ruleId}: ${r.message}`);
}

async function judge(file: string): Promise<Log> {
  const log = JSON.parse(readFileSync(file, "utf8")) as Log;
  expect(sarifSchemaErrors(log), "official SARIF 2.1.0 JSON schema (OASIS, vendored)").toBe("");
  expect(defects(await multitoolValidate(file)), "SARIF Multitool").toEqual([]);
  return log;
}

const levels = (log: Log) => new Set(log.runs.flatMap((r) => (r.results ?? []).map((res) => res.level)));

let dir: string;
let built: ReturnType<typeof buildBin>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aag-sarif-multitool-"));
  built = buildBin("sarif-multitool");
}, 120_000);

afterAll(() => {
  built?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("SARIF judged by Microsoft's SARIF Multitool", () => {
  it("the Multitool runs here and rejects a broken log, so a clean verdict means something", async () => {
    const bad = join(dir, "broken.sarif");
    writeFileSync(
      bad,
      JSON.stringify({
        version: "2.1.0",
        runs: [{ tool: { driver: { name: "x" } }, results: [{ message: { text: "m" }, locations: [] }] }],
      }),
    );
    const found = (await multitoolValidate(bad)).map((r) => `${r.level} ${r.ruleId}`);
    expect(found).toContain("error SARIF1010"); // a result without ruleId (the spec)
    expect(found).toContain("error GH1018"); // a driver without rules (GitHub's ingestion)
    expect(found).toContain("warning SARIF2005"); // a tool without version or informationUri
  });

  it("CLI `check --format sarif --output` on manifests with errors and warnings", async () => {
    const out = join(dir, "cli.sarif");
    const files = [
      "test/fixtures/manifests/seed-000-outage.yaml",
      "test/fixtures/manifests/seed-003-pod-identity.yaml",
      "test/fixtures/manifests/literal-secrets.yaml",
      "examples/django-broken",
    ];
    const r = await runBin(built.bin, ["check", ...files, "--format", "sarif", "--output", out], {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      NO_COLOR: "1",
    });
    expect(r.code, r.stderr).toBe(1);
    const log = await judge(out);
    expect([...levels(log)].sort()).toEqual(["error", "warning"]);
  });

  it("CLI `check - --format sarif` on stdin (findings without a file)", async () => {
    const out = join(dir, "stdin.sarif");
    const r = await runBin(
      built.bin,
      ["check", "-", "--format", "sarif"],
      { PATH: process.env.PATH ?? "", HOME: dir, NO_COLOR: "1" },
      readFileSync("test/fixtures/manifests/seed-003-pod-identity.yaml", "utf8"),
    );
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(out, r.stdout);
    expect((await judge(out)).runs[0]!.results!.length).toBeGreaterThan(0);
  });

  describe("the Action's `sarif` file from a run against the sandbox", () => {
    let sb: Sandbox;
    beforeAll(async () => {
      // No Key Vault role (AG208, an error anchored to the config file) and a Blob role assigned minutes ago (AG212, info).
      const input = scenario({ kvRole: false });
      const blobRole = input.roleAssignments!.find((a) => a.role === "Storage Blob Data Contributor")!;
      blobRole.createdOn = "-5m";
      sb = await startSandbox(input, { azurite: false });
    }, 120_000);
    afterAll(async () => {
      await sb?.stop();
    });

    it("has errors, notes and a waived warning, and the Multitool finds nothing wrong with it", async () => {
      const ws = workspace(sb);
      // A worker whose ServiceAccount the manifests do not define (AG106, a warning), waived in the config.
      writeFileSync(
        join(ws.dir, "k8s", "worker.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\n  namespace: app\nspec:\n  selector: { matchLabels: { app: worker } }\n  template:\n    metadata:\n      labels: { app: worker }\n    spec:\n      serviceAccountName: worker\n      containers:\n        - name: celery\n          image: sandbox/django-app:1\n",
      );
      appendFileSync(
        join(ws.dir, "azure-auth-gate.yml"),
        'waivers:\n  - id: AG106\n    target: { kind: Deployment, namespace: app, name: worker }\n    reason: "the worker ServiceAccount is created by the platform chart"\n',
      );
      const s = await step(ws, runnerEnv(sb, ws));
      expect(s.result?.report.findings.map((f) => f.id).sort()).toEqual(expect.arrayContaining(["AG106", "AG208", "AG212"]));
      const log = await judge(join(ws.dir, "gate.sarif"));
      expect([...levels(log)].sort()).toEqual(expect.arrayContaining(["error", "note", "warning"]));
      const waived = log.runs[0]!.results!.filter((r) => r.suppressions?.length);
      expect(waived.map((r) => r.ruleId)).toEqual(["AG106"]);
    });
  });
});
