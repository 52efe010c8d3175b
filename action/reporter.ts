/**
 * Everything the Action says on the runner's log, in one place: the runner's end of the log seam
 * (shared/log.ts), the finding annotations, the failing line and the secrets the runner must mask. Every
 * layer's lines (probe progress, rotation, with step debug the gate's steps and the Azure SDK's requests)
 * arrive through the seam and become workflow commands; the Action's own lines go the same way. JWT-shaped
 * text is masked on every line (the seam does it for seam lines; here for annotations and the failing line).
 * Outputs, the job summary and inputs stay with @actions/core where they are read or written: they are
 * not log lines.
 */
import * as core from "@actions/core";
import { enableDebug, log, redactTokens, setLogSink, type LogSink } from "../shared/log.js";

/** Where a finding's annotation points (a manifest file and line, when it has one). */
export type AnnotationProperties = core.AnnotationProperties;

const runnerSink: LogSink = (level, line) => {
  if (level === "debug") core.debug(line);
  else if (level === "info") core.info(line);
  else if (level === "warning") core.warning(line);
  else core.error(line);
};

/** Sends every layer's lines to the runner; step debug (RUNNER_DEBUG) turns the debug lines on. */
export function startRunnerLog(): void {
  setLogSink(runnerSink);
  if (core.isDebug()) enableDebug();
}

export const reporter = {
  debug: log.debug,
  info: log.info,
  warning: log.warning,
  /** A `::notice::` line: what the user chose or was refused, shown in the run's annotations. */
  notice(text: string, props?: AnnotationProperties): void {
    core.notice(redactTokens(text), props);
  },
  /** An annotation at `level` (a finding, a refused manifest): on its file and line when it has one. */
  annotate(level: "error" | "warning" | "notice", text: string, props?: AnnotationProperties): void {
    const safe = redactTokens(text);
    if (level === "error") core.error(safe, props);
    else if (level === "warning") core.warning(safe, props);
    else core.notice(safe, props);
  },
  /** The step's failing line (exit code 1). */
  fail(line: string): void {
    core.setFailed(redactTokens(line));
  },
  /** A value the runner masks in every later line of the job log (a token, the github-token input). */
  secret(value: string): void {
    core.setSecret(value);
  },
};
