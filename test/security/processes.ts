/**
 * The two ways the gate runs on someone's machine, as processes: the built Action bundle the way the runner
 * starts it (INPUT_* variables, GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), and the built CLI the
 * way a shell does. Every output a user or a PR reader could see is collected for the leak scans.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BUNDLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/action/index.js");

export interface ProcessRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runProcess(args: string[], cwd: string, env: Record<string, string>, timeoutMs = 90_000): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A checked-out repository for one runner job: the workspace and the runner's own files. */
export interface RunnerJob {
  workspace: string;
  eventFile: string;
  outputFile: string;
  summaryFile: string;
  runnerTemp: string;
}

export function runnerJob(files: Record<string, string>, event: Record<string, unknown>): RunnerJob {
  const root = mkdtempSync(path.join(tmpdir(), "aag-attack-job-"));
  const workspace = path.join(root, "workspace");
  const runnerTemp = path.join(root, "runner-temp");
  mkdirSync(workspace);
  mkdirSync(runnerTemp);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    writeFileSync(path.join(workspace, name), text);
  }
  const eventFile = path.join(root, "event.json");
  writeFileSync(eventFile, JSON.stringify(event));
  const outputFile = path.join(runnerTemp, "output.txt");
  const summaryFile = path.join(runnerTemp, "summary.md");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  return { workspace, eventFile, outputFile, summaryFile, runnerTemp };
}

/** A same-repository pull_request event (the PR's head branch lives in the base repository). */
export function pullRequestEvent(repository: string, number = 12): Record<string, unknown> {
  const repo = { full_name: repository, fork: false };
  return { action: "synchronize", number, pull_request: { number, head: { repo }, base: { repo } } };
}

export function runnerEnv(job: RunnerJob, inputs: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: path.dirname(process.execPath),
    HOME: job.runnerTemp,
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: "contoso/django-app",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: job.eventFile,
    GITHUB_WORKFLOW: "gate",
    GITHUB_JOB: "gate",
    GITHUB_RUN_ID: "1000000002",
    GITHUB_SERVER_URL: "https://github.com",
    // Loopback only: nothing listens on the discard port, so a PR comment attempt fails fast and goes nowhere.
    GITHUB_API_URL: "https://127.0.0.1:9",
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_OUTPUT: job.outputFile,
    GITHUB_STEP_SUMMARY: job.summaryFile,
    RUNNER_TEMP: job.runnerTemp,
    ...extra,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}

export function runBundle(job: RunnerJob, env: Record<string, string>): Promise<ProcessRun> {
  if (!existsSync(BUNDLE)) throw new Error("dist/action/index.js is missing: run `npm run build`");
  return runProcess([BUNDLE], job.workspace, env);
}

/**
 * stdout as the runner shows it: `::add-mask::VALUE` lines are instructions the runner consumes (it then
 * masks VALUE everywhere), never shown to anyone.
 */
export function withoutMaskCommands(stdout: string): string {
  return stdout
    .split("\n")
    .filter((l) => !l.startsWith("::add-mask::"))
    .join("\n");
}

/** Everything the run left for people to read: stdout/stderr, outputs, the summary and every file in RUNNER_TEMP and the workspace's reports. */
export function everythingVisible(job: RunnerJob, run: ProcessRun): string {
  const texts = [withoutMaskCommands(run.stdout), run.stderr];
  for (const dir of [job.runnerTemp, job.workspace]) {
    for (const name of readdirSync(dir, { recursive: true }) as string[]) {
      const file = path.join(dir, name);
      if (statSync(file).isFile() && /\.(txt|md|json|sarif)$/.test(name)) texts.push(readFileSync(file, "utf8"));
    }
  }
  return texts.join("\n");
}

/** JWT-shaped text (a GitHub ID token, an Entra access token, a projected ServiceAccount token). */
export const JWT = /eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/;
