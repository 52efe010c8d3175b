/**
 * The line diff behind --diff and the PR suggestions: change blocks rebuild the new text exactly,
 * unified diffs apply with `git apply` (files without a final newline too), and the IaC renderings
 * for app registrations (azuread) keep the user's names.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { changeBlocks, splitLines, unifiedDiff } from "../../shared/fix/diff.js";
import { toBicep, toTerraform } from "../../shared/azure/iac.js";

function rebuild(before: string, after: string): string[] {
  const a = splitLines(before);
  const out: string[] = [];
  let line = 1;
  for (const b of changeBlocks(before, after)) {
    while (line < b.oldStart) out.push(a[line++ - 1] ?? "");
    line += b.oldCount;
    out.push(...b.newLines);
  }
  while (line <= a.length) out.push(a[line++ - 1] ?? "");
  return out;
}

function applies(before: string, after: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "aag-diff-"));
  try {
    writeFileSync(path.join(dir, "f.yaml"), before);
    writeFileSync(path.join(dir, "p.diff"), unifiedDiff("f.yaml", before, after));
    const r = spawnSync("git", ["apply", "p.diff"], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("");
    return readFileSync(path.join(dir, "f.yaml"), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("line diff", () => {
  // A small deterministic generator: many shapes of inserts, deletes and replacements.
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const cases = Array.from({ length: 40 }, () => {
    const a = Array.from({ length: 3 + rand(25) }, () => `k${rand(6)}: v`);
    const b = a.flatMap((l) =>
      rand(5) === 0 ? [] : rand(6) === 0 ? [l, `new${rand(9)}: x`] : rand(7) === 0 ? [`changed: ${rand(9)}`] : [l],
    );
    return { before: a.join("\n") + "\n", after: b.join("\n") + "\n" };
  });

  it("change blocks rebuild the new text, and the unified diff applies with git", () => {
    for (const { before, after } of cases) {
      expect(rebuild(before, after)).toEqual(splitLines(after));
      if (before !== after) expect(applies(before, after)).toBe(after);
    }
  });

  it("handles files without a final newline on either side", () => {
    expect(applies("a: 1\nb: 2", "a: 1\nb: 2\nc: 3")).toBe("a: 1\nb: 2\nc: 3");
    expect(applies("a: 1\nb: 2\n", "a: 1\nb: 3")).toBe("a: 1\nb: 3");
    expect(applies("a: 1\nb: 2\nc: 3", "a: 1\nc: 3")).toBe("a: 1\nc: 3");
  });
});

describe("IaC for app registrations", () => {
  const plan = {
    kind: "fic" as const,
    identity: {
      kind: "application" as const,
      name: "backend-app",
      id: "0f0f0f0f-0000-0000-0000-000000000001",
      clientId: "aaaaaaaa-0000-0000-0000-000000000001",
    },
    fic: {
      name: "production-backend",
      issuer: "https://oidc.example/issuer/",
      subject: "system:serviceaccount:production:backend",
      audience: "api://AzureADTokenExchange",
    },
    update: false,
  };

  it("Terraform uses the azuread provider by client id; Bicep the Microsoft Graph extension", () => {
    expect(toTerraform(plan)).toContain('data "azuread_application" "app" {\n  client_id = "aaaaaaaa-0000-0000-0000-000000000001"\n}');
    expect(toTerraform(plan)).toContain('  subject        = "system:serviceaccount:production:backend"');
    expect(toBicep(plan)).toContain("extension microsoftGraphV1");
    expect(toBicep(plan)).toContain("  name: '${app.uniqueName}/production-backend'");
    expect(toBicep(plan)).toContain("  issuer: 'https://oidc.example/issuer/'");
  });
});
