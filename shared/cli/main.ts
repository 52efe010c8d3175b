/**
 * The CLI's logic: argv + injected streams in, exit code out (the bin file is a thin wrapper, tests call
 * this in-process). Exit codes: 0 verdict allowed by --fail-on, 1 the gate blocks, 2 usage or input
 * error (one line naming file/line/field; --output untouched), 3 internal error (one line + "please
 * report"; the stack only with AZURE_AUTH_GATE_DEBUG=1).
 */
import { AzureLoginError } from "../azure/login-error.js";
import { InputError, InputErrorList } from "../errors.js";
import { blocks, type FailOn, type Verdict } from "../findings/model.js";
import { TOOL } from "../tool.js";
import { plural, renderReport, type ReportFormat } from "../report/index.js";
import { renderRules } from "../report/rules.js";
import { parseCommand, UsageError, USAGE } from "./args.js";
import { loginFailureLine } from "./login-line.js";
import type { CliIo } from "./io.js";
import { terminalSafeIo } from "./terminal.js";
import { writeReportFile } from "./output.js";
import { enableDebug, setLogSink } from "../log.js";

// Each command's code is a dynamic import (its own chunk in the bundle): `--help` and `--version` load only
// this file's imports, a static check never loads the Azure layer (see check.ts).

export const EXIT = { ok: 0, blocked: 1, input: 2, internal: 3 } as const;

const NAME = "azure-auth-gate";

export function exitCodeFor(verdict: Verdict, failOn: FailOn): number {
  return blocks(verdict, failOn) ? EXIT.blocked : EXIT.ok;
}

function useColor(format: ReportFormat, output: string | undefined, io: CliIo): boolean {
  return format === "text" && output === undefined && io.stdout.isTTY === true && !io.env.NO_COLOR;
}

async function emit(text: string, output: string | undefined, io: CliIo): Promise<void> {
  if (output === undefined) io.stdout.write(text);
  else await writeReportFile(output, text);
}

/**
 * `io` is terminal-safe (every write's control characters made visible); `raw` is the process's own
 * streams, used only for the coloured text report, whose user content renderText has already made
 * safe and whose escape sequences are its own colours.
 */
async function run(argv: readonly string[], io: CliIo, raw: CliIo): Promise<number> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case "help":
      io.stdout.write(USAGE);
      return EXIT.ok;
    case "version":
      io.stdout.write(`${TOOL.version}\n`);
      return EXIT.ok;
    case "fix":
      return (await import("./fix.js")).runFix(command, io);
    case "sandbox":
      return (await import("./sandbox.js")).runSandbox(command.args, io);
    case "rules":
      await emit(renderRules(command.format), command.output, io);
      return EXIT.ok;
    case "check": {
      // Every layer's log lines (probe progress; with --verbose the gate's steps and the Azure SDK's requests,
      // retries and sign-ins) go to stderr, terminal-safe.
      setLogSink((_level, line) => io.stderr.write(`${line}\n`));
      if (command.verbose) enableDebug();
      const { runCheck } = await import("./check.js");
      const checked = await runCheck(
        {
          paths: command.paths,
          ...(command.config !== undefined ? { config: command.config } : {}),
          allowCustomCloud: command.allowCustomCloud,
          ...(command.mode ? { mode: command.mode } : {}),
          probe: command.probe,
          ...(command.kubeconfig !== undefined ? { kubeconfig: command.kubeconfig } : {}),
          ...(command.helm ? { helm: command.helm } : {}),
        },
        io,
      );
      // --fix-format: the Azure fixes as Bicep or Terraform instead of az commands.
      const report = command.fixFormat
        ? { ...checked, findings: (await import("../azure/rules/fix-commands.js")).withFixFormat(checked.findings, command.fixFormat) }
        : checked;
      const color = useColor(command.format, command.output, io);
      const text = renderReport(report, command.format, {
        text: { color },
        markdown: { moreHint: "run the check with --format json for all of them" },
      });
      await emit(text, command.output, color ? raw : io);
      const code = exitCodeFor(report.verdict, command.failOn);
      if (command.output !== undefined) {
        const { errors, warnings } = report.summary;
        io.stderr.write(
          `${NAME}: ${report.verdict} (${plural(errors, "error")}, ${plural(warnings, "warning")}); report written to ${command.output}\n`,
        );
      }
      for (const s of report.metadata.skippedInputs ?? []) io.stderr.write(`${NAME}: notice: ${s.file}: skipped: ${s.reason}\n`);
      // A refused file was not checked: the report covers the rest, but the run is not a verdict on everything given.
      for (const line of report.metadata.refusedInputs ?? []) io.stderr.write(`${NAME}: ${line}\n`);
      return report.metadata.refusedInputs?.length ? EXIT.input : code;
    }
  }
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? "").slice(0, 500);
}

export async function main(argv: readonly string[], processIo: CliIo): Promise<number> {
  const io = terminalSafeIo(processIo);
  try {
    return await run(argv, io, processIo);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${NAME}: ${err.message} (run '${NAME} --help' for usage)\n`);
      return EXIT.input;
    }
    if (err instanceof InputErrorList) {
      for (const e of err.errors) io.stderr.write(`${NAME}: ${e.oneLine()}\n`);
      return EXIT.input;
    }
    if (err instanceof InputError) {
      io.stderr.write(`${NAME}: ${err.oneLine()}\n`);
      return EXIT.input;
    }
    if (err instanceof AzureLoginError) {
      // Built here from capped parts (the SDK's head, one entry per credential, the fix): never cut at the end.
      io.stderr.write(`${NAME}: ${loginFailureLine(err)}\n`);
      return EXIT.input;
    }
    const message = err instanceof Error ? `${err.name}: ${firstLine(err.message)}` : firstLine(String(err));
    io.stderr.write(
      `${NAME}: internal error: ${message} — this is a bug, please report it${io.env.AZURE_AUTH_GATE_DEBUG === "1" ? "" : " (AZURE_AUTH_GATE_DEBUG=1 shows the stack)"}\n`,
    );
    if (io.env.AZURE_AUTH_GATE_DEBUG === "1" && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT.internal;
  }
}
