/**
 * The fast event path (shared/static/yaml-events.ts) against the full `yaml` path (yaml-tree.ts): on every input it
 * takes, it must build the very same tree — keys, values, value types and every line — and it must step aside
 * (undefined) wherever `yaml` would refuse the input or read it differently. Tricky YAML by hand, every fixture and
 * example in the repository, and a seeded mutation run over them; then findings and bad-input errors read both
 * ways.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineCounter, parseAllDocuments } from "yaml";
import { appManifests } from "../../bench/static-scale-bench.js";
import { InputError } from "../../shared/errors.js";
import { checkManifests, readManifests } from "../../shared/static/index.js";
import { eventTrees } from "../../shared/static/yaml-events.js";
import { documentTree, type YNode } from "../../shared/static/yaml-tree.js";
import { ROOT } from "./helpers.js";

/** What the full path makes of a text: its trees, or why it refuses it (parse.ts's yamlDocuments, minus templates). */
function fullPath(text: string): YNode[] | string {
  const lines = new LineCounter();
  const trees: YNode[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines, merge: true, prettyErrors: true }) as ReturnType<
    typeof parseAllDocuments
  > &
    unknown[]) {
    if (doc.errors[0]) return `error: ${doc.errors[0].message.split("\n")[0]}`;
    if (doc.warnings.some((w) => w.code === "TAG_RESOLVE_FAILED")) return "unresolved tag";
    try {
      const tree = documentTree(doc, lines, "f.yaml");
      if (tree) trees.push(tree);
    } catch (err) {
      if (err instanceof InputError) return `refused: ${err.message}`;
      throw err;
    }
  }
  return trees;
}

/** A tree as plain data with every line and the JS type of every value (1 and "1" must not compare equal). */
function shape(node: YNode): unknown {
  if (node.type === "map") return { line: node.line, map: [...node.entries].map(([k, e]) => [k, e.keyLine, shape(e.value)]) };
  if (node.type === "seq") return { line: node.line, seq: node.items.map(shape) };
  return { line: node.line, value: node.value, type: typeof node.value };
}

/** "fast" (took the fast path and agrees), "full" (stepped aside), or what went wrong. */
function agreement(text: string): string {
  const fast = eventTrees(text);
  if (fast === undefined) return "full";
  const full = fullPath(text);
  if (typeof full === "string") return `the fast path accepted what the full path refuses (${full}): ${JSON.stringify(text)}`;
  const a = JSON.stringify(fast.map(shape));
  const b = JSON.stringify(full.map(shape));
  return a === b ? "fast" : `trees differ for ${JSON.stringify(text)}:\n fast ${a}\n full ${b}`;
}

