/**
 * A small, line-aware tree built from the `yaml` package's document API. Every map entry keeps the
 * 1-based line of its key, so findings can point at the exact key the user has to change (we never
 * re-serialise). Aliases are expanded here with our own caps, because the rules walk this tree, not
 * `toJS()`: a billion-laughs document or absurd nesting becomes an InputError instead of a hang or a
 * stack overflow.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from "yaml";
import { InputError } from "../errors.js";

export type YScalarValue = string | number | boolean | bigint | null;

export interface YMap {
  type: "map";
  line: number;
  entries: Map<string, YEntry>;
}
export interface YEntry {
  key: string;
  keyLine: number;
  value: YNode;
}
export interface YSeq {
  type: "seq";
  line: number;
  items: YNode[];
}
export interface YScalar {
  type: "scalar";
  line: number;
  value: YScalarValue;
}
export type YNode = YMap | YSeq | YScalar;

/** Deeper than any real Kubernetes object (a CRD schema nests ~30 levels); protects the recursive walk. */
export const MAX_DEPTH = 128;
/**
 * Nodes copied by alias expansion per document. Real manifests alias a few small maps (merge keys,
 * shared env lists); a "billion laughs" document needs billions. Plain nodes are bounded by the file cap.
 */
export const MAX_ALIASED_NODES = 100_000;

interface Budget {
  /** Nodes produced inside alias expansions so far. */
  aliased: number;
  file: string;
  doc: Document;
  lines: LineCounter;
  /** Alias → its anchored node: `Alias.resolve` walks the whole document, far too slow to repeat per expansion. */
  anchors: Map<unknown, unknown>;
}

function lineOf(budget: Budget, node: YamlNode | null | undefined, fallback: number): number {
  const start = node?.range?.[0];
  return start === undefined ? fallback : budget.lines.linePos(start).line;
}

function keyText(key: unknown): string {
  // With `merge: true`, yaml marks a merge key with Symbol(<<).
  if (isScalar(key)) return typeof key.value === "symbol" ? (key.value.description ?? "") : String(key.value);
  if (key === null || key === undefined) return "";
  // Complex keys ({a: 1}: x) never appear in Kubernetes objects; a stable text form is enough.
  return String(key);
}

function convert(budget: Budget, node: unknown, fallbackLine: number, depth: number, inAlias = false): YNode {
  if (inAlias && ++budget.aliased > MAX_ALIASED_NODES) {
    throw new InputError(`YAML aliases expand to more than ${MAX_ALIASED_NODES} nodes (an alias bomb?); refusing to read it`, {
      file: budget.file,
      line: fallbackLine,
    });
  }
  if (depth > MAX_DEPTH) {
    throw new InputError(`YAML nested more than ${MAX_DEPTH} levels deep; this is not a Kubernetes manifest`, {
      file: budget.file,
      line: fallbackLine,
    });
  }
  if (isAlias(node)) {
    let target = budget.anchors.get(node);
    if (target === undefined) {
      target = node.resolve(budget.doc) ?? null;
      budget.anchors.set(node, target);
    }
    const line = lineOf(budget, node, fallbackLine);
    if (!target) throw new InputError(`unknown YAML alias *${node.source}`, { file: budget.file, line });
    // The alias's own line is where the user sees the value; keep it for the expanded copy's root.
    const expanded = convert(budget, target, line, depth + 1, true);
    return { ...expanded, line };
  }
  if (isMap(node)) {
    const line = lineOf(budget, node, fallbackLine);
    const entries = new Map<string, YEntry>();
    const merged: Array<YMap | YSeq> = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keyLine = lineOf(budget, keyNode, line);
      const key = keyText(pair.key);
      const value =
        pair.value === null || pair.value === undefined
          ? ({ type: "scalar", line: keyLine, value: null } as YScalar)
          : convert(budget, pair.value, keyLine, depth + 1, inAlias);
      if (key === "<<" && (value.type === "map" || value.type === "seq")) {
        merged.push(value);
        continue;
      }
      entries.set(key, { key, keyLine, value });
    }
    // YAML merge keys: explicit keys win, earlier merge sources win over later ones.
    for (const source of merged) {
      const maps: YMap[] =
        source.type === "map" ? [source] : source.type === "seq" ? source.items.filter((i): i is YMap => i.type === "map") : [];
      for (const m of maps) for (const [k, e] of m.entries) if (!entries.has(k)) entries.set(k, e);
    }
    return { type: "map", line, entries };
  }
  if (isSeq(node)) {
    const line = lineOf(budget, node, fallbackLine);
    const items = node.items.map((item) => convert(budget, item, line, depth + 1, inAlias));
    return { type: "seq", line, items };
  }
  if (isScalar(node)) {
    // YAML 1.2's core schema leaves `!!binary` unresolved; the API server decodes it, so bad base64 is bad input.
    // (the parser decodes it leniently, skipping bad characters, so check the scalar's source text).
    if (node.tag === "tag:yaml.org,2002:binary" && typeof node.source === "string" && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(node.source)) {
      throw new InputError("a !!binary value is not base64", { file: budget.file, line: lineOf(budget, node, fallbackLine) });
    }
    const v = node.value;
    const value: YScalarValue =
      typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" || v === null ? v : String(v);
    return { type: "scalar", line: lineOf(budget, node, fallbackLine), value };
  }
  return { type: "scalar", line: fallbackLine, value: null };
}

