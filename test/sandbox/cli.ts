/**
 * Runs the sandbox for a developer or a script (docs/sandbox.md "CLI"):
 *   cli.ts start --scenario NAME --state-dir DIR   serve in the background; returns once it is ready
 *   cli.ts stop --state-dir DIR                    stop that sandbox and wait until everything is gone
 *   cli.ts [serve] [--scenario FILE|NAME] [--state-dir DIR] [--write-env PATH] [--no-azurite]
 *                                                  serve in the foreground until SIGINT/SIGTERM/SIGHUP
 * With --state-dir the sandbox keeps all its files in DIR: `sandbox.env` (the environment, KEY=value
 * lines to source), `sandbox.pid`, the cloud profile, kubeconfig and CA, `k8s/` (the manifests its
 * clusters serve), and the gate's `azure-auth-gate.yml` for a shipped scenario
 * (examples/sandbox/<scenario>/). DIR is removed when the sandbox stops.
 *
 * `stop` exists because `npm run` and `npx` run the command under `sh -c`, which does not pass SIGTERM
 * on: `kill $!` on a backgrounded `npm run sandbox` would leave the sandbox and Azurite running. The
 * server also stops when its parent process dies (foreground mode), and Azurite stops with the server.
 * `--env-file` is accepted as an alias of --write-env, but Node claims `--env-file` on its own command
 * line and fails when that file does not exist yet. A bad scenario or argument: one line, exit code 2.
 */
import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import { startControlApi } from "./control.js";
import { startSandbox, ScenarioError, type Sandbox } from "./index.js";

const USAGE = "usage: cli.ts [start|stop|serve] [--scenario FILE|NAME] [--state-dir DIR] [--write-env PATH] [--no-azurite]";
const SCRIPT = fileURLToPath(import.meta.url);
const EXAMPLES = path.resolve(path.dirname(SCRIPT), "../../examples/sandbox");
/** Set on the background server `start` launches (its state directory already holds the log). */
const DETACHED = "AAG_SANDBOX_DETACHED";
export const ENV_FILE = "sandbox.env";
export const PID_FILE = "sandbox.pid";
export const LOG_FILE = "sandbox.log";

interface Args {
  command: "serve" | "start" | "stop";
  scenario: string;
  stateDir?: string;
  envFile?: string;
  azurite: boolean;
  /** The flags as given, for the background server `start` launches. */
  passthrough: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: "serve", scenario: "workload-identity", azurite: true, passthrough: [] };
  let i = 0;
  if (argv[0] === "start" || argv[0] === "stop" || argv[0] === "serve") args.command = argv[i++] as Args["command"];
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new ScenarioError(`${a} needs a value (${USAGE})`);
      args.passthrough.push(a, v);
      return v;
    };
    if (a === "--scenario") args.scenario = value();
    else if (a === "--state-dir") args.stateDir = path.resolve(value());
    else if (a === "--write-env" || a === "--env-file") args.envFile = path.resolve(value());
    else if (a === "--no-azurite") {
      args.azurite = false;
      args.passthrough.push(a);
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new ScenarioError(`unknown argument '${a}' (${USAGE})`);
  }
  if ((args.command === "start" || args.command === "stop") && !args.stateDir)
    throw new ScenarioError(`${args.command} needs --state-dir DIR (${USAGE})`);
  return args;
}

const say = (line: string) => process.stderr.write(`sandbox: ${line}\n`);

const shellQuote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
/** Shell-safe as it stands, or single-quoted: the file is for `set -a; . FILE; set +a` (and dotenv readers). */
const envLine = (k: string, v: string) => `${k}=${/^[\w@%+=:,./~-]*$/.test(v) ? v : shellQuote(v)}`;

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

