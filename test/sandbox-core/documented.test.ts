/**
 * docs/sandbox.md "Try the gate on a scenario", followed literally: the commands between the
 * `documented-flow` markers run as processes in bash (start the sandbox, source its env file, run the
 * CLI's `check --config …` without and with `--probe`, stop), on the good scenario and on broken ones.
 * The only edits are the scenario name and the state directory. Exit codes and finding ids are asserted,
 * and that `stop` leaves no process or file behind. If the documented flow breaks, this fails.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alive, childrenOf } from "./processes.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DOC = readFileSync(path.join(ROOT, "docs/sandbox.md"), "utf8");
const BLOCK = /<!-- documented-flow:start -->\s*```sh\n([\s\S]*?)```\s*<!-- documented-flow:end -->/.exec(DOC)?.[1];
const DOC_SCENARIO = "workload-identity";
const DOC_DIR = "/tmp/aag-sandbox";
/** Values that must never reach the user's terminal (the gate's client secret, the Key Vault secret). */
const SECRETS = ["aag-sandbox~gate-client-secret-0001", "sandbox-django-secret-key-value-0001"];

const work = mkdtempSync(path.join(tmpdir(), "aag-documented-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Step {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean user shell: PATH and a HOME of its own, nothing of this test process's Azure or sandbox settings. */
function bash(script: string): Step {
  const r = spawnSync("bash", ["-c", script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: work, NO_COLOR: "1", LANG: "C.UTF-8" },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const findingIds = (text: string) => [...new Set(text.match(/\bAG\d{3}\b/g) ?? [])].sort();

/**
 * What the docs promise for a scenario: `workload-identity` passes (exit 0, no finding); a broken one is a
 * row of the findings table — `check --config` ids, and what `--probe` adds — exit 1 unless the cell says
 * "exit 0". The expectations come from the docs, so the table cannot drift from what the gate prints.
 */
function documentedOutcome(scenario: string) {
  if (scenario === DOC_SCENARIO) return { check: { code: 0, ids: [] as string[] }, probe: { code: 0, ids: [] as string[] } };
  const row = DOC.split("\n").find((l) => l.startsWith(`| \`${scenario}\` |`));
  if (!row) throw new Error(`docs/sandbox.md has no findings row for ${scenario}`);
  const [, checkCell = "", probeCell = ""] = row
    .split("|")
    .slice(1)
    .map((c) => c.trim());
  const ids = (cell: string) => cell.match(/\bAG\d{3}\b/g) ?? [];
  const code = (cell: string) => (/exit 0/.test(cell) ? 0 : 1);
  return {
    check: { code: code(checkCell), ids: ids(checkCell).sort() },
    probe: { code: /exit 1/.test(probeCell) ? 1 : code(checkCell), ids: [...new Set([...ids(checkCell), ...ids(probeCell)])].sort() },
  };
}

/** The good scenario and two broken ones, one per layer the probe proves (token exchange, Key Vault). */
const CASES = ["workload-identity", "issuer-trailing-slash", "missing-keyvault-role"].map((scenario) => ({
  scenario,
  ...documentedOutcome(scenario),
}));

describe("docs/sandbox.md, as written", () => {
  it("documents every scenario with a config: examples/sandbox/<scenario>/ has one exactly for the findings table's rows and the good one", () => {
    const rows = [...DOC.matchAll(/^\| `([\w-]+)` \| .*AG\d{3}/gm)].map((m) => m[1]);
    const configs = readdirSync(path.join(ROOT, "examples/sandbox"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, "examples/sandbox", d.name, "azure-auth-gate.yml")))
      .map((d) => d.name);
    expect([...rows, DOC_SCENARIO].sort()).toEqual(configs.sort());
    for (const name of configs)
      expect(readFileSync(path.join(ROOT, "examples/sandbox", name, "azure-auth-gate.yml"), "utf8")).not.toContain("{{");
  });

  it("has the flow: start, source the env file, check, check --probe, stop", () => {
    expect(BLOCK).toBeDefined();
    const lines = BLOCK!.trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain(`sandbox -- start --scenario ${DOC_SCENARIO} --state-dir ${DOC_DIR}`);
    expect(lines[1]).toContain(`. ${DOC_DIR}/sandbox.env`);
    expect(lines[2]).toMatch(/ check .*--config /);
    expect(lines[3]).toMatch(/ check .*--config .*--probe/);
    expect(lines[4]).toContain(`sandbox -- stop --state-dir ${DOC_DIR}`);
  });

  for (const c of CASES) {
    it(`${c.scenario}: check exits ${c.check.code} with [${c.check.ids.join(", ")}], --probe with [${c.probe.ids.join(", ")}]; stop leaves nothing behind`, () => {
      const dir = path.join(work, c.scenario);
      const [start, source, check, probe, stop] = BLOCK!
        .trim()
        .split("\n")
        .map((l) => l.replaceAll(DOC_DIR, dir).replaceAll(`--scenario ${DOC_SCENARIO}`, `--scenario ${c.scenario}`));
      const started = bash(start!);
      expect(started.code, started.stderr).toBe(0);
      const pid = Number(readFileSync(path.join(dir, "sandbox.pid"), "utf8"));
      const helpers = childrenOf(pid);
      expect(helpers.length).toBeGreaterThanOrEqual(2); // Azurite blob + queue
      try {
        for (const [line, want] of [
          [check!, c.check],
          [probe!, c.probe],
        ] as const) {
          const r = bash(`${source}\n${line}`);
          expect({ code: r.code, ids: findingIds(r.stdout) }, `${line}\n${r.stdout}\n${r.stderr}`).toEqual(want);
          expect(r.stdout).toMatch(want.code === 0 ? /^PASS/ : /^FAIL/);
          for (const s of SECRETS) expect(r.stdout + r.stderr).not.toContain(s);
        }
      } finally {
        const stopped = bash(stop!);
        expect(stopped.code, stopped.stderr).toBe(0);
      }
      expect(alive(pid)).toBe(false);
      expect(helpers.filter(alive)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
    }, 300_000);
  }
});
