/**
 * Runs a benchmark child (bench/child/*.ts) in a fresh Node process under tsx, with a minimal
 * environment that reaches only the sandbox (its CA, its guard proxy, loopback NO_PROXY), and parses
 * the one JSON line it prints.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Sandbox } from "../test/sandbox/index.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The environment a pipeline step would have: the sandbox's trust and proxy settings and the given AZURE_* sign-in. */
export function childEnv(sb: Sandbox, signIn: Record<string, string>): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG"] as const;
  const base: Record<string, string> = {};
  for (const k of keep) if (process.env[k] !== undefined) base[k] = process.env[k]!;
  return { ...base, ...sb.env, ...signIn, AZURE_AUTH_GATE_DEBUG: "0", NO_COLOR: "1" };
}

export interface ChildResult<T> {
  result: T;
  /** Wall time of the whole child process, spawn to exit. */
  spawnSeconds: number;
}

export async function runChild<T>(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 600_000,
): Promise<ChildResult<T>> {
  const file = path.join(HERE, "child", script);
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", file, ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    cwd: path.join(HERE, ".."),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  const spawnSeconds = (performance.now() - started) / 1000;
  const line = stdout.trim().split("\n").pop() ?? "";
  try {
    return { result: JSON.parse(line) as T, spawnSeconds };
  } catch {
    throw new Error(
      `bench child ${script} exited ${code ?? "by signal"} without a result: ${(stderr || stdout).trim().split("\n").slice(-3).join(" | ").slice(0, 600)}`,
    );
  }
}
