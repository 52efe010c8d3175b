/**
 * The text edits a fix is made of, each a splice at a known position of the user's file: set a
 * scalar (keeping its quoting), add a map entry (at the map's own indentation, creating missing
 * parent keys), remove an entry or a list item (whole lines), add or delete a whole document. Each
 * returns the splices, or a reason the shape cannot be edited safely (flow style, aliases, block
 * scalars…), which the caller reports as a TODO instead of guessing.
 */
import { isMap, isScalar, Scalar, type Node as YamlNode, type Pair, type YAMLMap } from "yaml";
import { chunkOfLine, isEditableBlockMap, pairLines, pairOf, type ParsedFile } from "./locate.js";
import type { Splice } from "./splices.js";

export type EditResult = { ok: true; splices: Splice[] } | { ok: false; reason: string };

/** A new map entry: `key: value` or `key:` with nested entries. `value` is YAML text (already quoted). */
export type NewEntry = { key: string; value: string } | { key: string; children: NewEntry[] };

const fail = (reason: string): EditResult => ({ ok: false, reason });
const done = (...splices: Splice[]): EditResult => ({ ok: true, splices });

function renderEntry(e: NewEntry, indent: number, step: number): string[] {
  const pad = " ".repeat(indent);
  if ("value" in e) return [`${pad}${e.key}: ${e.value}`];
  return [`${pad}${e.key}:`, ...e.children.flatMap((c) => renderEntry(c, indent + step, step))];
}

/** A YAML double-quoted string. */
export function doubleQuoted(value: string): string {
  return JSON.stringify(value);
}

/** Scalar text for a new value: plain when YAML reads it back as the same string, else double-quoted. */
export function scalarText(value: string, forceQuote = false): string {
  if (forceQuote) return doubleQuoted(value);
  const plain =
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~|y|n)$/i.test(value) && !/^[0-9._-]+$/.test(value);
  return plain ? value : doubleQuoted(value);
}

/** Replaces a scalar's text, in the same quoting style (plain stays plain only when that is still a string). */
export function setScalar(node: Scalar, value: string, forceQuote = false): EditResult {
  if (!node.range) return fail("the value has no position in the file");
  let text: string;
  switch (node.type) {
    case Scalar.QUOTE_DOUBLE:
      text = doubleQuoted(value);
      break;
    case Scalar.QUOTE_SINGLE:
      text = `'${value.replace(/'/g, "''")}'`;
      break;
    case Scalar.PLAIN:
      text = scalarText(value, forceQuote);
      break;
    default:
      return fail("the value is a block scalar (| or >)");
  }
  return done({ start: node.range[0], end: node.range[1], insert: text });
}

function keyColumn(f: ParsedFile, pair: Pair<YamlNode, YamlNode | null>): number | undefined {
  const start = pair.key.range?.[0];
  if (start === undefined) return undefined;
  return start - f.lines.lineStart(f.lines.lineOf(start));
}

/**
 * Indentation step of the file around a map: how far an entry's nested block map is indented below
 * its key, else the map's entries' column minus its parent key's, else 2.
 */
function stepOf(f: ParsedFile, map: YAMLMap, parentKeyLine: number | undefined): number {
  const valid = (n: number | undefined) => (n !== undefined && n > 0 && n <= 8 ? n : undefined);
  for (const p of map.items as Pair<YamlNode, YamlNode | null>[]) {
    const inner = isMap(p.value) && !p.value.flow ? (p.value.items[0] as Pair<YamlNode, YamlNode | null> | undefined) : undefined;
    const outerCol = keyColumn(f, p);
    const innerCol = inner ? keyColumn(f, inner) : undefined;
    const step = valid(innerCol !== undefined && outerCol !== undefined ? innerCol - outerCol : undefined);
    if (step) return step;
  }
  const first = map.items[0] as Pair<YamlNode, YamlNode | null> | undefined;
  const col = first ? keyColumn(f, first) : undefined;
  return valid(col !== undefined && parentKeyLine !== undefined ? col - f.lines.indentOf(parentKeyLine) : undefined) ?? 2;
}