function assertUsable(dir: string): void {
  if (existsSync(path.join(dir, PID_FILE))) {
    const pid = Number(readFileSync(path.join(dir, PID_FILE), "utf8"));
    throw new ScenarioError(
      alive(pid)
        ? `a sandbox (pid ${pid}) already serves ${dir}: stop it first (cli.ts stop --state-dir ${dir})`
        : `${dir} holds a dead sandbox's state: remove it first`,
    );
  }
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new ScenarioError(`--state-dir ${dir} is not empty (the sandbox removes its state directory when it stops)`);
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** This process's parent, its parent, … (up to 4, never init), from /proc where there is one, else just the parent. */
function ancestors(): number[] {
  const chain = [process.ppid];
  for (;;) {
    const last = chain.at(-1)!;
    if (chain.length >= 4 || last <= 1) break;
    let ppid: number;
    try {
      const stat = readFileSync(`/proc/${last}/stat`, "utf8");
      ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      break;
    }
    if (!(ppid > 1)) break;
    chain.push(ppid);
  }
  return chain.filter((pid) => pid > 1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The files a user of the documented flow needs: the manifests the clusters serve and, for a shipped scenario, the gate's config. */
function writeUserFiles(sb: Sandbox, dir: string, scenario: string): void {
  const k8s = path.join(dir, "k8s");
  for (const cluster of sb.state.clusters) {
    const objects = cluster.objects.filter(
      (o) =>
        !(o.kind === "ServiceAccount" && o.metadata.name === "default") &&
        o.metadata.namespace !== "kube-system" &&
        o.metadata.name !== "kube-system",
    );
    if (objects.length === 0) continue;
    mkdirSync(k8s, { recursive: true });
    writeFileSync(path.join(k8s, `${cluster.name}.yaml`), objects.map((o) => toYaml(o)).join("---\n"));
  }
  const config = path.join(EXAMPLES, scenario, "azure-auth-gate.yml");
  if (/^[\w-]+$/.test(scenario) && existsSync(config)) copyFileSync(config, path.join(dir, "azure-auth-gate.yml"));
}

async function serve(args: Args): Promise<void> {
  const detached = process.env[DETACHED] === "1";
  if (args.stateDir && !detached) assertUsable(args.stateDir);
  if (args.stateDir) mkdirSync(args.stateDir, { recursive: true, mode: 0o700 });
  const sb = await startSandbox(args.scenario, { azurite: args.azurite, ...(args.stateDir ? { workDir: args.stateDir } : {}) });
  const closers: (() => Promise<void>)[] = [() => sb.stop()];
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    say(`${why}, stopping`);
    void Promise.all(closers.map((close) => close())).finally(() => process.exit(0));
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));
  // Started in the foreground through wrappers (npm → sh → tsx → this): `kill $!` ends npm, but sh does not pass
  // the signal on and tsx lives on, orphaned. So follow every ancestor, not only the parent.
  if (!detached) {
    const chain = ancestors();
    setInterval(() => chain.some((pid) => !alive(pid)) && stop("a parent process exited"), 500).unref();
  }
  const control = await startControlApi(sb, { onStop: () => stop("control API stop") });
  closers.push(() => control.close());

  const env: Record<string, string> = {
    ...sb.env,
    ...sb.gateEnv,
    AAG_SANDBOX_TENANT: sb.state.tenantId,
    AAG_SANDBOX_CONTROL: control.url,
    AAG_SANDBOX_CONTROL_TOKEN: control.token,
    ...(args.stateDir ? { AAG_SANDBOX_DIR: args.stateDir } : {}),
  };
  const envText =
    Object.entries(env)
      .map(([k, v]) => envLine(k, v))
      .join("\n") + "\n";
  if (args.stateDir) {
    writeUserFiles(sb, args.stateDir, args.scenario);
    writeFileSync(path.join(args.stateDir, PID_FILE), `${process.pid}\n`);
    // Written last and atomically: its presence means "ready" to `start` and to scripts.
    writeAtomically(path.join(args.stateDir, ENV_FILE), envText);
  }
  if (args.envFile) writeAtomically(args.envFile, envText);
  if (!args.stateDir && !args.envFile)
    process.stdout.write(
      Object.entries(env)
        .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
        .join("\n") + "\n",
    );
  const lines = Object.entries(sb.urls).map(([k, v]) => `  ${k.padEnd(14)} ${v}`);
  process.stderr.write(
    `sandbox: scenario ${args.scenario}, tenant ${sb.state.tenantId}\n${lines.join("\n")}\n  control        ${control.url}\n  profile        ${sb.profileFile}\n  kubeconfig     ${sb.kubeconfigFile}\n`,
  );
  const where = args.stateDir
    ? ` (environment in ${path.join(args.stateDir, ENV_FILE)})`
    : args.envFile
      ? ` (environment written to ${args.envFile})`
      : "";
  // `stop` finds the server by its state directory; without one, a signal to this pid or the control API's POST /v1/stop.
  const how = args.stateDir
    ? `Ctrl-C or \`stop --state-dir\` to stop`
    : `Ctrl-C, \`kill ${process.pid}\` or POST /v1/stop on the control API to stop`;
  say(`ready, pid ${process.pid}${where}; ${how}`);
}

/** All of an open file, from its start (whatever the descriptor's position). */
function readWhole(fd: number): string {
  const buf = Buffer.alloc(fstatSync(fd).size);
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done).toString("utf8");
}

