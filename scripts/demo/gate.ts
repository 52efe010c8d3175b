/**
 * Runs the gate as a user does — the `azure-auth-gate` CLI in its own process (through tsx, so no build
 * is needed), in the team's checkout, with only the environment the demo gives it. It writes its JSON
 * report to a file; the demo shows that report with the CLI's own text renderer, so one probe run gives
 * both what a reader sees and what the demo checks.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Finding, Report } from "../../shared/findings/model.js";
import type { JsonReport } from "../../shared/report/json.js";
import { ROOT } from "./world.js";

const CLI = join(ROOT, "shared/cli/bin.ts");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface GateRun {
  /** The command line as the user would type it. */
  shown: string;
  code: number | null;
  stderr: string;
  report?: Report;
}

/** A JSON report back as the in-memory model (JSON writes `location: null` where the model omits it). */
function fromJson(json: JsonReport): Report {
  const findings: Finding[] = json.findings.map(({ location, ...rest }) => (location ? { ...rest, location } : rest));
  return { ...json, findings };
}

export function runGate(dir: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<GateRun> {
  const output = join(dir, "gate-report.json");
  rmSync(output, { force: true });
  const argv = [...args, "--format", "json", "--output", "gate-report.json"];
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, CLI, ...argv], { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      let report: Report | undefined;
      try {
        report = fromJson(JSON.parse(readFileSync(output, "utf8")) as JsonReport);
      } catch {
        report = undefined;
      }
      done({ shown: `azure-auth-gate ${argv.join(" ")}`, code, stderr, ...(report ? { report } : {}) });
    });
  });
}
