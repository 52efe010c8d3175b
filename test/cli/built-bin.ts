/**
 * The CLI as users run it: `tsc -p tsconfig.build.json` (the config `npm run build` uses) emits
 * shared/cli/bin.js, run here as a child process. Each test file builds into its own directory under
 * node_modules/.cache (not dist/, so a test never rewrites the committed Action bundle in dist/action;
 * inside the repo, so the emitted code resolves node_modules). Building takes a few seconds.
 */
import { execFileSync, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export function buildBin(name: string): { bin: string; remove(): void } {
  const out = join(ROOT, "node_modules/.cache", `azure-auth-gate-bin-${name}`);
  rmSync(out, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", out], { cwd: ROOT, stdio: "pipe" });
  } catch {
    // Type errors elsewhere in the tree do not stop tsc from emitting; the tests fail if the bin is missing.
  }
  return { bin: join(out, "shared/cli/bin.js"), remove: () => rmSync(out, { recursive: true, force: true }) };
}

export interface BinRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runBin(bin: string, args: string[], env: Record<string, string>, stdin = ""): Promise<BinRun> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
