/**
 * Finds the exact source ranges a fix edits, with the `yaml` package's document API (every node
 * keeps its [start, valueEnd, nodeEnd] offsets). The static layer's findings say which object and
 * line; this module turns that into the nodes to splice around. Aliases and merge keys are never
 * followed: an edit through an alias would change every place that uses it, so such shapes are left
 * to the user (the caller reports a TODO).
 */
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node as YamlNode, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { LineIndex } from "./splices.js";

export interface ParsedFile {
  file: string;
  text: string;
  lines: LineIndex;
  /** Object roots (documents, or items of a `kind: List`) by the 1-based line of their first key. */
  roots: Map<number, YAMLMap>;
  /** Document chunks: the line ranges between `---` separators, for adding and deleting whole objects. */
  chunks: DocChunk[];
  /** Objects that are items of a `kind: List` (they cannot be deleted or get a sibling document). */
  listItems: Set<number>;
}

export interface DocChunk {
  /** First and last line of the chunk's own text (comments included), 1-based, inclusive. */
  first: number;
  last: number;
  /** Line of the `---` separator before the chunk, when there is one. */
  separatorBefore?: number;
  /** Line of the `---` separator after it, when there is one. */
  separatorAfter?: number;
}

const SEPARATOR = /^---(\s|$)/;

function chunksOf(lines: LineIndex): DocChunk[] {
  const out: DocChunk[] = [];
  let first = 1;
  let before: number | undefined;
  for (let line = 1; line <= lines.lineCount; line++) {
    if (!SEPARATOR.test(lines.lineText(line))) continue;
    out.push({ first, last: line - 1, ...(before !== undefined ? { separatorBefore: before } : {}), separatorAfter: line });
    before = line;
    first = line + 1;
  }
  out.push({ first, last: lines.lineCount, ...(before !== undefined ? { separatorBefore: before } : {}) });
  return out;
}

export function parseFile(file: string, text: string): ParsedFile {
  const lines = new LineIndex(text);
  const roots = new Map<number, YAMLMap>();
  const listItems = new Set<number>();
  const docs = parseAllDocuments(text);
  for (const doc of Array.isArray(docs) ? docs : []) {
    const contents = doc.contents;
    if (!isMap(contents)) continue;
    const kind = scalarValue(pairOf(contents, "kind")?.value);
    const items = pairOf(contents, "items")?.value;
    if (kind?.endsWith("List") && isSeq(items)) {
      for (const item of items.items) {
        if (isMap(item) && item.range) {
          const line = lines.lineOf(item.range[0]);
          roots.set(line, item);
          listItems.add(line);
        }
      }
      continue;
    }
    if (contents.range) roots.set(lines.lineOf(contents.range[0]), contents);
  }
  return { file, text, lines, roots, chunks: chunksOf(lines), listItems };
}

export function scalarValue(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

/** The pair for `key` in a map (plain keys only; merge keys are not followed). */
export function pairOf(map: YAMLMap, key: string): Pair<YamlNode, YamlNode | null> | undefined {
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && String(item.key.value) === key) return item as Pair<YamlNode, YamlNode | null>;
  }
  return undefined;
}

export function mapAtPath(map: YAMLMap, path: readonly string[]): YAMLMap | undefined {
  let cur: YAMLMap | undefined = map;
  for (const key of path) {
    const v: unknown = cur ? pairOf(cur, key)?.value : undefined;
    cur = isMap(v) ? (v as YAMLMap) : undefined;
  }
  return cur;
}

export function seqAt(map: YAMLMap, key: string): YAMLSeq | undefined {
  const v = pairOf(map, key)?.value;
  return isSeq(v) ? (v as YAMLSeq) : undefined;
}

/** The map of a container by list (`containers` / `initContainers`) and name. */
export function containerMap(podSpec: YAMLMap, init: boolean, name: string): YAMLMap | undefined {
  const seq = seqAt(podSpec, init ? "initContainers" : "containers");
  for (const item of seq?.items ?? []) if (isMap(item) && scalarValue(pairOf(item, "name")?.value) === name) return item;
  return undefined;
}

/** A block map can take a new line; a flow map (`{a: b}`) or one with merge keys is left to the user. */
export function isEditableBlockMap(map: YAMLMap): boolean {
  return !map.flow && map.items.every((p) => isPair(p) && isScalar(p.key) && String(p.key.value) !== "<<");
}

/** 1-based line of a node's first character. */
export function startLine(f: ParsedFile, node: { range?: [number, number, number] | null } | null | undefined): number | undefined {
  return node?.range ? f.lines.lineOf(node.range[0]) : undefined;
}

/** The lines a map pair occupies: from its key to the last line of its value. */
export function pairLines(f: ParsedFile, pair: Pair<YamlNode, YamlNode | null>): { first: number; last: number } | undefined {
  const key = pair.key;
  if (!key.range) return undefined;
  const first = f.lines.lineOf(key.range[0]);
  const value = pair.value;
  const last = value?.range ? Math.max(first, f.lines.lastContentLine(value.range[1])) : first;
  return { first, last };
}

/** The lines a sequence item occupies, from its `-` to the last line of its content. */
export function itemLines(f: ParsedFile, item: YamlNode): { first: number; last: number } | undefined {
  if (!item.range) return undefined;
  // The node starts after "- "; the dash may sit on the line above (`-` alone, content below).
  let i = item.range[0] - 1;
  while (i >= 0 && (f.text[i] === " " || f.text[i] === "\n" || f.text[i] === "\r")) i--;
  const dash = f.text[i] === "-" ? i : item.range[0];
  return { first: f.lines.lineOf(dash), last: Math.max(f.lines.lineOf(dash), f.lines.lastContentLine(item.range[1])) };
}

/** Each line of the range holds only this item: nothing else starts on its first line before it. */
export function ownsWholeLines(f: ParsedFile, startOffset: number, first: number): boolean {
  return f.text.slice(f.lines.lineStart(first), startOffset).trim().replace(/^-\s*/, "") === "";
}

export function chunkOfLine(f: ParsedFile, line: number): DocChunk | undefined {
  return f.chunks.find((c) => c.first <= line && line <= c.last);
}
