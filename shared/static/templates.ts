/**
 * Unrendered Helm / Go templates (`{{ … }}`) in the objects the gate reads: a chart must be rendered before it
 * is checked. The same braces are ordinary data elsewhere in rendered output — Alertmanager and Go templates in a
 * ConfigMap or Secret payload, `{{ $labels.instance }}` in annotations, a PrometheusRule the gate does not read —
 * so those never make the input unusable.
 */
import { isMap, isScalar, isSeq, type Document } from "yaml";

const TEMPLATE = /\{\{[\s\S]*?\}\}/;

/** Free-form payloads where `{{ }}` is data, by object kind and key path. */
function isPayload(kind: string, path: readonly string[]): boolean {
  if (path.includes("annotations")) return true;
  if (kind === "ConfigMap") return path[0] === "data" || path[0] === "binaryData";
  if (kind === "Secret") return path[0] === "data" || path[0] === "stringData";
  return false;
}

/** Offset of the first template in `node`, outside payloads; undefined when there is none. */
function firstTemplate(node: unknown, kind: string, path: readonly string[], text: string): number | undefined {
  if (isPayload(kind, path)) return undefined;
  if (isScalar(node)) {
    const spelled = typeof node.source === "string" ? node.source : typeof node.value === "string" ? node.value : "";
    return TEMPLATE.test(spelled) ? node.range?.[0] : undefined;
  }
  if (!isMap(node) && !isSeq(node)) return undefined; // aliases point at nodes checked where they are defined
  // Unquoted `{{ .Values.x }}` parses as nested flow mappings: a flow collection spelled with `{{` is a template.
  if (node.flow && node.range && text.slice(node.range[0], node.range[1]).includes("{{")) return node.range[0];
  if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const hit = firstTemplate(item, kind, [...path, String(i)], text);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const hit = firstTemplate(pair.key, kind, path, text) ?? firstTemplate(pair.value, kind, [...path, key], text);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function objectTemplate(node: unknown, text: string, readKinds: ReadonlySet<string>): number | undefined {
  if (!isMap(node)) return firstTemplate(node, "", [], text);
  const kindNode = node.get("kind", true);
  const kind = isScalar(kindNode) && typeof kindNode.value === "string" ? kindNode.value : undefined;
  // A templated or missing kind: the whole object is suspect.
  if (kind === undefined) return firstTemplate(node, "", [], text);
  if (kind.endsWith("List")) {
    const items = node.get("items", true);
    for (const item of isSeq(items) ? items.items : []) {
      const hit = objectTemplate(item, text, readKinds);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  return readKinds.has(kind) ? firstTemplate(node, kind, [], text) : undefined;
}

/** Offset (in `text`) of an unrendered template in a document the gate reads, if any. */
export function unrenderedTemplate(doc: Document, text: string, readKinds: ReadonlySet<string>): number | undefined {
  return objectTemplate(doc.contents, text, readKinds);
}

/** For a document YAML could not parse: was it a template that broke it? Offset of the first `{{ … }}`. */
export function templateInBrokenDocument(doc: Document, text: string): number | undefined {
  const [start, , end] = doc.range ?? [0, 0, text.length];
  const match = TEMPLATE.exec(text.slice(start, end));
  return match ? start + match.index : undefined;
}