/** Plain YAML a manifest may well hold: the fast path must take each one, and agree. */
const PLAIN = [
  'a: |\n  x\n  y\nb:\n\n  # c\nc: >-\n\nd: [1, {e: f}]\nseq:\n- 1\n-\n- "q"\n',
  "a: |+\n  keep\n\n\nb: |-\n  strip\n\nc: >\n  x\n    more indented\n  y\n",
  "a: | # a comment with | and > in it\n  text\nb: > # c\n  folded\n  more\n\n  paragraph\n",
  "- |\n  one\n- >\n  two\n- |-\n- x\n",
  "k: |\n\nnext: 1\nk2: >\nlast: 2\n",
  "\"quoted key\": 1\n'single': 2\n",
  "a:\nb:   \nc: # comment\nd:\n  # comment\ne: 1\n",
  "list:\n-\n-   # c\n- \n- x\n",
  "? explicit\n: value\n",
  'flow: [a, b, ]\nf2: {a: 1, b: [x, {c: d}]}\nf3: [b: c, d]\nf4: {"b":c}\n',
  "bools: [yes, no, on, off, y, n, True, FALSE, true, false]\n",
  "nulls: [~, null, Null, NULL, nUll, '']\nn2: ~\nn3:\n",
  "ints: [0o17, 0x1F, 017, +1, -0, 1_000, 12345678901234567890, 0b101, 0o8]\n",
  "floats: [.5, 1., 1e3, 1E-3, .inf, -.Inf, .NaN, 1.50, -1.0e+3, 685.230_15e+03]\n",
  "dates: [2024-01-01, 2024-01-01T10:00:00Z, 12:30:00, 1:20]\nvalue: <<\nquoted: '<<'\n",
  "---\n---\n# only comments\n---\n~\n--- null\n---\napiVersion: v1\n...\n---\nkind: x\n",
  "--- |\n  a root block\n",
  "a: 1\r\nb:\r\n  c: 2\r\n  d: |\r\n    x\r\n",
  "a: 1\t\nb:\t2\n",
  "multi: plain scalar\n  continues here\n\n  and a paragraph\nnext: 1\n",
  "- - nested\n  - seq\n- - [flow]\n- key: v\n  k2: v2\n- k3:\n    - a\n    - b\n",
  "a: 'it''s'\nb: \"esc \\t \\u00e9 \\x41 \\\\ \\\" \\/ \\N \\_ \\L \\P\"\n",
  "a: #not a comment\nb: x#y\nc: x #y\n",
  'env:\n  - name: A\n    value: "1"\n  - {name: B, value: x}\n',
  "a: [1, 2\n  , 3]\nb: {c: 1,\n  d: 2}\nc: [b, 'e f']\n",
  "a:    \n  x\n",
  "",
  "# just a comment",
  appManifests(7),
];

/** Inputs the full path refuses or reads its own way: the fast path must leave each one to it. */
const FULL_ONLY = [
  "a: &x 1\nb: *x\n", // aliases: the alias-bomb caps are in yaml-tree.ts
  "base: &b {x: 1}\nm:\n  <<: *b\n",
  "<<: {a: 1}\nb: 2\n",
  '"<<": {a: 1}\n', // yaml-tree.ts merges any key spelled <<
  "a: !!str 1\n",
  "a: !custom x\n",
  "%YAML 1.1\n---\na: yes\n", // yes is true in YAML 1.1
  "%TAG !e! tag:example.com,2000:\n---\na: 1\n",
  "dup: 1\ndup: 2\n",
  "1: a\n'1': b\n",
  "true: a\nTrue: b\n",
  "name: {{ .Values.name }}\n",
  "a: x\n\uFEFFb: y\n",
  "\t---\n\t---",
  "a:\n\t- b\n",
  `${"k".repeat(1100)}: 1\n`,
  `${"k".repeat(10)}${" ".repeat(1100)}: 1\n`,
  'a: "line\\\n\n  joined"\n',
  "a: 'multi\n  line'\n",
  "a: |1\n  x\n  \n",
  "? lonely\nb: 1\n",
  "flow: {a: 1, e: }\n",
  "flow: {a, b: 2}\n",
  "[a]: b\n",
  "a: b: c\n",
  "a: 'unterminated\n",
  `a: ${"[".repeat(200)}${"]".repeat(200)}\n`,
];

function corpus(): string[] {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(e.name)) texts.push(readFileSync(p, "utf8"));
    }
  };
  for (const dir of ["test/fixtures", "examples", "test/sandbox/scenarios", "test/cli/fixtures"]) walk(join(ROOT, dir));
  return texts;
}