/** Adds `entry` to a non-empty block map: after its last entry, or before its first (`first`). */
export function addEntry(f: ParsedFile, map: YAMLMap, entry: NewEntry, opts: { first?: boolean; parentKeyLine?: number } = {}): EditResult {
  if (!isEditableBlockMap(map)) return fail("the map is written in flow style ({…}) or uses merge keys");
  const pairs = map.items as Pair<YamlNode, YamlNode | null>[];
  const firstPair = pairs[0];
  const lastPair = pairs[pairs.length - 1];
  if (!firstPair || !lastPair) return fail("the map is empty");
  const indent = keyColumn(f, firstPair);
  if (indent === undefined) return fail("the map has no position in the file");
  const step = stepOf(f, map, opts.parentKeyLine);
  const lines = renderEntry(entry, indent, step);
  const eol = f.lines.eol;
  const firstLine = f.lines.lineOf(firstPair.key.range?.[0] ?? 0);
  const startsLine = f.lines.indentOf(firstLine) === indent;
  if (opts.first && startsLine)
    return done({ start: f.lines.lineStart(firstLine), end: f.lines.lineStart(firstLine), insert: lines.map((l) => l + eol).join("") });
  const span = pairLines(f, lastPair);
  if (!span) return fail("the map has no position in the file");
  const at = f.lines.lineEnd(span.last);
  return done({ start: at, end: at, insert: lines.map((l) => eol + l).join("") });
}

/**
 * Makes `path` exist under `map` and puts `leaf` at its end: adds the first missing key with the rest
 * nested below it, fills a key whose value is empty (`labels:` / `labels: {}` / `labels: null`), or
 * adds to the existing innermost map. Refuses when a key on the path holds something else.
 */
export function ensureEntry(
  f: ParsedFile,
  map: YAMLMap,
  path: readonly string[],
  leaf: NewEntry,
  opts: { first?: boolean } = {},
): EditResult {
  let cur = map;
  let parentKeyLine: number | undefined;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] ?? "";
    const pair = pairOf(cur, key);
    const rest: NewEntry = path.slice(i + 1).reduceRight<NewEntry>((child, k) => ({ key: k, children: [child] }), leaf);
    // A missing `metadata` goes before `spec`, as everyone writes it; anything else after the last entry.
    if (!pair)
      return addEntry(
        f,
        cur,
        { key, children: [rest] },
        { first: key === "metadata", ...(parentKeyLine !== undefined ? { parentKeyLine } : {}) },
      );
    const keyLine = f.lines.lineOf(pair.key.range?.[0] ?? 0);
    const value = pair.value;
    const empty =
      value === null ||
      (isScalar(value) && (value.value === null || value.value === undefined)) ||
      (isMap(value) && value.flow && value.items.length === 0);
    if (empty) {
      const pad = f.lines.indentOf(keyLine) + stepOf(f, cur, parentKeyLine);
      const lines = renderEntry(rest, pad, 2);
      const body = lines.map((l) => f.lines.eol + l).join("");
      // `labels:` → insert below the key; `labels: {}` / `labels: null` → replace the empty value.
      if (value?.range)
        return done({ start: value.range[0] - (f.text[value.range[0] - 1] === " " ? 1 : 0), end: value.range[1], insert: body });
      const at = f.lines.lineEnd(keyLine);
      const comment = f.text.slice(f.lines.lineStart(keyLine), at).indexOf("#");
      if (comment >= 0) return fail(`'${key}' is empty and followed by a comment`);
      return done({ start: at, end: at, insert: body });
    }
    if (!isMap(value)) return fail(`'${key}' is not a map`);
    cur = value;
    parentKeyLine = keyLine;
  }
  return addEntry(f, cur, leaf, { ...opts, ...(parentKeyLine !== undefined ? { parentKeyLine } : {}) });
}

/** Deletes whole lines `first..last` (their line endings included). */
export function removeLines(f: ParsedFile, first: number, last: number): Splice {
  const end = f.lines.lineEndWithEol(last);
  // The file's last line may have no line ending: then eat the one before the range instead.
  if (end === f.text.length && !f.text.endsWith("\n") && first > 1) return { start: f.lines.lineEnd(first - 1), end, insert: "" };
  return { start: f.lines.lineStart(first), end, insert: "" };
}

/** Deletes a whole document (its comments and one adjacent `---`). Objects inside a `kind: List` are refused. */
export function deleteDocument(f: ParsedFile, objectLine: number): EditResult {
  if (f.listItems.has(objectLine)) return fail("the object is an item of a kind: List");
  const chunk = chunkOfLine(f, objectLine);
  if (!chunk) return fail("the object's document was not found");
  const first = chunk.separatorBefore ?? chunk.first;
  const last = chunk.separatorBefore !== undefined ? chunk.last : (chunk.separatorAfter ?? chunk.last);
  return done(removeLines(f, first, last));
}

/** Inserts a new document (YAML lines, no separators) just before the object's own document. */
export function insertDocumentBefore(f: ParsedFile, objectLine: number, doc: readonly string[]): EditResult {
  if (f.listItems.has(objectLine)) return fail("the object is an item of a kind: List");
  const chunk = chunkOfLine(f, objectLine);
  if (!chunk) return fail("the object's document was not found");
  const eol = f.lines.eol;
  const at = f.lines.lineStart(chunk.first);
  return done({ start: at, end: at, insert: [...doc, "---"].map((l) => l + eol).join("") });
}
