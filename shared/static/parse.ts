/**
 * Manifest text → Kubernetes objects with line maps. Every way the input can be unusable (binary,
 * unrendered Helm in an object the gate reads (templates.ts), malformed YAML, a document that is not an object, a missing kind/name) becomes one
 * InputError naming the file and, where known, the line. Unknown kinds are kept out of the set silently:
 * a chart renders Services, Ingresses and CRDs the identity checks do not care about.
 */
import { LineCounter, parseAllDocuments } from "yaml";
import { InputError, InputErrorList } from "../errors.js";
import type { SourceLocation } from "../findings/model.js";
import { requireName } from "../k8s-names.js";
import { templateInBrokenDocument, unrenderedTemplate } from "./templates.js";
import { eventTrees } from "./yaml-events.js";
import { asMap, asSeq, child, documentTree, entry, requireScalarValues, scalarText, type YMap, type YNode } from "./yaml-tree.js";

export interface ManifestSource {
  /** Path as the user gave it, or "<stdin>". */
  file: string;
  text: string;
  /**
   * Found by walking a directory (not named by the user): YAML that holds no Kubernetes object (chart
   * metadata, values, compose files, the gate's config) is skipped with a notice instead of refused.
   */
  found?: boolean;
  /** Rendered output (helm template, kustomize build): where a line of `text` came from in the user's files. */
  origin?: (line: number) => SourceLocation;
}

/** A file left out of the check on purpose, and why (one line for the user). */
export interface SkippedInput {
  file: string;
  reason: string;
}

/** One Kubernetes object from the manifests, with where it came from. */
export interface KObject {
  file: string;
  /** Line of the object's first key (its document or List item). */
  line: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace, or "default" when the manifest leaves it to the kubectl context. */
  namespace: string;
  root: YMap;
}

export interface ManifestSet {
  /** The files read, as the user gave them (report metadata). */
  inputs: string[];
  /** Objects of the kinds the identity checks read, in input order. */
  objects: KObject[];
  /** Files left out on purpose (not Kubernetes objects, charts without helm, …): one notice each. */
  skipped?: SkippedInput[];
  /** Files refused as unusable (malformed, unrendered, …): the run still checks the rest, and exits 2. */
  refused?: InputError[];
  /** Rendered sources by their `file`: maps a finding's line back to the template or kustomization. */
  origins?: Map<string, (line: number) => SourceLocation>;
}

/** Kinds the static layer reads; everything else is skipped (never an error). */
export const POD_TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Pod: [],
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  ReplicationController: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
  // Argo Rollouts and OpenShift DeploymentConfigs carry a plain pod template too.
  Rollout: ["spec", "template"],
  DeploymentConfig: ["spec", "template"],
};
export const POD_IDENTITY_KINDS = new Set(["AzureIdentity", "AzureIdentityBinding", "AzurePodIdentityException"]);
const KNOWN_KINDS = new Set([...Object.keys(POD_TEMPLATE_PATHS), "ServiceAccount", "Secret", "ConfigMap", ...POD_IDENTITY_KINDS]);

/** Per file; a rendered chart for a whole platform is a few hundred KB. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** The error for a file (or stdin) over MAX_FILE_BYTES: thrown before reading it where the size is known. */
export function tooLarge(file: string): InputError {
  return new InputError(`larger than ${MAX_FILE_BYTES / (1024 * 1024)} MB; split the manifests or check only the app's own objects`, {
    file,
  });
}