describe("the fast event path reads YAML exactly as the full yaml path does", () => {
  it.each(PLAIN.map((t, i) => [i, t] as const))("plain YAML #%i takes the fast path and builds the same tree", (_i, text) => {
    expect(agreement(text)).toBe("fast");
  });

  it.each(FULL_ONLY.map((t) => [JSON.stringify(t).slice(0, 60), t] as const))("%s is left to the full path", (_name, text) => {
    expect(eventTrees(text)).toBeUndefined();
  });

  it("agrees on every fixture and example in the repository (or leaves it to the full path)", () => {
    const results = corpus().map(agreement);
    expect(results.filter((r) => r !== "fast" && r !== "full")).toEqual([]);
    // Most real manifests are plain: the fast path must actually be used, not always step aside.
    expect(results.filter((r) => r === "fast").length).toBeGreaterThan(results.length / 2);
  });

  it("agrees on a seeded run of random edits to those files (quotes, indicators, tabs, breaks, long keys)", () => {
    const bases = [...corpus(), ...PLAIN, ...FULL_ONLY].filter((t) => t.length < 20_000);
    const pieces = [
      ":",
      "-",
      "?",
      "#",
      "|",
      ">",
      '"',
      "'",
      " ",
      "\t",
      "\n",
      "[",
      "]",
      "{",
      "}",
      ",",
      "~",
      "0",
      ".",
      "\\",
      "\n  ",
      ": ",
      "- ",
      "|-\n",
      ">+\n",
      "|2\n",
      "\n---\n",
      "\n...\n",
      "yes",
      "0o1",
      ".inf",
      "\r\n",
      "\u00a0",
      "\uFEFF",
      "\u2028",
      " ".repeat(1030),
      "\n  \n",
      "&a ",
      "*a",
      "!!str ",
      "<<: ",
    ];
    let seed = 20261203;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const wrong: string[] = [];
    for (let i = 0; i < 1500; i++) {
      let text = pick(bases);
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * (text.length + 1));
        const op = random();
        if (op < 0.45) text = text.slice(0, at) + pick(pieces) + text.slice(at);
        else if (op < 0.75) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
        else {
          const lines = text.split("\n");
          lines.splice(Math.floor(random() * lines.length), 0, pick(lines));
          text = lines.join("\n");
        }
      }
      const result = agreement(text);
      if (result !== "fast" && result !== "full") wrong.push(result);
    }
    expect(wrong).toEqual([]);
  });
});

describe("findings and bad-input errors name the same file:line:field on either path", () => {
  // A comment holding `{{` sends a file down the full path without changing what it means.
  const viaFullPath = (text: string): string => `${text}\n# {{ read by the full yaml path }}\n`;
  const read = (text: string) => {
    try {
      const set = readManifests([{ file: "k8s/app.yaml", text }]);
      const findings = checkManifests(set).map((f) => [f.id, f.location, f.evidence]);
      return { objects: set.objects.map((o) => [o.kind, o.name, o.namespace, o.line]), findings };
    } catch (err) {
      if (err instanceof InputError) return { refused: err.oneLine() };
      throw err;
    }
  };

  const cases: Record<string, string> = {
    "a Workload Identity app (the bench's manifests)": appManifests(3),
    "a connection string in an env value (a finding on its line)": [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: web",
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      "        - name: web",
      "          image: web:1",
      "          env:",
      "            - name: AZURE_STORAGE_CONNECTION_STRING",
      '              value: "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc123==;EndpointSuffix=core.windows.net"',
      "            - name: AZURE_CLIENT_SECRET",
      "              value: |",
      "                s3cr3t-value",
    ].join("\n"),
    "a name that is not RFC 1123 (exit 2 naming file:line:field)":
      "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  namespace: shop\n  name: Web_App\n",
    "a kind that is not a string": "apiVersion: v1\nkind: 12\nmetadata:\n  name: x\n",
    "a missing metadata.name on the second document":
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  namespace: x\n",
    "a label whose value is a map": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  labels:\n    team:\n      name: x\n",
  };

  it.each(Object.entries(cases))("%s", (_name, text) => {
    expect(eventTrees(text)).toBeDefined();
    expect(eventTrees(viaFullPath(text))).toBeUndefined();
    const fast = read(text);
    expect(fast).toEqual(read(viaFullPath(text)));
    // Not vacuous: each case either finds or refuses something with a line, or reads objects with lines.
    expect(JSON.stringify(fast)).toMatch(/\d/);
  });

  it("keeps the line of a refused name on the fast path", () => {
    expect(read(cases["a name that is not RFC 1123 (exit 2 naming file:line:field)"]!)).toEqual({
      refused: expect.stringMatching(/^k8s\/app\.yaml:5: metadata\.name: /),
    });
  });
});
