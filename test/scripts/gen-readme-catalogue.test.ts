/** The README's finding catalogue is generated from the registry; `npm run docs -- --check` catches drift. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { withCatalogue, withFixTable } from "../../scripts/gen-readme-catalogue.js";
import { renderFixTable } from "../../shared/fix/readme-table.js";
import { allRules } from "../../shared/findings/catalogue.js";
import { renderRulesTable } from "../../shared/report/rules.js";

const ROOT = resolve(import.meta.dirname, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

function docs(args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/gen-readme-catalogue.ts", ...args], {
      cwd: ROOT,
      stdio: "pipe",
      encoding: "utf8",
    });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status: number; stderr: string };
    return { code: e.status, out: e.stderr };
  }
}

describe("README finding catalogue", () => {
  it("is current: regenerating it changes nothing, and every rule has a row", () => {
    expect(withCatalogue(README)).toBe(README);
    for (const rule of allRules()) expect(README).toContain(`| ${rule.id} | ${rule.layer} | ${rule.severity} |`);
  });

  it("replaces exactly the text between the markers", () => {
    const stale = "# T\n\n<!-- catalogue:start -->\n| old |\n<!-- catalogue:end -->\n\nafter\n";
    expect(withCatalogue(stale)).toBe(`# T\n\n<!-- catalogue:start -->\n${renderRulesTable()}\n<!-- catalogue:end -->\n\nafter\n`);
    expect(() => withCatalogue("no markers")).toThrow(/catalogue:start/);
  });

  it("the fix table is generated the same way, between its own markers", () => {
    expect(withFixTable(README)).toBe(README);
    expect(README).toContain(`<!-- fixes:start -->\n${renderFixTable()}\n<!-- fixes:end -->`);
    const stale = "<!-- fixes:start -->\n| AG104 | hand-written |\n<!-- fixes:end -->\n";
    expect(withFixTable(stale)).toBe(`<!-- fixes:start -->\n${renderFixTable()}\n<!-- fixes:end -->\n`);
    expect(() => withFixTable("no markers")).toThrow(/fixes:start/);
  });

  it("`npm run docs -- --check` passes on the current README and rejects unknown arguments", () => {
    expect(docs(["--check"])).toEqual({ code: 0, out: "README.md finding catalogue and fix table are up to date\n" });
    expect(docs(["--chek"]).code).toBe(2);
  });
});
