/**
 * Runs the sandbox for a developer or a script:
 *   npx tsx test/sandbox/cli.ts [--scenario FILE|NAME] [--write-env .env] [--no-azurite]
 * Starts it, prints the environment to export (shell `export` lines on stdout) or writes it to
 * --write-env (KEY=value lines), prints the service URLs on stderr, and serves until SIGINT/SIGTERM.
 * `--env-file` is accepted as an alias, but Node (24) itself claims `--env-file` anywhere on its
 * command line and fails when the file does not exist yet — so the documented flag is --write-env.
 * A bad scenario or argument is one line on stderr and exit code 2.
 */
import { writeFileSync } from "node:fs";
import { startSandbox, ScenarioError } from "./index.js";

const USAGE = "usage: cli.ts [--scenario FILE|NAME] [--write-env PATH] [--no-azurite]";

interface Args {
  scenario: string;
  envFile?: string;
  azurite: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { scenario: "workload-identity", azurite: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new ScenarioError(`${a} needs a value (${USAGE})`);
      return v;
    };
    if (a === "--scenario") args.scenario = value();
    else if (a === "--write-env" || a === "--env-file") args.envFile = value();
    else if (a === "--no-azurite") args.azurite = false;
    else if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new ScenarioError(`unknown argument '${a}' (${USAGE})`);
  }
  return args;
}

const shellQuote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sb = await startSandbox(args.scenario, { azurite: args.azurite });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`sandbox: ${signal}, stopping\n`);
    void sb.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  const env = { ...sb.env, AAG_SANDBOX_TENANT: sb.state.tenantId };
  if (args.envFile) {
    writeFileSync(args.envFile, Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 });
  } else {
    process.stdout.write(Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`).join("\n") + "\n");
  }
  const lines = Object.entries(sb.urls).map(([k, v]) => `  ${k.padEnd(14)} ${v}`);
  process.stderr.write(`sandbox: scenario ${args.scenario}, tenant ${sb.state.tenantId}\n${lines.join("\n")}\n  profile        ${sb.profileFile}\n  kubeconfig     ${sb.kubeconfigFile}\n`);
  process.stderr.write(`sandbox: ready${args.envFile ? ` (environment written to ${args.envFile})` : ""}; Ctrl-C to stop\n`);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`sandbox: ${message.split("\n")[0]}\n`);
  process.exit(err instanceof ScenarioError ? 2 : 1);
});
