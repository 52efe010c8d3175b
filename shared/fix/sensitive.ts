/**
 * Lines of a manifest that may show a secret value: every value of a Secret's `data`/`stringData`,
 * env values of variables named like credentials, and any value shaped like one (AccountKey=, SAS
 * signatures). Diffs and PR suggestions never print these lines, not even as context. Deliberately
 * broader than the rules' own test: printing a harmless line less is cheap, printing a secret is not.
 */
import { isMap, isPair, isSeq, parseAllDocuments, type Node as YamlNode } from "yaml";
import { credentialKind } from "../static/credentials.js";
import { scalarValue } from "./locate.js";
import { LineIndex } from "./splices.js";

const SECRET_LIKE_NAME = /SECRET|PASSWORD|PASSWD|PWD|TOKEN|KEY|CONNECTION|CREDENTIAL|PRIVATE|SAS|CERT/i;

function addRange(out: Set<number>, lines: LineIndex, node: YamlNode | null | undefined): void {
  if (!node?.range) return;
  const first = lines.lineOf(node.range[0]);
  const last = Math.max(first, lines.lastContentLine(node.range[1]));
  for (let l = first; l <= last; l++) out.add(l);
}

function walk(node: unknown, lines: LineIndex, out: Set<number>, inSecretData: boolean): void {
  if (isSeq(node)) {
    for (const item of node.items) walk(item, lines, out, inSecretData);
    return;
  }
  if (!isMap(node)) return;
  const kind = scalarValue(node.items.find((p) => isPair(p) && scalarValue(p.key) === "kind")?.value);
  // An env entry: { name: X, value: … } — judge the value by the variable's name.
  const envName = scalarValue(node.items.find((p) => isPair(p) && scalarValue(p.key) === "name")?.value);
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const key = scalarValue(pair.key) ?? "";
    const value = pair.value as YamlNode | null;
    const text = scalarValue(value);
    if (inSecretData) addRange(out, lines, value);
    else if (text !== undefined) {
      const named = key === "value" && envName !== undefined ? envName : key;
      if (credentialKind(named, text) || (text.length > 0 && SECRET_LIKE_NAME.test(named))) {
        if (pair.key && (pair.key as YamlNode).range) addRange(out, lines, pair.key as YamlNode);
        addRange(out, lines, value);
      }
    }
    walk(value, lines, out, kind === "Secret" && (key === "data" || key === "stringData"));
  }
}

/** 1-based lines of `text` that must never be printed. */
export function sensitiveLines(text: string): Set<number> {
  const lines = new LineIndex(text);
  const out = new Set<number>();
  const docs = parseAllDocuments(text);
  for (const doc of Array.isArray(docs) ? docs : []) walk(doc.contents, lines, out, false);
  return out;
}
