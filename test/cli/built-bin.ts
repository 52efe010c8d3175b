/**
 * The CLI as users run it: the esbuild bundle npm ships (`scripts/bundle-cli.mjs`, what `npm run build:cli`
 * and `prepack` run), bin.js plus its lazy chunks, run here as a child process. Each test file builds into its
 * own directory under node_modules/.cache (not dist/, so tests never race on one output folder; inside the
 * repo, so `azure-auth-gate sandbox` finds the checkout's test/sandbox). Building takes a few seconds.
 */
import { execFileSync, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

/** `bin`: the bundle's entry; `meta`: esbuild's metafile for it (the module graph, see module-graph.ts). */
export function buildBin(name: string): { bin: string; meta: string; remove(): void } {
  const out = join(ROOT, "node_modules/.cache", `azure-auth-gate-bin-${name}`);
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [join(ROOT, "scripts/bundle-cli.mjs"), "--outdir", out], { cwd: ROOT, stdio: "pipe" });
  return {
    bin: join(out, "bin.js"),
    meta: `${out}-meta.json`,
    remove: () => {
      rmSync(out, { recursive: true, force: true });
      rmSync(`${out}-meta.json`, { force: true });
    },
  };
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
