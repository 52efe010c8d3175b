/**
 * Everything the Action leaves behind besides the PR comment: the job summary (markdown, capped under
 * the 1 MiB step limit), annotations on manifest lines, the JSON report file, the SARIF file, and the
 * step outputs. All text comes from the shared report renderers, which escape user content and never
 * carry secret values.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as core from "@actions/core";
import type { Finding, Report } from "../shared/findings/model.js";
import { formatTarget } from "../shared/findings/model.js";
import { JOB_SUMMARY_LIMIT, renderJson, renderMarkdown, renderSarif } from "../shared/report/index.js";
import { InputError } from "../shared/errors.js";
import { reporter } from "./reporter.js";

/** Room left under the step limit for the runner's own framing. */
const SUMMARY_BUDGET = JOB_SUMMARY_LIMIT - 16_384;

export async function writeJobSummary(report: Report, notices: string[]): Promise<void> {
  const head = notices.map((n) => `> [!NOTE]\n> ${n.replace(/\n/g, " ")}`).join("\n\n");
  const budget = SUMMARY_BUDGET - Buffer.byteLength(head, "utf8") - 4;
  const body = renderMarkdown(report, { maxChars: budget, moreHint: "download the JSON report (the `report` output) for the full list" });
  await core.summary.addRaw(head ? `${head}\n\n${body}` : body, true).write();
}

function annotationText(f: Finding): string {
  return `${f.id} ${f.title} (${formatTarget(f.target)}): ${f.evidence}`;
}

/** One annotation per finding; findings about a manifest line land on that line of the diff. */
export function annotate(report: Report): void {
  for (const f of report.findings) {
    if (f.waived) continue;
    const props = { title: `Azure Auth Gate ${f.id}`, ...(f.location ? { file: f.location.file, startLine: f.location.line } : {}) };
    reporter.annotate(f.severity === "error" ? "error" : f.severity === "warning" ? "warning" : "notice", annotationText(f), props);
  }
}

function writeFile(path: string, text: string, input: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (err) {
    throw new InputError(`cannot write ${path}: ${(err as Error).message.split("\n")[0] ?? ""}`, { field: `input ${input}` });
  }
}

/** Writes the JSON report where later steps can read it (RUNNER_TEMP on a runner) and returns its path. */
export function writeJsonReport(report: Report, dir: string): string {
  const path = resolve(join(dir, "azure-auth-gate-report.json"));
  writeFile(path, renderJson(report), "report");
  return path;
}

/** SARIF for github/codeql-action/upload-sarif; paths relative to the workspace so code scanning can place them. */
export function writeSarifFile(report: Report, path: string, workspace: string): string {
  const full = resolve(workspace, path);
  writeFile(full, renderSarif(report, { baseDir: workspace }), "sarif");
  return full;
}

export function setOutputs(
  report: Report,
  reportPath: string,
  commentUrl: string | undefined,
  suggestions?: { created: number; kept: number },
): void {
  core.setOutput("verdict", report.verdict);
  core.setOutput("errors", report.summary.errors);
  core.setOutput("warnings", report.summary.warnings);
  core.setOutput("report", reportPath);
  core.setOutput("comment-url", commentUrl ?? "");
  // Suggestions live on the PR after this run (posted now or kept from earlier runs).
  core.setOutput("suggestions", suggestions ? suggestions.created + suggestions.kept : 0);
}
