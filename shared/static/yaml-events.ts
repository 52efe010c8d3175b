/**
 * The fast read of a manifest file. js-yaml's event parser gives an offset for every node and builds no document
 * model. From those events this file builds the same line-aware tree that yaml-tree.ts builds from a `yaml`
 * Document, for about a quarter of the CPU (a repository of 10,000 files spent most of its time in `yaml`).
 *
 * Only plain YAML takes this path. Any input that needs the `yaml` package's full model gives `undefined`, and the
 * caller reads the whole file the usual way, with the usual errors and lines. That covers tags, anchors and
 * aliases (the alias-bomb caps live there), merge keys, directives (`%YAML 1.1` changes what `yes` means),
 * duplicate keys, unusual keys, `{{` (the template checks read the `yaml` Document), nesting past MAX_DEPTH, any
 * parse error, and anything whose position this file cannot place exactly.
 * Plain scalars are typed by the `yaml` package's own core schema, so `yes`, `on`, `0o17`, `.inf` and `~` mean
 * the same thing on both paths. test/static/yaml-events.test.ts compares the two paths tree for tree, lines
 * included.
 */
import { EVENT_ID, SCALAR_STYLE, COLLECTION_STYLE, getScalarValue, parseEvents, type ScalarEvent } from "js-yaml";
import { isScalar, Schema, type ScalarTag } from "yaml";
import { MAX_DEPTH, type YEntry, type YMap, type YNode, type YScalar, type YScalarValue, type YSeq } from "./yaml-tree.js";

// The schema parse.ts's `parseAllDocuments(…, { merge: true })` uses for YAML 1.2 documents.
const CORE = new Schema({ schema: "core", merge: true });
/** Tags that type an untagged plain scalar, in the schema's order (the first whose test matches wins, as in `yaml`). */
const PLAIN_TAGS = CORE.tags.filter((t): t is ScalarTag => !t.collection && t.default === true && t.test !== undefined);
/** Tags that apply to plain keys only (the merge key `<<`): such a key goes to the full path. */
const KEY_TAGS = CORE.tags.filter((t): t is ScalarTag => !t.collection && t.default === "key" && t.test !== undefined);
const RESOLVE_OPTIONS = { intAsBigInt: false };
const LEADING_TAB = /(^|\n)[ ]*\t/;

/** Thrown inside this file only: "read it the full way". */
class NotPlain extends Error {}
const notPlain = (): never => {
  throw new NotPlain();
};

/** A plain scalar's value as `yaml` types it (composeScalar's findScalarTagByTest + resolve). */
function plainValue(text: string, atKey: boolean): YScalarValue {
  if (atKey && KEY_TAGS.some((t) => t.test!.test(text))) notPlain();
  const tag = PLAIN_TAGS.find((t) => t.test!.test(text));
  if (!tag) return text;
  const res = tag.resolve(text, notPlain, RESOLVE_OPTIONS);
  const v: unknown = isScalar(res) ? res.value : res;
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null ? v : notPlain();
}

/** 1-based line of an offset; offsets arrive mostly in order, so the cursor only moves a little each time. */
class Lines {
  private offset = 0;
  private line = 1;
  constructor(private readonly text: string) {}
  at(offset: number): number {
    const text = this.text;
    while (this.offset < offset) if (text.charCodeAt(this.offset++) === 10) this.line++;
    while (this.offset > offset) if (text.charCodeAt(--this.offset) === 10) this.line--;
    return this.line;
  }
}

/**
 * Where `yaml` places a node js-yaml gives no own offset for: the first `want` character after `from`, past the
 * spaces, line breaks, comments and closing quotes or brackets that may sit between two tokens. Anything else on
 * the way means the layout is not the simple one this file understands.
 */
function indicatorAfter(text: string, from: number, want: string): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (want.includes(c)) return i;
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf("\n", i);
      if (end < 0) break;
      i = end;
      continue;
    }
    if (!/[\s"'\]}:?-]/.test(c)) break;
  }
  return notPlain();
}

interface Frame {
  node: YMap | YSeq;
  depth: number;
  flow: boolean;
  /** A map's key waiting for its value. */
  key?: { text: string; line: number };
}

/**
 * The document trees of `text` (empty documents left out), or `undefined` when the file must be read by the
 * full `yaml` path (parse.ts).
 */
export function eventTrees(text: string): YNode[] | undefined {
  // `{{`: the template checks read the yaml Document. A BOM past the start, and a tab in a line's leading white
  // space, are read differently by the two parsers (`yaml` drops the one and refuses the other).
  if (text.includes("{{") || text.includes("\uFEFF") || LEADING_TAB.test(text)) return undefined;
  try {
    return build(text);
  } catch {
    // NotPlain, a js-yaml error, or its own stack running out: the full path decides what the input is.
    return undefined;
  }
}