function lineOfIndex(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function checkText(source: ManifestSource): void {
  const { file, text } = source;
  if (Buffer.byteLength(text, "utf8") > MAX_FILE_BYTES) throw tooLarge(file);
  const nul = text.indexOf("\u0000");
  if (nul >= 0) throw new InputError("binary content (NUL byte): not a YAML manifest", { file, line: lineOfIndex(text, nul) });
  // U+FFFD is what a lossy UTF-8 decode leaves behind (stdin is decoded before it reaches us).
  const bad = text.indexOf("\uFFFD");
  if (bad >= 0) throw new InputError("not valid UTF-8 text: manifests must be UTF-8 YAML", { file, line: lineOfIndex(text, bad) });
}

const UNRENDERED = "looks like an unrendered Helm template: run `helm template …` and pipe it in (`… | azure-auth-gate check -`)";

/** The yaml error's first line without the position suffix and never the source snippet (it may hold a secret). */
function yamlErrorText(message: string): string {
  // yaml reports its own stack overflow on absurd flow nesting as a document error.
  if (/call stack/i.test(message)) return "nested too deeply to read";
  const first = message.split("\n")[0] ?? message;
  return first.replace(/\s+at line \d+, column \d+:?\s*$/, "").trim();
}

/** Files that sit next to manifests but are inputs to a renderer, not objects to apply. */
function rendererHint(file: string): string {
  const base = file.split(/[\\/]/).pop()?.toLowerCase() ?? "";
  if (/^kustomization\.ya?ml$/.test(base)) return " (this is a kustomization: run `kustomize build …` and pipe it in with `-`)";
  if (/^(chart|values[\w.-]*)\.ya?ml$/.test(base)) return " (this is part of a Helm chart: run `helm template …` and pipe it in with `-`)";
  return "";
}

function requireText(map: YMap, key: string, where: { file: string; line: number }, what: string): string {
  const e = entry(map, key);
  const value = e?.value;
  if (value?.type === "scalar" && value.value !== null && typeof value.value !== "string") {
    throw new InputError(`${what}'s ${key} must be a string (got ${String(value.value)})`, {
      file: where.file,
      line: e?.keyLine ?? where.line,
      field: key,
    });
  }
  const text = scalarText(value);
  if (text === undefined || text.trim() === "") {
    throw new InputError(`${what} has no ${key}${rendererHint(where.file)}`, {
      file: where.file,
      line: e?.keyLine ?? where.line,
      field: key,
    });
  }
  return text;
}

function toObject(root: YMap, file: string, inheritedKind?: string): KObject | undefined {
  const where = { file, line: root.line };
  const kind = inheritedKind && !entry(root, "kind") ? inheritedKind : requireText(root, "kind", where, "Kubernetes object");
  const apiVersion = inheritedKind && !entry(root, "apiVersion") ? "" : requireText(root, "apiVersion", where, `${kind} object`);
  if (!KNOWN_KINDS.has(kind)) return undefined;
  const metadata = asMap(child(root, "metadata"));
  if (!metadata)
    throw new InputError(`${kind} has no metadata`, { file, line: entry(root, "metadata")?.keyLine ?? root.line, field: "metadata" });
  // Pods and Jobs may be named by the API server from generateName; that is still a usable name here.
  const given = scalarText(child(metadata, "name"));
  const name = given ?? scalarText(child(metadata, "generateName"));
  if (name === undefined || name.trim() === "") {
    throw new InputError(`${kind} has no metadata.name`, {
      file,
      line: entry(root, "metadata")?.keyLine ?? root.line,
      field: "metadata.name",
    });
  }
  const nameField = given !== undefined ? "name" : "generateName";
  requireName(name, given !== undefined ? "subdomain" : "generateName", {
    file,
    line: entry(metadata, nameField)?.keyLine ?? root.line,
    field: `metadata.${nameField}`,
  });
  const namespace = scalarText(child(metadata, "namespace")) || "default";
  requireName(namespace, "label", { file, line: entry(metadata, "namespace")?.keyLine ?? root.line, field: "metadata.namespace" });
  for (const field of ["labels", "annotations"]) requireScalarValues(asMap(child(metadata, field)), file, `metadata.${field}`);
  return { file, line: root.line, apiVersion, kind, name, namespace, root };
}

function objectsOf(tree: YNode, file: string, out: KObject[]): void {
  const root = asMap(tree);
  if (!root) {
    throw new InputError(
      `a YAML document is a ${tree.type === "seq" ? "list" : "plain value"}, not a Kubernetes object (a mapping with apiVersion and kind)`,
      { file, line: tree.line },
    );
  }
  const kind = scalarText(child(root, "kind"));
  const itemsEntry = entry(root, "items");
  const items = asSeq(itemsEntry?.value);
  if (kind !== undefined && kind.endsWith("List") && itemsEntry && !items) {
    throw new InputError(`the ${kind}'s items is not a list of objects`, { file, line: itemsEntry.keyLine, field: "items" });
  }
  if (kind !== undefined && kind.endsWith("List") && items) {
    // `kubectl get … -o yaml` wraps objects in `kind: List`; typed lists (DeploymentList) may omit item kinds.
    const itemKind = kind === "List" ? undefined : kind.slice(0, -"List".length);
    for (const item of items.items) {
      const map = asMap(item);
      if (!map) throw new InputError(`an item of the ${kind} is not a Kubernetes object`, { file, line: item.line });
      const obj = toObject(map, file, itemKind);
      if (obj) out.push(obj);
    }
    return;
  }
  const obj = toObject(root, file);
  if (obj) out.push(obj);
}

/** What a file that is not a manifest is, for the notice (or undefined when it may well be one). */
function notManifestReason(file: string, docs: readonly YNode[]): string {
  const base = file.split(/[\\/]/).pop()?.toLowerCase() ?? "";
  const keys = new Set(docs.flatMap((d) => [...(asMap(d)?.entries.keys() ?? [])]));
  if (/^chart\.ya?ml$/.test(base)) return "Helm chart metadata";
  if (/^values[\w.-]*\.ya?ml$/.test(base)) return "Helm values";
  if (/^kustomization\.ya?ml$/.test(base)) return "a kustomization";
  if (/^azure-auth-gate[\w.-]*\.ya?ml$/.test(base) || keys.has("targets")) return "azure-auth-gate configuration";
  if (/(^|[.-])(docker-)?compose[\w.-]*\.ya?ml$/.test(base) || keys.has("services")) return "a Compose file";
  return "no apiVersion or kind";
}

/** A document no Kubernetes tool would take for an object: not a mapping, or a mapping with neither apiVersion nor kind. */
function isForeignDocument(tree: YNode): boolean {
  const root = asMap(tree);
  return !root || (!entry(root, "apiVersion") && !entry(root, "kind"));
}

interface FileResult {
  objects: KObject[];
  documents: number;
  skipped?: string;
}

interface ParsedDocument {
  tree: YNode;
  /** Offset of an unrendered template the gate would read (the full path only: the fast one never sees `{{`). */
  template?: () => number | undefined;
}

/** The full read with the `yaml` package: errors, tags, aliases, templates, every YAML feature. */
function yamlDocuments(source: ManifestSource): ParsedDocument[] {
  const lines = new LineCounter();
  let parsed: ReturnType<typeof parseAllDocuments>;
  try {
    parsed = parseAllDocuments(source.text, { lineCounter: lines, merge: true, prettyErrors: true });
  } catch (err) {
    // The yaml parser is mostly iterative, but a pathological input must still end as one readable line.
    if (err instanceof RangeError) throw new InputError("YAML nested too deeply to read", { file: source.file });
    throw err;
  }
  const docs = Array.isArray(parsed) ? parsed : [];
  const out: ParsedDocument[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      // A template is the usual reason a chart file is not YAML: say that, at the template's line.
      const template = templateInBrokenDocument(doc, source.text);
      if (template !== undefined) throw new InputError(UNRENDERED, { file: source.file, line: lines.linePos(template).line });
      const line = error.linePos?.[0]?.line ?? lines.linePos(error.pos[0]).line;
      throw new InputError(`malformed YAML: ${yamlErrorText(error.message)}`, { file: source.file, line });
    }
    // An unresolved tag (`!custom`) would reach the API server as an error too: refuse it here, with its line.
    const warning = doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
    if (warning) {
      const line = warning.linePos?.[0]?.line ?? lines.linePos(warning.pos[0]).line;
      throw new InputError(`unsupported YAML tag: ${yamlErrorText(warning.message)}`, { file: source.file, line });
    }
    const tree = documentTree(doc, lines, source.file);
    if (tree) {
      out.push({
        tree,
        template: () => {
          const at = unrenderedTemplate(doc, source.text, KNOWN_KINDS);
          return at === undefined ? undefined : lines.linePos(at).line;
        },
      });
    }
  }
  return out;
}

