/**
 * `npm run demo` (CI runs it): the gate's main job, end to end, with no Azure account.
 *
 * Each step runs the real CLI in-process (the same `main` the `azure-auth-gate` bin runs), shows what a
 * user would see, and checks it behaved as expected. The process exits 0 only when every step did.
 * Steps are a list so the sandbox stages (control plane against the local Azure emulator, then the live
 * probe) can be appended as further `DemoStep`s once the sandbox exists.
 */
import { relative, resolve } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { Report } from "../shared/findings/model.js";
import { main } from "../shared/cli/main.js";
import type { CliIo } from "../shared/cli/io.js";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output (stdin empty; colour as on this terminal). */
async function cli(argv: string[], tty = false): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdin: Readable.from([]),
    stdout: { write: (s: string) => (stdout += s), isTTY: tty },
    stderr: { write: (s: string) => (stderr += s) },
    env: process.env,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export interface DemoStep {
  title: string;
  /** Shows its output and returns what went wrong (empty when the step behaved as expected). */
  run(): Promise<string[]>;
}

/** A path as the user would type it from the repository root. */
function example(dir: string): string {
  return relative(process.cwd(), resolve(ROOT, "examples", dir)) || ".";
}

/** Runs `check` on a folder twice: text for the reader, json for the checks. */
async function checkFolder(dir: string): Promise<{ shown: CliRun; report?: Report; problems: string[] }> {
  const path = example(dir);
  console.log(paint(2, `$ azure-auth-gate check ${path}/`));
  const shown = await cli(["check", path, "--format", "text"], color);
  process.stdout.write(shown.stdout);
  if (shown.stderr) process.stdout.write(shown.stderr);
  const json = await cli(["check", path, "--format", "json"]);
  if (json.code > 1) return { shown, problems: [`check ${path} failed with exit ${json.code}: ${json.stderr.trim()}`] };
  return { shown, report: JSON.parse(json.stdout) as Report, problems: [] };
}

const BROKEN_IDS = ["AG102", "AG104", "AG110"];

export const steps: DemoStep[] = [
  {
    title: "static gate on examples/django-broken/ — the seed-000 outage (leftover AZURE_* variables, no Workload Identity label, migrate Job without the app's identity): expect FAIL",
    async run() {
      const { shown, report, problems } = await checkFolder("django-broken");
      if (!report) return problems;
      const ids = new Set(report.findings.filter((f) => !f.waived).map((f) => f.id));
      const missing = BROKEN_IDS.filter((id) => !ids.has(id));
      if (shown.code !== 1) problems.push(`expected exit 1 (blocked), got ${shown.code}`);
      if (report.verdict !== "fail") problems.push(`expected verdict fail, got ${report.verdict}`);
      if (missing.length > 0) problems.push(`expected findings ${missing.join(", ")} (got ${[...ids].join(", ") || "none"})`);
      return problems;
    },
  },
  {
    title: "static gate on examples/django-fixed/ — the same app wired for Workload Identity: expect PASS (no errors)",
    async run() {
      const { shown, report, problems } = await checkFolder("django-fixed");
      if (!report) return problems;
      if (shown.code !== 0) problems.push(`expected exit 0, got ${shown.code}`);
      if (report.summary.errors !== 0) problems.push(`expected no errors, got ${report.summary.errors} (${report.findings.map((f) => f.id).join(", ")})`);
      return problems;
    },
  },
];

/** Runs the steps in order; 0 when every step behaved as expected. */
export async function runDemo(steps: readonly DemoStep[]): Promise<number> {
  console.log(paint(1, "Azure Auth Gate demo"));
  const failed: string[] = [];
  for (const [i, step] of steps.entries()) {
    console.log(`\n${paint(1, `==> ${i + 1}/${steps.length} ${step.title}`)}\n`);
    let problems: string[];
    try {
      problems = await step.run();
    } catch (err) {
      problems = [`step crashed: ${(err as Error).message}`];
    }
    if (problems.length === 0) {
      console.log(`\n${paint(32, "✔ behaved as expected")}`);
    } else {
      for (const p of problems) console.log(paint(31, `✘ ${p}`));
      failed.push(step.title.split(" — ")[0]!);
    }
  }
  console.log("");
  if (failed.length > 0) {
    console.log(paint(31, `Demo FAILED: ${failed.length}/${steps.length} steps did not behave as expected (${failed.join("; ")})`));
    return 1;
  }
  console.log(paint(32, `Demo OK: ${steps.length}/${steps.length} steps behaved as expected.`));
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = await runDemo(steps);
