/**
 * `--format markdown`: what the PR comment and the job summary show. The verdict line comes first, then
 * one table row per finding, then each finding's evidence and fix in a `<details>` block. Everything that
 * comes from the user's resources is escaped (`escapeMarkdown`) and fixes sit in a fence no backtick run
 * can close, so a namespace named `</details><img src=x onerror=…>` renders as text.
 *
 * `maxChars` keeps the output under GitHub's limits (PR comment body: 65,536 characters; job summary:
 * 1 MiB): fix blocks are dropped from the least severe end first, then table rows, with a line saying how
 * many findings are not shown. Size is counted in UTF-8 bytes, which is never less than characters.
 */
import { formatTarget, type Finding, type Report, type Verdict } from "../findings/model.js";
import { aboutParts, plural, summaryCounts } from "./build.js";
import { codeBlock, escapeMarkdown } from "./markdown-escape.js";

/** GitHub's limit on a PR / issue comment body. */
export const PR_COMMENT_LIMIT = 65_536;
/** GitHub's limit on one step's job summary ($GITHUB_STEP_SUMMARY). */
export const JOB_SUMMARY_LIMIT = 1_048_576;

export interface MarkdownOptions {
  /** Upper bound on the output's size; omitted = no cap. */
  maxChars?: number;
  /** Where the findings left out of a capped report can be read in full. */
  moreHint?: string;
}

const VERDICT_ICON: Record<Verdict, string> = { pass: "✅", warn: "⚠️", fail: "❌" };
const SEVERITY_ICON: Record<Finding["severity"], string> = { error: "❌", warning: "⚠️", info: "ℹ️" };

export function verdictLine(report: Report): string {
  const counts = summaryCounts(report.summary);
  return `${VERDICT_ICON[report.verdict]} **Azure Auth Gate: ${report.verdict}** — ${counts.join(", ")}`;
}

function locationCell(f: Finding): string {
  return f.location ? escapeMarkdown(`${f.location.file}:${f.location.line}`) : "—";
}

function tableRow(f: Finding): string {
  const severity = f.waived ? `~~${f.severity}~~ waived` : `${SEVERITY_ICON[f.severity]} ${f.severity}`;
  const title = f.waived ? `${escapeMarkdown(f.title)} (waived: ${escapeMarkdown(f.waived.reason)})` : escapeMarkdown(f.title);
  return `| ${f.id} | ${severity} | ${escapeMarkdown(formatTarget(f.target))} | ${locationCell(f)} | ${title} |`;
}

const TABLE_HEAD = "| ID | severity | target | location | finding |\n|---|---|---|---|---|";

function fixBlock(f: Finding): string {
  const summary = `${f.id} · ${escapeMarkdown(formatTarget(f.target))} — ${escapeMarkdown(f.title)}`;
  // The blank lines around the body end the raw-HTML block, so the evidence and fence are markdown again.
  return `<details><summary>${summary}</summary>\n\n**Seen:** ${escapeMarkdown(f.evidence)}\n\n**Fix:**\n\n${codeBlock(f.fix)}\n\n</details>`;
}

function footer(report: Report): string {
  return `<sub>${escapeMarkdown(aboutParts(report.metadata).join(" · "))}</sub>`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

interface Parts {
  head: string;
  rows: string[];
  fixes: string[];
  foot: string;
}

function assemble(p: Parts, rowCount: number, fixCount: number, hint: string): string {
  const sections = [p.head];
  if (p.rows.length > 0) {
    const rows = p.rows.slice(0, rowCount);
    const hidden = p.rows.length - rows.length;
    sections.push([TABLE_HEAD, ...rows].join("\n") + (hidden > 0 ? `\n\n… ${plural(hidden, "more finding")}: ${hint}` : ""));
    if (fixCount > 0) sections.push(`#### Fixes\n\n${p.fixes.slice(0, fixCount).join("\n\n")}`);
    if (fixCount < p.fixes.length && rowCount === p.rows.length)
      sections.push(`… fixes for ${plural(p.fixes.length - fixCount, "more finding")}: ${hint}`);
  }
  sections.push(p.foot);
  return `${sections.join("\n\n")}\n`;
}

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const hint = options.moreHint ?? "see the job summary";
  const live = report.findings.filter((f) => !f.waived);
  const parts: Parts = {
    head: report.findings.length === 0 ? `${verdictLine(report)}\n\nNo findings.` : verdictLine(report),
    rows: report.findings.map(tableRow),
    // Waived findings are listed in the table (with their reason) but need no fix.
    fixes: live.map(fixBlock),
    foot: footer(report),
  };
  const full = assemble(parts, parts.rows.length, parts.fixes.length, hint);
  const max = options.maxChars;
  if (max === undefined || byteLength(full) <= max) return full;

  // Keep as many fix blocks as fit, then as many rows; findings are sorted most severe first, so the
  // least severe go first. Both searches are binary: output size grows with either count.
  const fixes = largestFitting(parts.fixes.length - 1, (k) => assemble(parts, parts.rows.length, k, hint), max);
  if (fixes !== undefined) return fixes;
  const rows = largestFitting(parts.rows.length - 1, (k) => assemble(parts, k, 0, hint), max);
  if (rows !== undefined) return rows;
  // Not even the verdict fits: the verdict line alone, cut to the limit (it holds no user content).
  return truncateBytes(`${verdictLine(report)}\n`, max);
}

/** The render for the largest k in [0, upTo] whose output fits in `max` bytes, if any. */
function largestFitting(upTo: number, render: (k: number) => string, max: number): string | undefined {
  let low = 0;
  let high = upTo;
  let best: string | undefined;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const text = render(mid);
    if (byteLength(text) <= max) {
      best = text;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return best;
}

function truncateBytes(text: string, max: number): string {
  let out = [...text];
  while (out.length > 0 && byteLength(out.join("")) > max) out = out.slice(0, -1);
  return out.join("");
}
