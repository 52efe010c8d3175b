/**
 * Start-up as a user feels it, in one run on the same machine: `node -e 0` (the floor), the bundled CLI's
 * `--version` and `--help`, a static `check` of one small manifest, and the Action bundle in static mode run
 * runner-style (INPUT_* from action.yml's own defaults). Each a fresh plain-Node process, spawn to exit; the
 * five are interleaved run by run so that load from other work on the machine hits them alike.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { timeEntry, timeProcess } from "./process-timing.js";
import { appManifests } from "./static-scale-bench.js";
import { round, spread, type Spread } from "./stats.js";

export interface StartupResult {
  runs: number;
  cli: string;
  action: string;
  floor: Spread;
  version: Spread;
  help: Spread;
  staticCheck: Spread;
  /** The Action in static mode: whole process, and `import()` of the bundle (load + static run) after Node is up. */
  actionProcess: Spread;
  actionImport: Spread;
  ratios: { version: number; help: number; staticCheck: number };
}

/** The environment the runner gives the step: every input at action.yml's default, then the step's `with:`. */
function runnerEnv(
  actionYml: string,
  withInputs: Record<string, string>,
  dirs: { workspace: string; temp: string },
): Record<string, string> {
  const inputs = (parse(readFileSync(actionYml, "utf8")) as { inputs?: Record<string, { default?: unknown }> }).inputs ?? {};
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: dirs.temp };
  const set = (name: string, value: string) => (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value);
  for (const [name, spec] of Object.entries(inputs)) {
    const value = spec.default === undefined ? "" : String(spec.default);
    set(name, value.includes("${{") ? "" : value); // no github.token in this run: a static run needs none
  }
  for (const [name, value] of Object.entries(withInputs)) set(name, value);
  const summary = path.join(dirs.temp, "summary.md");
  const output = path.join(dirs.temp, "output.txt");
  writeFileSync(summary, "");
  writeFileSync(output, "");
  return {
    ...env,
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: dirs.workspace,
    RUNNER_TEMP: dirs.temp,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
  };
}

export async function startupWorkload(opts: {
  runs: number;
  cli: string;
  action: string;
  root: string;
  log: (line: string) => void;
}): Promise<StartupResult> {
  const node = process.execPath;
  const temp = mkdtempSync(path.join(tmpdir(), "aag-bench-startup-"));
  const workspace = path.join(temp, "workspace");
  // One small manifest file: one app's Deployment + ServiceAccount + ConfigMap (passes the static layer).
  const manifest = path.join(workspace, "app.yaml");
  try {
    mkdirSync(workspace);
    writeFileSync(manifest, appManifests(0));
    const actionEnv = runnerEnv(path.join(opts.root, "action.yml"), { mode: "static", manifests: "app.yaml" }, { workspace, temp });
    const env = { PATH: process.env.PATH ?? "", HOME: temp, NO_COLOR: "1" };
    const t = {
      floor: [] as number[],
      version: [] as number[],
      help: [] as number[],
      staticCheck: [] as number[],
      actionProcess: [] as number[],
      actionImport: [] as number[],
    };
    for (let i = 0; i < opts.runs; i++) {
      const expect = async (what: string, run: Promise<{ seconds: number; code: number | null; stderr: string }>, code = 0) => {
        const r = await run;
        if (r.code !== code)
          throw new Error(`start-up ${what}: exit ${r.code} (expected ${code}): ${r.stderr.trim().split("\n")[0] ?? ""}`);
        return r.seconds;
      };
      t.floor.push(await expect("node -e 0", timeProcess(node, ["-e", "0"], { env })));
      t.version.push(await expect("--version", timeProcess(node, [opts.cli, "--version"], { env })));
      t.help.push(await expect("--help", timeProcess(node, [opts.cli, "--help"], { env })));
      t.staticCheck.push(await expect("check", timeProcess(node, [opts.cli, "check", manifest], { env })));
      const a = await timeEntry(opts.action, [], { env: actionEnv, cwd: workspace });
      if (a.code !== 0 || !/Azure Auth Gate: pass/.test(a.stdout))
        throw new Error(
          `start-up: the Action in static mode did not pass (exit ${a.code}): ${(a.stdout + a.stderr).trim().split("\n").slice(-2).join(" | ")}`,
        );
      t.actionProcess.push(a.seconds);
      t.actionImport.push(a.importSeconds);
    }
    const s = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, spread(v)])) as Record<keyof typeof t, Spread>;
    opts.log(
      `  floor ${s.floor.median} s, --version ${s.version.median} s, --help ${s.help.median} s, static check ${s.staticCheck.median} s, Action static import ${s.actionImport.median} s (process ${s.actionProcess.median} s)`,
    );
    const ratio = (x: Spread) => round(x.median / s.floor.median, 1);
    return {
      runs: opts.runs,
      cli: opts.cli,
      action: opts.action,
      ...s,
      ratios: { version: ratio(s.version), help: ratio(s.help), staticCheck: ratio(s.staticCheck) },
    };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
