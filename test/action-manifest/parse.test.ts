import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actionYmlPath, loadActionManifest, parseActionManifest, repoRoot } from "./manifest.js";

describe("action.yml under GitHub's own parser (action-root-strict)", () => {
  it("loads with no error and declares a node24 entry point that exists", () => {
    const parsed = parseActionManifest(readFileSync(actionYmlPath, "utf8"));
    expect(parsed.errors).toEqual([]);
    const template = loadActionManifest();
    expect(template.runs).toMatchObject({ using: "node24", main: "dist/action/index.js" });
    expect(template.name).toBe("Azure Auth Gate");
  });

  it("has a Marketplace-sized description (at most 125 characters)", () => {
    const template = loadActionManifest();
    expect(template.description.length).toBeGreaterThan(0);
    expect(template.description.length).toBeLessThanOrEqual(125);
  });

  it("rejects the broken manifest the issue reported (a plain scalar containing ': ')", () => {
    const original = readFileSync(actionYmlPath, "utf8");
    const broken = original.replace(
      /description: "Token for the PR comment \(needs `pull-requests: write`\)\."/,
      "description: Token for the PR comment (needs `pull-requests: write`).",
    );
    expect(broken).not.toBe(original);
    const parsed = parseActionManifest(broken);
    expect(parsed.template).toBeUndefined();
    expect(parsed.errors.join("\n")).toMatch(/Nested mappings are not allowed in compact mappings at line \d+/);
  });

  it("rejects schema violations the strict schema forbids", () => {
    const original = readFileSync(actionYmlPath, "utf8");
    const unknownKey = parseActionManifest(original.replace("branding:", "brandingg:"));
    expect(unknownKey.errors.length).toBeGreaterThan(0);
    const badRuntime = parseActionManifest(original.replace("using: node24", "using: node99"));
    expect(badRuntime.errors.length).toBeGreaterThan(0);
  });
});

describe("npm run check:action (the same check, for a person)", () => {
  const check = (file?: string) =>
    spawnSync(join(repoRoot, "node_modules", ".bin", "tsx"), ["scripts/check-action.ts", ...(file ? [file] : [])], {
      cwd: repoRoot,
      encoding: "utf8",
    });

  it("accepts action.yml and refuses the reported broken copy and an over-long description", () => {
    const ok = check();
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /^action\.yml: accepted by @actions\/workflow-parser [\d.]+ \(action-root-strict\): "Azure Auth Gate", \d+ inputs, \d+ outputs, runs node24 dist\/action\/index\.js/,
    );
    const dir = mkdtempSync(join(tmpdir(), "aag-check-action-"));
    const original = readFileSync(actionYmlPath, "utf8");
    writeFileSync(join(dir, "broken.yml"), original.replace(/description: "(Token for the PR comment[^"]*)"/, "description: $1"));
    const broken = check(join(dir, "broken.yml"));
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/Nested mappings are not allowed in compact mappings at line \d+/);
    writeFileSync(
      join(dir, "long.yml"),
      original.replace(/^description: (.*)$/m, (_m, text: string) => `description: ${text} ${"and more ".repeat(5)}`),
    );
    const long = check(join(dir, "long.yml"));
    expect(long.status).toBe(1);
    expect(long.stderr).toMatch(/description is \d+ characters; Marketplace allows 125/);
  });

  it("names a file it cannot read in one line, exit 2, with no stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "aag-check-action-"));
    const missing = check(join(dir, "nope.yml"));
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toBe(`check:action: cannot read ${join(dir, "nope.yml")}: no such file or directory\n`);
    const directory = check(dir);
    expect(directory.status).toBe(2);
    expect(directory.stderr).toBe(`check:action: cannot read ${dir}: is a directory\n`);
  });
});
