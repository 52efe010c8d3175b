/**
 * The audit report's Markdown: a header naming the scope and run, what changed since the previous run
 * (new / fixed / still open), the rotations, then the findings rendered by shared/report (escaped,
 * size-capped under GitHub's 65,536-character issue body limit).
 */
import { formatTarget, type Report } from "../findings/model.js";
import { escapeMarkdown, renderMarkdown } from "../report/index.js";
import type { FindingDrift, FindingRef } from "./drift.js";

const ISSUE_BODY_LIMIT = 65_536;

function refs(list: readonly FindingRef[], max = 20): string {
  const lines = list.slice(0, max).map((r) => `- \`${r.id}\` ${escapeMarkdown(r.title)} — ${escapeMarkdown(formatTarget(r.target))}`);
  if (list.length > max) lines.push(`- … and ${list.length - max} more`);
  return lines.join("\n");
}

interface RotationSummary {
  appId: string;
  vault: string;
  secret: string;
  state: string;
  currentKeyId?: string;
}

export function renderAudit(report: Report, drift: FindingDrift): string {
  const meta = report.metadata;
  const head = [
    `# Azure auth compliance: ${escapeMarkdown(String(meta.scope ?? ""))}`,
    "",
    `Run \`${String(meta.runId ?? "")}\` · started ${String(meta.startedAt ?? "")} · generated ${meta.generatedAt}`,
    "",
    "## Since the previous run",
    "",
  ];
  if (!drift.previousRunId) head.push("First sweep of this scope: no baseline to compare with.");
  else {
    head.push(
      `Compared with run \`${drift.previousRunId}\`: **${drift.new.length} new**, **${drift.fixed.length} fixed**, ${drift.stillOpen.length} still open.`,
    );
    if (drift.new.length > 0) head.push("", "### New", "", refs(drift.new));
    if (drift.fixed.length > 0) head.push("", "### Fixed", "", refs(drift.fixed));
  }
  const rotations = (meta.rotations ?? []) as RotationSummary[];
  if (rotations.length > 0) {
    head.push("", "## Secret rotations", "", "| app | vault | secret | state | current keyId |", "|---|---|---|---|---|");
    for (const r of rotations)
      head.push(
        `| ${escapeMarkdown(r.appId)} | ${escapeMarkdown(r.vault)} | ${escapeMarkdown(r.secret)} | ${escapeMarkdown(r.state)} | ${escapeMarkdown(r.currentKeyId ?? "")} |`,
      );
  }
  const notices = (meta.notices ?? []) as string[];
  if (notices.length > 0) head.push("", "## How this run read the estate", "", ...notices.map((n) => `- ${escapeMarkdown(n)}`));
  const skipped = (meta.skipped ?? []) as { binding: string; reason: string }[];
  if (skipped.length > 0)
    head.push(
      "",
      `${skipped.length} binding(s) not checked:`,
      "",
      ...skipped.slice(0, 20).map((s) => `- ${escapeMarkdown(s.binding)}: ${escapeMarkdown(s.reason)}`),
    );
  const header = `${head.join("\n")}\n\n## Findings\n\n`;
  return header + renderMarkdown(report, { maxChars: ISSUE_BODY_LIMIT - header.length - 100, moreHint: "the JSON audit report in Blob" });
}
