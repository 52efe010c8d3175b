/**
 * PR suggestions, host-neutral: the fix's changes become GitHub review comments with ```suggestion
 * blocks on the exact lines (one comment per contiguous replaced line range; `start_line`/`line` on
 * the RIGHT side), placed only where the pull request itself changed lines — GitHub refuses comments
 * outside a diff hunk, and a suggestion on lines the author did not touch is noise. Everything else
 * is returned as `unplaced`, for the sticky PR comment. The caller (the Action) fetches
 * `GET /repos/{o}/{r}/pulls/{n}/files` and posts `comments` with `pulls.createReview`.
 */
import type { Finding } from "../findings/model.js";
import { fenceFor } from "../markdown-fence.js";
import { changeBlocks, splitLines, type ChangeBlock } from "./diff.js";
import { sensitiveLines } from "./sensitive.js";

/** The RIGHT-side (head) lines a pull request's patch shows for one file. */
export interface PatchLines {
  /** Each hunk's head line range, inclusive: a review comment must lie within one. */
  hunks: Array<{ start: number; end: number }>;
  /** Head lines the pull request added or changed. */
  added: Set<number>;
  /** Head line number → its text (line ending's `\r` dropped), for every context and added line shown. */
  head: Map<number, string>;
}

const lineText = (l: string) => (l.endsWith("\r") ? l.slice(0, -1) : l);

/**
 * Parses the `patch` of one entry of `GET /pulls/{n}/files` (hunks only). Lines before the first
 * hunk (`---`/`+++` file headers, if any) are skipped; inside a hunk the first character alone
 * decides, so an added line whose text starts with `++` is an added line, not a header.
 */
export function parsePatch(patch: string): PatchLines {
  const out: PatchLines = { hunks: [], added: new Set(), head: new Map() };
  let right = 0;
  let inHunk = false;
  for (const line of patch.split("\n")) {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (header) {
      right = Number(header[1]);
      inHunk = true;
      const count = header[2] === undefined ? 1 : Number(header[2]);
      if (count > 0) out.hunks.push({ start: right, end: right + count - 1 });
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith("+")) out.added.add(right);
    else if (!line.startsWith(" ") && line !== "") continue;
    out.head.set(right++, lineText(line.slice(1)));
  }
  return out;
}

export interface ReviewComment {
  path: string;
  body: string;
  /** Last line of the range (head side). */
  line: number;
  side: "RIGHT";
  start_line?: number;
  start_side?: "RIGHT";
}

/** One file the fix changed; `path` is repository-relative (what the PR files API calls `filename`). */
export interface FixedFile {
  path: string;
  before: string;
  after: string;
}

export interface Unplaced {
  path: string;
  /** Head lines the change replaces (oldStart..oldStart+oldCount-1; an insertion goes after oldStart-1). */
  block: ChangeBlock;
  why: string;
}

export interface Suggestions {
  comments: ReviewComment[];
  unplaced: Unplaced[];
}

/** Longer than any backtick run anywhere in the lines (an indented or mid-line run counts too), so none closes it. */
function fence(lines: readonly string[]): string {
  return fenceFor(lines.join("\n"));
}

/** The head lines a suggestion replaces and what it puts there (an insertion re-states a neighbour line). */
function anchored(
  block: ChangeBlock,
  head: readonly string[],
  sensitive: ReadonlySet<number>,
): { start: number; end: number; body: string[] } | undefined {
  if (block.oldCount > 0) return { start: block.oldStart, end: block.oldStart + block.oldCount - 1, body: block.newLines };
  const before = block.oldStart - 1;
  if (before >= 1 && !sensitive.has(before)) return { start: before, end: before, body: [head[before - 1] ?? "", ...block.newLines] };
  const after = block.oldStart;
  if (after <= head.length && !sensitive.has(after)) return { start: after, end: after, body: [...block.newLines, head[after - 1] ?? ""] };
  return undefined;
}

function describeFixes(path: string, start: number, end: number, fixed: readonly Finding[]): string {
  const near = fixed.filter((f) => f.location?.file === path && f.location.line >= start - 5 && f.location.line <= end + 5);
  const list = [...new Map(near.map((f) => [`${f.id}|${f.title}`, `${f.id} ${f.title}`])).values()];
  return list.length > 0 ? `**azure-auth-gate fix** — ${list.join("; ")}` : "**azure-auth-gate fix**";
}

/**
 * Review comments for the fix's changes that fall on lines the pull request changed; the rest as
 * `unplaced`. `prFiles` is the PR files listing (`filename`, `patch`); `fixed` names the findings in
 * the comment body (their `location.file` must be the same repository-relative paths).
 */
export function suggestFixes(
  files: readonly FixedFile[],
  prFiles: ReadonlyArray<{ filename: string; patch?: string }>,
  fixed: readonly Finding[] = [],
): Suggestions {
  const out: Suggestions = { comments: [], unplaced: [] };
  const patches = new Map(prFiles.map((f) => [f.filename, f.patch === undefined ? undefined : parsePatch(f.patch)]));
  for (const file of files) {
    const head = splitLines(file.before);
    const sensitive = sensitiveLines(file.before);
    const patch = patches.get(file.path);
    for (const block of changeBlocks(file.before, file.after)) {
      const skip = (why: string) => out.unplaced.push({ path: file.path, block, why });
      if (!patch) {
        skip(
          patches.has(file.path)
            ? "GitHub shows no patch for this file (too large or binary)"
            : "the pull request does not change this file",
        );
        continue;
      }
      const range = anchored(block, head, sensitive);
      if (!range) {
        skip("every line around the change may hold a secret value");
        continue;
      }
      let touchesSecret = false;
      for (let l = range.start; l <= range.end; l++) if (sensitive.has(l)) touchesSecret = true;
      if (touchesSecret) {
        skip("the lines it replaces may hold a secret value");
        continue;
      }
      const inHunk = patch.hunks.some((h) => h.start <= range.start && range.end <= h.end);
      let touched = false;
      for (let l = range.start; l <= range.end; l++) if (patch.added.has(l)) touched = true;
      if (!inHunk || !touched) {
        skip("the pull request does not change these lines");
        continue;
      }
      const f = fence(range.body);
      out.comments.push({
        path: file.path,
        body: `${describeFixes(file.path, range.start, range.end, fixed)}\n\n${f}suggestion\n${range.body.map((l) => `${l}\n`).join("")}${f}`,
        line: range.end,
        side: "RIGHT",
        ...(range.start < range.end ? { start_line: range.start, start_side: "RIGHT" as const } : {}),
      });
    }
  }
  return out;
}