/** Launches `serve` as a detached background process and returns once its env file exists. */
async function start(args: Args): Promise<number> {
  const dir = args.stateDir!;
  assertUsable(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Opened for reading too: a server that fails removes DIR (and the log's name) on its way out, so its
  // last line is read back through this descriptor, not by name.
  const log = openSync(path.join(dir, LOG_FILE), "a+", 0o600);
  const child = spawn(process.execPath, [...process.execArgv, SCRIPT, "serve", ...args.passthrough], {
    cwd: process.cwd(),
    env: { ...process.env, [DETACHED]: "1" },
    stdio: ["ignore", log, log],
    detached: true,
  });
  let exited: number | undefined;
  child.once("exit", (code, signal) => (exited = code ?? (signal ? 1 : 0)));
  child.unref();
  const envFile = path.join(dir, ENV_FILE);
  const deadline = Date.now() + 180_000;
  while (!existsSync(envFile)) {
    if (exited !== undefined || Date.now() > deadline) {
      const lastLine = readWhole(log).trim().split("\n").at(-1) ?? "";
      if (exited === undefined) process.kill(child.pid!, "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
      process.stderr.write(`${lastLine.startsWith("sandbox:") ? lastLine : `sandbox: did not start: ${lastLine}`}\n`);
      return exited ?? 1;
    }
    await sleep(100);
  }
  say(`ready, pid ${child.pid}; environment in ${envFile}; log in ${path.join(dir, LOG_FILE)}`);
  return 0;
}

/** SIGTERM to the sandbox serving DIR, then wait until it (and with it Azurite and its files) is gone. */
async function stop(args: Args): Promise<number> {
  const pidFile = path.join(args.stateDir!, PID_FILE);
  if (!existsSync(pidFile)) {
    say(`no sandbox serves ${args.stateDir} (no ${PID_FILE})`);
    return 1;
  }
  const pid = Number(readFileSync(pidFile, "utf8"));
  if (!alive(pid)) {
    rmSync(args.stateDir!, { recursive: true, force: true });
    say(`sandbox pid ${pid} was not running; removed its state directory`);
    return 0;
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 30_000;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, "SIGKILL");
    say(`sandbox pid ${pid} did not stop within 30 s: killed`);
    return 1;
  }
  say(`stopped (pid ${pid})`);
  return 0;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.command === "start") process.exit(await start(args));
  if (args.command === "stop") process.exit(await stop(args));
  await serve(args);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`sandbox: ${message.split("\n")[0]}\n`);
  process.exit(err instanceof ScenarioError ? 2 : 1);
});