function parseFile(source: ManifestSource): FileResult {
  checkText(source);
  // Plain YAML (most manifests) is read by the fast event path; anything else, or anything it is unsure of, the full way.
  const fast = eventTrees(source.text);
  const trees: ParsedDocument[] = fast ? fast.map((tree) => ({ tree })) : yamlDocuments(source);
  // A file found beside the manifests that holds no object at all is some other tool's YAML: skip it, say so.
  if (source.found && trees.length > 0 && trees.every((t) => isForeignDocument(t.tree))) {
    return {
      objects: [],
      documents: 0,
      skipped: `not a Kubernetes object (${notManifestReason(
        source.file,
        trees.map((t) => t.tree),
      )})`,
    };
  }
  const objects: KObject[] = [];
  for (const { tree, template } of trees) {
    // After documentTree: it has already refused absurd nesting and alias bombs.
    const line = template?.();
    if (line !== undefined) throw new InputError(UNRENDERED, { file: source.file, line });
    objectsOf(tree, source.file, objects);
  }
  return { objects, documents: trees.length };
}

/**
 * Parses every source; a file that cannot be used is refused whole (an InputError naming file and line,
 * in `refused`) while every other file is still read. Throws only when nothing at all is usable.
 * (`readManifests` in load.ts also refuses the files whose objects cannot be modelled.)
 */
