/** Report formats shared by every host (CLI, GitHub Action, Azure Function). */
import type { Report } from "../findings/model.js";
import { renderJson } from "./json.js";
import { renderMarkdown, type MarkdownOptions } from "./markdown.js";
import { renderSarif, type SarifOptions } from "./sarif.js";
import { renderText, type TextOptions } from "./text.js";

export const REPORT_FORMATS = ["text", "json", "markdown", "sarif"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export interface RenderOptions {
  text?: TextOptions;
  markdown?: MarkdownOptions;
  sarif?: SarifOptions;
}

export function renderReport(report: Report, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case "text":
      return renderText(report, options.text);
    case "json":
      return renderJson(report);
    case "markdown":
      return renderMarkdown(report, options.markdown);
    case "sarif":
      return renderSarif(report, options.sarif);
  }
}

export { aboutParts, buildReport, plural, runMetadata, summaryCounts } from "./build.js";
export { renderJson, toJsonReport, type JsonFinding, type JsonReport } from "./json.js";
export { renderMarkdown, verdictLine, PR_COMMENT_LIMIT, JOB_SUMMARY_LIMIT, type MarkdownOptions } from "./markdown.js";
export { escapeMarkdown, codeBlock, fenceFor } from "./markdown-escape.js";
export { renderSarif, toSarif, sarifLevel, artifactUri, type SarifLog, type SarifOptions } from "./sarif.js";
export { renderText, sanitizeForTerminal, type TextOptions } from "./text.js";
export { renderRules, renderRulesJson, renderRulesMarkdown, renderRulesTable, type RulesFormat } from "./rules.js";
