/**
 * Whole-process timing: what a user waits for, from spawn to exit, in plain Node (no tsx). `timeProcess` runs any
 * command; `timeEntry` runs an ES module entry (the bundled CLI, the Action) through child/timed-import.mjs,
 * which also reports the time after Node's start-up (`importSeconds`) and the process's peak RSS.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface ProcessRun {
  seconds: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export function timeProcess(
  command: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd ?? path.join(HERE, ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ seconds: (performance.now() - started) / 1000, code, stdout, stderr });
    });
  });
}

export interface EntryRun extends ProcessRun {
  /** Load + run after Node's own start-up (the entry's `await import`). */
  importSeconds: number;
  /** User + system CPU of the whole process. */
  cpuSeconds: number;
  maxRssMB: number;
}

export async function timeEntry(
  entry: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<EntryRun> {
  const dir = mkdtempSync(path.join(tmpdir(), "aag-bench-entry-"));
  const out = path.join(dir, "result.json");
  try {
    const run = await timeProcess(process.execPath, [path.join(HERE, "child", "timed-import.mjs"), entry, ...args], {
      ...opts,
      env: { ...(opts.env ?? (process.env as Record<string, string>)), BENCH_OUT: out },
    });
    let parsed: { importSeconds: number | null; cpuSeconds: number; maxRssMB: number };
    try {
      parsed = JSON.parse(readFileSync(out, "utf8")) as typeof parsed;
    } catch {
      throw new Error(
        `${entry} ${args.join(" ")}: no timing written (exit ${run.code}): ${run.stderr.trim().split("\n").slice(-3).join(" | ").slice(0, 400)}`,
      );
    }
    if (parsed.importSeconds === null)
      throw new Error(
        `${entry} ${args.join(" ")}: the entry did not finish loading (exit ${run.code}): ${run.stderr.trim().slice(0, 400)}`,
      );
    return { ...run, importSeconds: parsed.importSeconds, cpuSeconds: parsed.cpuSeconds, maxRssMB: parsed.maxRssMB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