/** Converts one parsed document's contents; `null` for an empty document (only comments or `---`). */
export function documentTree(doc: Document, lines: LineCounter, file: string): YNode | null {
  const contents: unknown = doc.contents;
  if (contents === null || contents === undefined) return null;
  if (isScalar(contents) && contents.value === null) return null;
  return convert({ aliased: 0, file, doc, lines, anchors: new Map() }, contents, 1, 0);
}

// Accessors: every rule reads the tree through these, so a wrong type is just "absent".

export function asMap(node: YNode | undefined): YMap | undefined {
  return node?.type === "map" ? node : undefined;
}
export function asSeq(node: YNode | undefined): YSeq | undefined {
  return node?.type === "seq" ? node : undefined;
}
export function entry(map: YMap | undefined, key: string): YEntry | undefined {
  return map?.entries.get(key);
}
export function child(map: YMap | undefined, key: string): YNode | undefined {
  return map?.entries.get(key)?.value;
}
export function mapAt(map: YMap | undefined, ...path: string[]): YMap | undefined {
  let cur: YMap | undefined = map;
  for (const key of path) cur = asMap(child(cur, key));
  return cur;
}
/** A scalar as text (numbers and booleans in their YAML spelling); undefined for null, maps and lists. */
export function scalarText(node: YNode | undefined): string | undefined {
  if (node?.type !== "scalar" || node.value === null) return undefined;
  return String(node.value);
}
export function textAt(map: YMap | undefined, key: string): string | undefined {
  return scalarText(child(map, key));
}
/**
 * Labels and annotations are `map[string]string` in Kubernetes: a list or map as a value is refused by the API
 * server, so it is refused here with its key (a bare number or boolean is read as its text, as Helm users expect).
 */
export function requireScalarValues(map: YMap | undefined, file: string, field: string): void {
  for (const [k, e] of map?.entries ?? []) {
    if (e.value.type !== "scalar")
      throw new InputError(`must be a string, not a ${e.value.type === "seq" ? "list" : "map"}`, {
        file,
        line: e.keyLine,
        field: `${field}.${k}`,
      });
  }
}
/** A map of scalar strings (labels, annotations) with each key's line. */
export function stringMap(map: YMap | undefined): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  if (!map) return out;
  for (const [k, e] of map.entries) {
    const v = scalarText(e.value);
    if (v !== undefined) out.set(k, { value: v, line: e.keyLine });
  }
  return out;
}

/** A JSON value: what the Kubernetes API takes for a field the gate passes through without reading it. */
export type PlainValue = string | number | boolean | null | PlainValue[] | PlainObject;
export interface PlainObject {
  [key: string]: PlainValue;
}

/**
 * The node as plain JSON, lines dropped: for pod spec fields the gate copies verbatim (the probe Job's
 * scheduling). Aliases were already expanded under the caps above, so this walk is bounded too. A
 * bigint (only past 2^53) stays exact as its text rather than being rounded to a different number.
 */
export function toPlain(node: YNode): PlainValue {
  switch (node.type) {
    case "map":
      return toPlainObject(node);
    case "seq":
      return node.items.map(toPlain);
    case "scalar":
      return typeof node.value === "bigint"
        ? Number.isSafeInteger(Number(node.value))
          ? Number(node.value)
          : String(node.value)
        : node.value;
  }
}

export function toPlainObject(map: YMap): PlainObject {
  // Object.fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries([...map.entries].map(([k, e]) => [k, toPlain(e.value)]));
}
