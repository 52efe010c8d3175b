/**
 * Line diff of a file before and after the fix (Myers' O(ND) algorithm: fixes change a handful of
 * lines, so D is tiny), as change blocks (for PR suggestions) and as a unified diff (for --diff).
 * Context lines never include a line that may reveal a secret value: the hunk's context stops short
 * of it (a unified diff may carry less context than usual; `git apply` and `patch` accept that).
 */

export type LineOp = { op: "equal"; a: number; b: number } | { op: "delete"; a: number } | { op: "insert"; b: number };

/** Splits text into lines without their endings (a final line ending makes no extra empty line). */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

/** Myers diff of two line arrays; indexes are 0-based. */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    v = next;
  }
  trace.push(v);
  // Walk back through the saved frontiers.
  const ops: LineOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 2; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d] ?? new Int32Array(0);
    const k = x - y;
    const down = k === -d || (k !== d && (vd[offset + k - 1] ?? 0) < (vd[offset + k + 1] ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd[offset + prevK] ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ op: "equal", a: --x, b: --y });
    if (d > 0) {
      if (down) ops.push({ op: "insert", b: --y });
      else ops.push({ op: "delete", a: --x });
    }
  }
  while (x > 0 && y > 0) ops.push({ op: "equal", a: --x, b: --y });
  return ops.reverse();
}

/** One contiguous change: old lines [oldStart, oldStart + oldCount) become `newLines` (1-based). */
export interface ChangeBlock {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newLines: string[];
}

export function changeBlocks(before: string, after: string): ChangeBlock[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const out: ChangeBlock[] = [];
  let cur: ChangeBlock | undefined;
  let ai = 0;
  let bi = 0;
  for (const op of diffLines(a, b)) {
    if (op.op === "equal") {
      cur = undefined;
      ai = op.a + 1;
      bi = op.b + 1;
      continue;
    }
    if (!cur) {
      cur = { oldStart: ai + 1, oldCount: 0, newStart: bi + 1, newLines: [] };
      out.push(cur);
    }
    if (op.op === "delete") {
      cur.oldCount++;
      ai = op.a + 1;
    } else {
      cur.newLines.push(b[op.b] ?? "");
      bi = op.b + 1;
    }
  }
  return out;
}

interface HunkLine {
  tag: " " | "-" | "+";
  text: string;
}

/**
 * A unified diff of one file. `sensitive` holds 1-based lines of `before` that must not be printed as
 * context; a change never touches them (the planners do not edit secrets).
 */
export function unifiedDiff(file: string, before: string, after: string, sensitive: ReadonlySet<number> = new Set(), context = 3): string {
  const a = splitLines(before);
  const blocks = changeBlocks(before, after);
  if (blocks.length === 0) return "";
  const newTotal = splitLines(after).length;
  const hunks: string[] = [];
  // Group blocks whose context would touch, unless a sensitive line lies between them.
  let group: ChangeBlock[] = [];
  const flush = () => {
    if (group.length > 0)
      hunks.push(renderHunk(a, newTotal, group, sensitive, context, { old: missingEol(before), new: missingEol(after) }));
    group = [];
  };
  for (const block of blocks) {
    const prev = group[group.length - 1];
    if (prev) {
      const gapStart = prev.oldStart + prev.oldCount;
      const gapEnd = block.oldStart - 1;
      let blocked = false;
      for (let l = gapStart; l <= gapEnd; l++) if (sensitive.has(l)) blocked = true;
      if (blocked || gapEnd - gapStart + 1 > 2 * context) flush();
    }
    group.push(block);
  }
  flush();
  return `--- a/${file}\n+++ b/${file}\n${hunks.join("")}`;
}

function missingEol(text: string): boolean {
  return text !== "" && !text.endsWith("\n");
}

const NO_EOL = "\\ No newline at end of file\n";

function renderHunk(
  a: readonly string[],
  newTotal: number,
  group: readonly ChangeBlock[],
  sensitive: ReadonlySet<number>,
  context: number,
  noEol: { old: boolean; new: boolean },
): string {
  const firstBlock = group[0];
  const lastBlock = group[group.length - 1];
  if (!firstBlock || !lastBlock) return "";
  // Context before: up to `context` lines, stopping at a sensitive one.
  let start = firstBlock.oldStart;
  while (start > 1 && firstBlock.oldStart - start < context && !sensitive.has(start - 1)) start--;
  let end = lastBlock.oldStart + lastBlock.oldCount - 1;
  const lastOld = end;
  while (end < a.length && end - lastOld < context && !sensitive.has(end + 1)) end++;
  const lines: Array<HunkLine & { oldLine?: number; newLine?: number }> = [];
  let line = start;
  let newStart = firstBlock.newStart - (firstBlock.oldStart - start);
  let newLine = newStart;
  for (const block of group) {
    for (; line < block.oldStart; line++) lines.push({ tag: " ", text: a[line - 1] ?? "", oldLine: line, newLine: newLine++ });
    for (let i = 0; i < block.oldCount; i++, line++) lines.push({ tag: "-", text: a[line - 1] ?? "", oldLine: line });
    for (const t of block.newLines) lines.push({ tag: "+", text: t, newLine: newLine++ });
  }
  for (; line <= end; line++) lines.push({ tag: " ", text: a[line - 1] ?? "", oldLine: line, newLine: newLine++ });
  const oldCount = lines.filter((l) => l.tag !== "+").length;
  const newCount = lines.filter((l) => l.tag !== "-").length;
  const oldFrom = oldCount === 0 ? start - 1 : start;
  if (newCount === 0) newStart -= 1;
  const range = (from: number, count: number) => (count === 1 ? `${from}` : `${from},${count}`);
  // The last line of a side without a final line ending carries git's marker; a context line whose
  // ending differs between the sides (it was last, now is followed by more) is shown removed and added.
  const render = (l: HunkLine & { oldLine?: number; newLine?: number }) => {
    const oldNoEol = noEol.old && l.oldLine === a.length;
    const newNoEol = noEol.new && l.newLine === newTotal;
    if (l.tag === " " && oldNoEol !== newNoEol) return `-${l.text}\n${oldNoEol ? NO_EOL : ""}+${l.text}\n${newNoEol ? NO_EOL : ""}`;
    return `${l.tag}${l.text}\n${(l.tag === "+" ? newNoEol : oldNoEol) ? NO_EOL : ""}`;
  };
  return `@@ -${range(oldFrom, oldCount)} +${range(newStart, newCount)} @@\n${lines.map(render).join("")}`;
}