export function parseSources(
  sources: readonly ManifestSource[],
  skippedBefore: readonly SkippedInput[] = [],
  refusedBefore: readonly InputError[] = [],
): ManifestSet {
  if (sources.length === 0 && skippedBefore.length === 0 && refusedBefore.length === 0)
    throw new InputError("no manifests given: pass a file, a directory, or - for stdin");
  const objects: KObject[] = [];
  const skipped = [...skippedBefore];
  const refused = [...refusedBefore];
  const inputs: string[] = [];
  // A Set beside the list: `inputs.includes` per file was quadratic (10,000 files: 50 M string compares).
  const inputSet = new Set<string>();
  const origins = new Map<string, (line: number) => SourceLocation>();
  let documents = 0;
  for (const source of sources) {
    let result: FileResult;
    try {
      result = parseFile(source);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      refused.push(err);
      continue;
    }
    if (result.skipped) {
      skipped.push({ file: source.file, reason: result.skipped });
      continue;
    }
    documents += result.documents;
    objects.push(...result.objects);
    if (!inputSet.has(source.file)) {
      inputSet.add(source.file);
      inputs.push(source.file);
    }
    if (source.origin) origins.set(source.file, source.origin);
  }
  // Nothing usable and something refused: no report to write, only the refusals.
  if (documents === 0 && refused.length > 0) throw refused.length === 1 ? refused[0]! : new InputErrorList(refused);
  if (documents === 0) {
    const files = sources.map((s) => s.file);
    const why =
      skipped.length > 0
        ? `${skipped.length} file${skipped.length === 1 ? "" : "s"} skipped (${skipped.map((s) => `${s.file}: ${s.reason}`).join("; ")})`
        : `every document is empty`;
    throw new InputError(`no Kubernetes objects in the input (${files.join(", ") || "nothing readable"}): ${why}`, {
      file: files.length === 1 ? files[0] : undefined,
    });
  }
  return {
    inputs,
    objects,
    ...(skipped.length ? { skipped } : {}),
    ...(refused.length ? { refused } : {}),
    ...(origins.size ? { origins } : {}),
  };
}

/**
 * Parses every source; throws InputError (file + line) on the first unusable input. A file whose objects
 * cannot be modelled throws when the model is built (`readManifests` in load.ts refuses it instead).
 */
export function parseManifests(sources: readonly ManifestSource[]): ManifestSet {
  const set = parseSources(sources);
  const first = set.refused?.[0];
  if (first) throw first;
  return set;
}
