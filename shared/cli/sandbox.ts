/**
 * `azure-auth-gate sandbox [start|stop] [--scenario FILE|NAME] [--state-dir DIR] …`: starts the local Azure
 * sandbox from the source repository (test/sandbox/, run with tsx) and serves until stopped, so a user can try
 * the CLI, the Action and the Function with no Azure account. The sandbox is a development tool, not part of
 * the product: it is never bundled or imported here, only launched as a child process when it is present.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../errors.js";
import type { CliIo } from "./io.js";

const SANDBOX_ENTRY = join("test", "sandbox", "cli.ts");

/**
 * The source checkout this file runs from: the nearest folder above it whose package.json is azure-auth-gate's
 * and that holds the sandbox (test/sandbox/cli.ts). The built bin's own folder (dist/cli, or the npm package)
 * has an azure-auth-gate package.json but no test/: the walk goes on past it, so the bin built in a clone finds
 * the clone, and the installed package finds nothing.
 */
function checkoutRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && existsSync(join(dir, SANDBOX_ENTRY))) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "azure-auth-gate") return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function runSandbox(args: readonly string[], io: CliIo): Promise<number> {
  const root = checkoutRoot();
  const entry = root && join(root, SANDBOX_ENTRY);
  const tsx = root && join(root, "node_modules", "tsx", "dist", "loader.mjs");
  // checkoutRoot() found the entry itself; tsx is there only after `npm ci`.
  if (!entry || !tsx || !existsSync(tsx)) {
    throw new InputError(
      "the sandbox ships with the source repository (test/sandbox/): clone azure-auth-gate, run `npm ci`, then `npm run sandbox` there",
      { field: "sandbox" },
    );
  }
  const child = spawn(process.execPath, ["--import", tsx, entry, ...args], { cwd: root, env: io.env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (chunk: Buffer) => io.stdout.write(chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => io.stderr.write(chunk.toString("utf8")));
  // Ctrl-C or a supervisor's SIGTERM stops the sandbox cleanly (it removes its servers, Azurite and files).
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  const onHup = forward("SIGHUP");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  process.on("SIGHUP", onHup);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
    });
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    process.off("SIGHUP", onHup);
  }
}
