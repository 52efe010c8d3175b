/**
 * docs/sandbox.md "Try the gate on a scenario", followed literally: the commands between the
 * `documented-flow` markers run as processes in bash (start the sandbox, source its env file, run the
 * CLI's `check --config …` without and with `--probe`, stop), on the good scenario and on broken ones.
 * The only edits are the scenario name and the state directory. Exit codes and finding ids are asserted,
 * and that `stop` leaves no process or file behind. If the documented flow breaks, this fails.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
  const r = spawnSync("bash", ["-c", script], { cwd: ROOT, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: work, NO_COLOR: "1", LANG: "C.UTF-8" }, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const findingIds = (text: string) => [...new Set(text.match(/\bAG\d{3}\b/g) ?? [])].sort();

const CASES = [
  { scenario: "workload-identity", check: { code: 0, ids: [] as string[] }, probe: { code: 0, ids: [] as string[] } },
  { scenario: "issuer-trailing-slash", check: { code: 1, ids: ["AG205"] }, probe: { code: 1, ids: ["AG205", "AG301"] } },
  { scenario: "missing-keyvault-role", check: { code: 1, ids: ["AG208"] }, probe: { code: 1, ids: ["AG208", "AG303"] } },
];

describe("docs/sandbox.md, as written", () => {
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
      const [start, source, check, probe, stop] = BLOCK!.trim().split("\n").map((l) => l.replaceAll(DOC_DIR, dir).replaceAll(`--scenario ${DOC_SCENARIO}`, `--scenario ${c.scenario}`));
      const started = bash(start!);
      expect(started.code, started.stderr).toBe(0);
      const pid = Number(readFileSync(path.join(dir, "sandbox.pid"), "utf8"));
      const helpers = childrenOf(pid);
      expect(helpers.length).toBeGreaterThanOrEqual(2); // Azurite blob + queue
      try {
        for (const [line, want] of [[check!, c.check], [probe!, c.probe]] as const) {
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
