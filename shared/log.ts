/**
 * The one logging seam. Every layer (probe, rotation, sweep, gate, the Azure call policy) logs through `log`;
 * the host decides where the lines go by installing a sink: the CLI writes them to stderr, the Action turns
 * them into workflow commands (core.debug / info / warning / error), the Function into its invocation's
 * context.log / warn / error. No layer takes a `log` option any more.
 *
 * - info, warning, error: progress and problems the host always shows ("probe: created Job …").
 * - debug: the gate's steps. They exist only when asked for (AZURE_LOG_LEVEL=info|verbose, the CLI's
 *   --verbose, the runner's step debug). Once an Azure path has loaded the SDK bridge
 *   (shared/azure/sdk-log.ts), they are written through @azure/logger's `createClientLogger("auth-gate")`,
 *   beside the SDK's own request lines, and both reach the host's sink as debug lines.
 *
 * JWT-shaped text is masked here, for every host; a host masks the secrets it knows on top (the Action's
 * core.setSecret, the Function's SecretMask). This module imports nothing heavy: the Action's static start
 * loads it.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export type LogLevel = "debug" | "info" | "warning" | "error";

/** Where a host sends lines. Called with one line (no trailing newline), already token-masked. */
export type LogSink = (level: LogLevel, line: string) => void;

const stderrSink: LogSink = (_level, line) => {
  process.stderr.write(`${line}\n`);
};

let processSink: LogSink = stderrSink;
/** A sink for one unit of work (a Function invocation): concurrent invocations each log to their own context. */
const scopedSink = new AsyncLocalStorage<LogSink>();

/** AZURE_LOG_LEVEL=info or verbose asks for the SDK's request lines; the gate's steps come with them. */
let debugOn = ["info", "verbose"].includes((process.env.AZURE_LOG_LEVEL ?? "").toLowerCase());
let debugWriter: ((line: string) => void) | undefined;
let onDebugEnabled: (() => void) | undefined;

/** Anything shaped like a JWT (an access token, an ID token, a ServiceAccount token). */
export function redactTokens(text: string): string {
  return text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[token]");
}

/** Sends a line to the current sink, as it is (the SDK bridge uses it for lines @azure/logger has already filtered). */
export function emit(level: LogLevel, line: string): void {
  (scopedSink.getStore() ?? processSink)(level, redactTokens(line));
}

/** The host's sink for the whole process (CLI, Action). */
export function setLogSink(sink: LogSink): void {
  processSink = sink;
}

/** Runs `work` with its own sink: every line logged inside it, however deep and however async, goes there. */
export function withLogSink<T>(sink: LogSink, work: () => T): T {
  return scopedSink.run(sink, work);
}

/** Turns the debug lines on (the CLI's --verbose, the runner's step debug). */
export function enableDebug(): void {
  debugOn = true;
  onDebugEnabled?.();
}

export function debugEnabled(): boolean {
  return debugOn;
}

/**
 * The SDK bridge routes the debug lines through @azure/logger, so they interleave with the SDK's; `enable`
 * switches the SDK's lines on with them (now, or when the host turns debug on later).
 */
export function useDebugWriter(writer: (line: string) => void, enable: () => void): void {
  debugWriter = writer;
  onDebugEnabled = enable;
  if (debugOn) enable();
}

export const log = {
  debug(line: string): void {
    if (!debugOn) return;
    if (debugWriter) debugWriter(line);
    else emit("debug", line);
  },
  info(line: string): void {
    emit("info", line);
  },
  warning(line: string): void {
    emit("warning", line);
  },
  error(line: string): void {
    emit("error", line);
  },
};
