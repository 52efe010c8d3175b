/**
 * "Fixes not on changed lines", the sticky comment's part of the one-click fixes: the edits GitHub
 * cannot take as suggestions (lines the PR did not change, files it does not touch), the findings
 * the fix leaves as TODOs with the reason, and the steps outside the manifests. User text goes
 * through the shared markdown escaping; proposed lines go in code blocks, and a proposed line that
 * may hold a secret value is never printed. Bounded in size: the rest is one `fix --diff` away.
 */
import type { FixOutcome, Unplaced } from "../shared/fix/index.js";
import { changeBlocks, sensitiveLines } from "../shared/fix/index.js";
import { formatTarget, type Finding } from "../shared/findings/model.js";
import { codeBlock, escapeMarkdown } from "../shared/report/index.js";
import { NPX_COMMAND, shWords } from "../shared/shell.js";

/** Room the section may take in the sticky comment (GitHub's limit is 65,536 characters in all). */
export const SECTION_LIMIT = 20_000;

export const SECTION_TITLE = "### Fixes not on changed lines";

export interface SectionInput {
  unplaced: readonly Unplaced[];
  outcome: Pick<FixOutcome, "changes" | "remaining" | "followUps">;
  /** Manifest paths for the `fix` command line shown to the reader. */
  manifests: readonly string[];
  /** Findings the config waived: their TODOs are not repeated. */
  waived?: readonly Finding[];
}

function lines(from: number, count: number): string {
  return count <= 1 ? `line ${from}` : `lines ${from}–${from + count - 1}`;
}

/** One unplaced edit: where, why, and the lines it would put there (secret-looking ones withheld). */
function unplacedItem(u: Unplaced, after: string | undefined): string {
  const { block } = u;
  const where = `${escapeMarkdown(u.path)}, ${block.oldCount > 0 ? lines(block.oldStart, block.oldCount) : `after line ${block.oldStart - 1}`}`;
  const action = block.oldCount === 0 ? "insert" : block.newLines.length === 0 ? "delete these lines" : "replace them with";
  const head = `- ${where} — ${escapeMarkdown(u.why)}; ${action}${block.newLines.length > 0 ? ":" : "."}`;
  if (block.newLines.length === 0) return head;
  const secret = sensitiveLines(after ?? "");
  const hidden = block.newLines.some((_, i) => secret.has(block.newStart + i));
  if (hidden) return `${head} (not shown: the lines may hold a secret value; run the fix locally)`;
  return `${head}\n${indent(codeBlock(block.newLines.join("\n"), "yaml"))}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n");
}

function findingKey(f: Finding): string {
  return `${f.id}|${f.location?.file ?? ""}|${f.location?.line ?? 0}|${formatTarget(f.target)}`;
}

/**
 * A line of the fixed text as a line of the pull request's file: the TODOs come from the check of the
 * fixed files, but the reader has the PR's version (a line inside inserted text maps to where it goes).
 */
export function lineBeforeFix(change: { before: string; after: string } | undefined, line: number): number {
  if (!change) return line;
  let shift = 0;
  for (const b of changeBlocks(change.before, change.after)) {
    if (line < b.newStart) break;
    if (line < b.newStart + b.newLines.length) return b.oldStart;
    shift += b.newLines.length - b.oldCount;
  }
  return line - shift;
}

function todoItem(r: FixOutcome["remaining"][number], changes: ReadonlyMap<string, { before: string; after: string }>): string {
  const f = r.finding;
  const where = f.location
    ? ` ${escapeMarkdown(`${f.location.file}:${lineBeforeFix(changes.get(f.location.file), f.location.line)}`)}`
    : "";
  const head = `- **${escapeMarkdown(f.id)}**${where} ${escapeMarkdown(formatTarget(f.target))} — ${escapeMarkdown(r.reason)}`;
  return r.guidance ? `${head}\n${indent(codeBlock(r.guidance))}` : head;
}

/** A follow-up is a sentence, then (maybe) the commands: the sentence as text, the commands verbatim. */
function followUpItem(text: string): string {
  const [first = "", ...rest] = text.split("\n");
  const body = rest.join("\n").trim();
  return body ? `- ${escapeMarkdown(first)}\n${indent(codeBlock(body))}` : `- ${escapeMarkdown(first)}`;
}

/** The section, or "" when there is nothing to say. */
export function renderFixSection(input: SectionInput, limit = SECTION_LIMIT): string {
  const waived = new Set((input.waived ?? []).map(findingKey));
  const todos = input.outcome.remaining.filter((r) => !waived.has(findingKey(r.finding)));
  const changes = new Map(input.outcome.changes.map((c) => [c.file, c]));
  const groups: Array<{ title: string; items: string[] }> = [
    { title: "", items: input.unplaced.map((u) => unplacedItem(u, changes.get(u.path)?.after)) },
    { title: "**Not fixed automatically** (do these by hand):", items: todos.map((r) => todoItem(r, changes)) },
    { title: "**Steps outside the manifests** the fixes rely on:", items: input.outcome.followUps.map(followUpItem) },
  ];
  const total = groups.reduce((n, g) => n + g.items.length, 0);
  if (total === 0) return "";
  const command = codeBlock(`${NPX_COMMAND} fix --diff ${shWords(input.manifests)}`, "sh");
  const intro = `${SECTION_TITLE}\n\nThe suggestions in this pull request's review cover only lines it changed. The rest of \`azure-auth-gate fix\`:`;
  const outro = `Apply every fix locally with \`--write\` (or see it as a patch with \`--diff\`):\n\n${command}`;
  const parts: string[] = [intro];
  let size = intro.length + outro.length + 200;
  let shown = 0;
  for (const g of groups) {
    const taken: string[] = [];
    for (const item of g.items) {
      if (size + item.length + g.title.length + 2 > limit) break;
      taken.push(item);
      size += item.length + 1;
    }
    if (taken.length > 0) parts.push(g.title ? `${g.title}\n\n${taken.join("\n")}` : taken.join("\n"));
    shown += taken.length;
    // Keep the order of importance: nothing from a later group once one is cut.
    if (taken.length < g.items.length) break;
  }
  if (shown < total) parts.push(`… and ${total - shown} more (not shown to keep this comment short).`);
  parts.push(outro);
  return parts.join("\n\n");
}
