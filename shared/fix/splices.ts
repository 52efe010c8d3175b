/**
 * Line arithmetic over a file's exact text. Fixes are text splices at known offsets (never a
 * re-serialisation), so everything here keeps the file's own line endings and indentation.
 */

/** A replacement of `text.slice(start, end)` by `insert`. Offsets are into the text being edited. */
export interface Splice {
  start: number;
  end: number;
  insert: string;
}

export class LineIndex {
  /** Offset of the first character of each line (index 0 = line 1). */
  readonly starts: number[];
  /** The file's line ending ("\r\n" when the file uses it, else "\n"): inserted lines use the same. */
  readonly eol: string;

  constructor(readonly text: string) {
    this.starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    this.eol = text.includes("\r\n") ? "\r\n" : "\n";
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Offset of the first character of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }

  /** Offset just past a line's content (before its "\n" or "\r\n"). */
  lineEnd(line: number): number {
    const next = this.starts[line];
    if (next === undefined) return this.text.length;
    return this.text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
  }

  /** Offset just past a line including its line ending (the start of the next line). */
  lineEndWithEol(line: number): number {
    return this.starts[line] ?? this.text.length;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  /** Leading spaces of a line. */
  indentOf(line: number): number {
    const t = this.lineText(line);
    return t.length - t.trimStart().length;
  }

  /** Line of the last non-blank character before `offset` (where a node's content really ends). */
  lastContentLine(offset: number): number {
    let i = Math.min(offset, this.text.length) - 1;
    while (i > 0 && /\s/.test(this.text[i] ?? "")) i--;
    return this.lineOf(Math.max(i, 0));
  }
}

/** Applies non-overlapping splices (any order); throws on overlap, which is a planning bug. */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const sorted = [...splices].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let pos = 0;
  for (const s of sorted) {
    if (s.start < pos) throw new Error(`overlapping edits at offset ${s.start}`);
    out += text.slice(pos, s.start) + s.insert;
    pos = s.end;
  }
  return out + text.slice(pos);
}

/** True when two splices touch the same characters; an insert at either edge of a replaced range does not. */
export function overlaps(a: Splice, b: Splice): boolean {
  const aInsert = a.start === a.end;
  const bInsert = b.start === b.end;
  if (aInsert && bInsert) return false;
  if (aInsert) return a.start > b.start && a.start < b.end;
  if (bInsert) return b.start > a.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}
