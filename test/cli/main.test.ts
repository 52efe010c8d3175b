/** The CLI in-process: commands, formats, exit codes, --output atomicity, one-line errors. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { allRules } from "../../shared/findings/catalogue.js";
import { runCli } from "./run-in-process.js";

const FIX = "test/cli/fixtures";
const BROKEN = `${FIX}/broken`;
const FIXED = `${FIX}/fixed`;
const WARN = `${FIX}/warn`;
const ESC = "\u001b";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "aag-cli-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function oneLine(stderr: string): string {
  expect(stderr.endsWith("\n")).toBe(true);
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  return stderr.trimEnd();
}

describe("help, version, usage errors", () => {
  it("prints help and version", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("azure-auth-gate check [PATH|-]...");
    expect(help.stdout).toContain("Exit codes: 0");
    const version = await runCli(["--version"]);
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it.each([
    [[], "missing command"],
    [["check"], "check needs a PATH"],
    [["check", BROKEN, "--frmat", "json"], "unknown option '--frmat'"],
    [["check", BROKEN, "--format"], "option '--format' needs a value"],
    [["check", BROKEN, "--fail-on", "sometimes"], "--fail-on must be one of error, warning, never"],
  ])("exits 2 with one line and a usage hint for %j", async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const line = oneLine(r.stderr);
    expect(line).toContain(message);
    expect(line).toContain("run 'azure-auth-gate --help' for usage");
  });
});

describe("check", () => {
  it("blocks a broken app (exit 1) and passes a fixed one (exit 0)", async () => {
    const broken = await runCli(["check", BROKEN]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe("");
    expect(broken.stdout.split("\n")[0]).toMatch(/^FAIL {2}2 errors/);
    expect(broken.stdout).toContain("AG104  Pod template lacks the Workload Identity label  test/cli/fixtures/broken/app.yaml:");
    const fixed = await runCli(["check", FIXED]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout.split("\n")[0]).toBe("PASS  0 errors, 0 warnings, 0 infos");
  });

  it("applies --fail-on", async () => {
    expect((await runCli(["check", WARN])).code).toBe(0);
    expect((await runCli(["check", WARN, "--fail-on", "warning"])).code).toBe(1);
    expect((await runCli(["check", FIXED, "--fail-on", "warning"])).code).toBe(0);
    expect((await runCli(["check", BROKEN, "--fail-on", "never"])).code).toBe(0);
  });

  it("reads rendered manifests from stdin with -", async () => {
    const r = await runCli(["check", "-", "--format", "json"], { stdin: readFileSync(`${BROKEN}/app.yaml`) });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.metadata.inputs).toEqual(["<stdin>"]);
    expect(report.findings.map((f: { id: string }) => f.id).sort()).toEqual(["AG102", "AG104"]);
    expect(report.findings[0].location.file).toBe("<stdin>");
  });

  it("combines files, directories and stdin", async () => {
    const r = await runCli(["check", FIXED, "-", `${WARN}/app.yaml`, "--format", "json"], {
      stdin: readFileSync(`${BROKEN}/app.yaml`, "utf8"),
    });
    expect(JSON.parse(r.stdout).metadata.inputs).toEqual([`${FIXED}/app.yaml`, "<stdin>", `${WARN}/app.yaml`]);
  });

  it.each(["json", "markdown", "sarif", "text"] as const)("renders --format %s", async (format) => {
    const r = await runCli(["check", BROKEN, "--format", format]);
    expect(r.code).toBe(1);
    if (format === "json") expect(JSON.parse(r.stdout).verdict).toBe("fail");
    if (format === "sarif")
      expect(
        JSON.parse(r.stdout)
          .runs[0].results.map((x: { ruleId: string }) => x.ruleId)
          .sort(),
      ).toEqual(["AG102", "AG104"]);
    if (format === "markdown") expect(r.stdout.split("\n")[0]).toBe("❌ **Azure Auth Gate: fail** — 2 errors, 0 warnings, 0 infos");
    if (format === "text") expect(r.stdout).toMatch(/^FAIL/);
  });

  it("colours text only on a TTY without NO_COLOR, and never into --output", async () => {
    expect((await runCli(["check", BROKEN], { tty: true })).stdout).toContain(ESC);
    expect((await runCli(["check", BROKEN], { tty: false })).stdout).not.toContain(ESC);
    expect((await runCli(["check", BROKEN], { tty: true, env: { NO_COLOR: "1" } })).stdout).not.toContain(ESC);
    const out = join(dir, "report.txt");
    await runCli(["check", BROKEN, "--output", out], { tty: true });
    expect(readFileSync(out, "utf8")).not.toContain(ESC);
  });
});

describe("--output", () => {
  it("writes the report to the file and a one-line status to stderr", async () => {
    const out = join(dir, "gate.sarif");
    const r = await runCli(["check", BROKEN, "--format", "sarif", "--output", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(oneLine(r.stderr)).toBe(`azure-auth-gate: fail (2 errors, 0 warnings); report written to ${out}`);
    expect(JSON.parse(readFileSync(out, "utf8")).version).toBe("2.1.0");
    expect(readdirSync(dir)).toEqual(["gate.sarif"]);
  });

  it("leaves an existing file untouched when the run fails with an input error", async () => {
    const out = join(dir, "gate.json");
    writeFileSync(out, "previous report");
    const r = await runCli(["check", `${FIX}/bad.yaml`, "--format", "json", "--output", out]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^azure-auth-gate: test\/cli\/fixtures\/bad\.yaml:\d+: /);
    expect(readFileSync(out, "utf8")).toBe("previous report");
    expect(readdirSync(dir)).toEqual(["gate.json"]);
  });

  it("names the file when it cannot be written (exit 2)", async () => {
    const out = join(dir, "missing-dir", "gate.json");
    const r = await runCli(["check", FIXED, "--output", out]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`azure-auth-gate: ${out}: --output: cannot write the report: its directory does not exist`);
    expect(existsSync(join(dir, "missing-dir"))).toBe(false);
  });
});

describe("input and internal errors", () => {
  it("names a missing path (exit 2)", async () => {
    const r = await runCli(["check", `${FIX}/nope.yaml`]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe("azure-auth-gate: test/cli/fixtures/nope.yaml: no such file or directory");
  });

  it("refuses binary stdin (exit 2)", async () => {
    const r = await runCli(["check", "-"], { stdin: Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x92]) });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe("azure-auth-gate: <stdin>: input is not UTF-8 text (binary data?)");
  });

  it("names the config file, line and field of a bad --config (exit 2), before touching Azure", async () => {
    const config = join(dir, "azure-auth-gate.yml");
    writeFileSync(
      config,
      "subscriptions: [11111111-1111-1111-1111-111111111111]\ntargets:\n  - workload: production/Deployment/backend\n    blob:\n      - { account: stmedia, container: media, acess: write }\n",
    );
    const r = await runCli(["check", FIXED, "--config", config]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`azure-auth-gate: ${config}:5: targets[0].blob[0].acess: unknown key 'acess'`);
    const missing = await runCli(["check", "--config", join(dir, "none.yml")]);
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toBe(`azure-auth-gate: ${join(dir, "none.yml")}: config file not found`);
  });

  it("reports an internal error in one line with 'please report' (exit 3), the stack only in debug mode", async () => {
    const failing = () =>
      new Readable({
        read() {
          this.destroy(new Error("stdin pipe broke\nsecond line"));
        },
      });
    const r = await runCli(["check", "-"], { stdin: failing() });
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toBe(
      "azure-auth-gate: internal error: Error: stdin pipe broke — this is a bug, please report it (AZURE_AUTH_GATE_DEBUG=1 shows the stack)",
    );
    const debug = await runCli(["check", "-"], { stdin: failing(), env: { AZURE_AUTH_GATE_DEBUG: "1" } });
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/^azure-auth-gate: internal error: Error: stdin pipe broke — this is a bug, please report it\n/);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describe("rules", () => {
  it("prints the whole catalogue as markdown (default) or json", async () => {
    const md = await runCli(["rules"]);
    expect(md.code).toBe(0);
    for (const rule of allRules()) expect(md.stdout).toContain(`| ${rule.id} | ${rule.layer} | ${rule.severity} | ${rule.title} |`);
    const json = await runCli(["rules", "--format", "json"]);
    expect(JSON.parse(json.stdout).map((r: { id: string }) => r.id)).toEqual(allRules().map((r) => r.id));
  });

  it("writes to --output", async () => {
    const out = join(dir, "rules.json");
    const r = await runCli(["rules", "--format", "json", "--output", out]);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(JSON.parse(readFileSync(out, "utf8"))).toHaveLength(allRules().length);
  });
});