function build(text: string): YNode[] {
  const events = parseEvents(text, { maxDepth: MAX_DEPTH });
  const lines = new Lines(text);
  const trees: YNode[] = [];
  const stack: Frame[] = [];
  // End of the last token placed: where the search for an indicator without its own offset starts.
  let lastEnd = 0;

  const place = (node: YNode): number => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      // An empty document (only comments, `---`, `~` or `null`) is not a tree, as in documentTree.
      if (!(node.type === "scalar" && node.value === null)) trees.push(node);
      return 0;
    }
    const depth = parent.depth + 1;
    if (depth > MAX_DEPTH) notPlain();
    if (parent.node.type === "seq") {
      parent.node.items.push(node);
      return depth;
    }
    const key = parent.key;
    if (!key) return notPlain(); // a collection as a key: not a Kubernetes object's shape
    parent.key = undefined;
    const entry: YEntry = { key: key.text, keyLine: key.line, value: node };
    parent.node.entries.set(key.text, entry);
    return depth;
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        if (event.directives.length > 0) notPlain();
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        if (event.anchorStart >= 0 || event.tagStart >= 0) notPlain();
        const line = lines.at(event.start);
        const node: YMap | YSeq =
          event.type === EVENT_ID.MAPPING ? { type: "map", line, entries: new Map() } : { type: "seq", line, items: [] };
        const depth = place(node);
        stack.push({ node, depth, flow: event.style === COLLECTION_STYLE.FLOW });
        lastEnd = event.start;
        break;
      }
      case EVENT_ID.SCALAR:
        scalar(event);
        break;
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (frame?.key) notPlain(); // a key with no value event
        break;
      }
      default:
        notPlain(); // an alias
    }
  }
  return trees;

  function scalar(event: ScalarEvent): void {
    if (event.anchorStart >= 0 || event.tagStart >= 0) notPlain();
    const parent = stack[stack.length - 1];
    const atKey = parent !== undefined && parent.node.type === "map" && parent.key === undefined;
    const empty = event.valueStart < 0;
    if (empty && parent === undefined) return; // an empty document
    if (empty && (atKey || parent!.flow)) notPlain();
    const style = event.style;
    // Line folding in quoted scalars (escaped breaks before an empty line, say) is where the two parsers differ.
    if (
      (style === SCALAR_STYLE.DOUBLE_QUOTED || style === SCALAR_STYLE.SINGLE_QUOTED) &&
      text.slice(event.valueStart, event.valueEnd).includes("\n")
    )
      notPlain();
    const source = empty ? "" : getScalarValue(text, event);
    const value = style === SCALAR_STYLE.PLAIN ? plainValue(source, atKey) : source;
    // Where `yaml` starts the node: a quote, a block scalar's `|` / `>` header, just after the `:` or `-` of an
    // empty value; a plain scalar's first character.
    let start: number;
    if (empty) start = indicatorAfter(text, lastEnd, parent!.node.type === "map" ? ":" : "-") + 1;
    else if (style === SCALAR_STYLE.SINGLE_QUOTED || style === SCALAR_STYLE.DOUBLE_QUOTED) start = event.valueStart - 1;
    else if (style === SCALAR_STYLE.LITERAL_BLOCK || style === SCALAR_STYLE.FOLDED_BLOCK) {
      start = indicatorAfter(text, lastEnd, "|>");
      // An explicit indentation indicator (`|2`): the parsers disagree on its white-space-only lines.
      if (/^.[+-]?[0-9]/.test(text.slice(start, start + 3))) notPlain();
    } else start = event.valueStart;
    if (start < lastEnd || (!empty && start > event.valueStart)) notPlain();
    const line = lines.at(start);
    lastEnd = empty ? start : event.valueEnd;
    if (atKey) {
      const keyText = String(value);
      // A duplicate is an error in `yaml`; a key spelled `<<`, quoted or not, is a merge in yaml-tree.ts.
      if (parent.node.type !== "map" || parent.node.entries.has(keyText) || keyText === "<<") notPlain();
      // `yaml` refuses an implicit key whose `:` is more than 1024 characters after its start; js-yaml does not.
      const colon = text.indexOf(":", event.valueEnd);
      if (colon < 0 || colon - start > 1000) notPlain();
      parent.key = { text: keyText, line };
      return;
    }
    const node: YScalar = { type: "scalar", line, value };
    place(node);
  }
}
