/**
 * What a fix changes, said at the level of Kubernetes objects ("label this pod template", "run it as
 * ServiceAccount web", "remove env AZURE_TENANT_ID from container migrate"), and how each becomes
 * splices of the file. Several findings can ask for the same change (AG102 and AG110 both label a
 * migrate hook): intents with the same key are one edit.
 */
import { isMap, isScalar, isSeq, type YAMLMap } from "yaml";
import { AAD_POD_IDENTITY_LABEL, WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "../static/inventory.js";
import {
  deleteDocument,
  doubleQuoted,
  ensureEntry,
  insertDocumentBefore,
  removeLines,
  scalarText,
  setScalar,
  type EditResult,
} from "./edits.js";
import { containerMap, itemLines, mapAtPath, ownsWholeLines, pairLines, pairOf, scalarValue, type ParsedFile } from "./locate.js";

interface ObjectRef {
  file: string;
  /** Line of the object's first key (KObject.line). */
  objectLine: number;
}
interface PodRef extends ObjectRef {
  templatePath: readonly string[];
}
interface ContainerRef extends PodRef {
  init: boolean;
  container: string;
}

export type Intent =
  /** Pod template label azure.workload.identity/use: "true". */
  | ({ kind: "wiLabel" } & PodRef)
  /** Replace the pod label `aadpodidbinding` by the Workload Identity label (AAD Pod Identity migration). */
  | ({ kind: "dropPodIdentityLabel" } & PodRef)
  | ({ kind: "serviceAccount"; name: string } & PodRef)
  /** ServiceAccount annotation azure.workload.identity/client-id. */
  | ({ kind: "clientIdAnnotation"; clientId: string } & ObjectRef)
  | ({ kind: "envValue"; name: string; value: string } & ContainerRef)
  | ({ kind: "removeEnv"; names: string[] } & ContainerRef)
  /** A new document placed just before the object's document; `id` names what it is (dedupe). */
  | ({ kind: "newDocument"; id: string; lines: string[] } & ObjectRef)
  | ({ kind: "deleteDocument" } & ObjectRef);

export function intentKey(i: Intent): string {
  const at = `${i.file}:${i.objectLine}`;
  switch (i.kind) {
    case "envValue":
      return `${i.kind}|${at}|${i.init}|${i.container}|${i.name}`;
    case "removeEnv":
      return `${i.kind}|${at}|${i.init}|${i.container}|${[...i.names].sort().join(",")}`;
    case "newDocument":
      return `${i.kind}|${at}|${i.id}`;
    default:
      return `${i.kind}|${at}`;
  }
}

/** One intent per key (the first wins: two fixes asking for the same change make one edit). */
export function mergeIntents(intents: readonly Intent[]): Intent[] {
  const out = new Map<string, Intent>();
  for (const i of intents) if (!out.has(intentKey(i))) out.set(intentKey(i), i);
  return [...out.values()];
}

const fail = (reason: string): EditResult => ({ ok: false, reason });

function templateOf(f: ParsedFile, ref: PodRef): YAMLMap | undefined {
  const root = f.roots.get(ref.objectLine);
  return root && (ref.templatePath.length === 0 ? root : mapAtPath(root, ref.templatePath));
}

function podSpecOf(f: ParsedFile, ref: PodRef): YAMLMap | undefined {
  const template = templateOf(f, ref);
  return template && mapAtPath(template, ["spec"]);
}

function labelsOf(f: ParsedFile, ref: PodRef): YAMLMap | undefined {
  const template = templateOf(f, ref);
  return template && mapAtPath(template, ["metadata", "labels"]);
}

function wiLabel(f: ParsedFile, ref: PodRef): EditResult {
  const template = templateOf(f, ref);
  if (!template) return fail("the pod template was not found");
  const labels = mapAtPath(template, ["metadata", "labels"]);
  const existing = labels ? pairOf(labels, WI_USE_LABEL) : undefined;
  if (existing)
    return isScalar(existing.value) ? setScalar(existing.value, "true", true) : fail(`the ${WI_USE_LABEL} label is not a plain value`);
  return ensureEntry(f, template, ["metadata", "labels"], { key: WI_USE_LABEL, value: doubleQuoted("true") });
}

function dropPodIdentityLabel(f: ParsedFile, ref: PodRef): EditResult {
  const labels = labelsOf(f, ref);
  const pair = labels ? pairOf(labels, AAD_POD_IDENTITY_LABEL) : undefined;
  if (!labels || !pair?.key.range) return fail(`the ${AAD_POD_IDENTITY_LABEL} label was not found`);
  const span = pairLines(f, pair);
  if (!span) return fail(`the ${AAD_POD_IDENTITY_LABEL} label has no position`);
  if (pairOf(labels, WI_USE_LABEL)) return { ok: true, splices: [removeLines(f, span.first, span.last)] };
  const end = pair.value?.range?.[1];
  if (span.first !== span.last || end === undefined) return fail(`the ${AAD_POD_IDENTITY_LABEL} label spans several lines`);
  // Same line, same indentation: the Workload Identity label takes the old label's place.
  return { ok: true, splices: [{ start: pair.key.range[0], end, insert: `${WI_USE_LABEL}: ${doubleQuoted("true")}` }] };
}

function serviceAccount(f: ParsedFile, ref: PodRef & { name: string }): EditResult {
  const spec = podSpecOf(f, ref);
  if (!spec) return fail("the pod spec was not found");
  const keys = ["serviceAccountName", "serviceAccount"].map((k) => pairOf(spec, k)).filter((p) => p !== undefined);
  if (keys.length === 0) return ensureEntry(f, spec, [], { key: "serviceAccountName", value: scalarText(ref.name) }, { first: true });
  const splices = [];
  for (const p of keys) {
    if (!isScalar(p.value)) return fail("serviceAccountName is not a plain value");
    const r = setScalar(p.value, ref.name);
    if (!r.ok) return r;
    splices.push(...r.splices);
  }
  return { ok: true, splices };
}

function clientIdAnnotation(f: ParsedFile, ref: ObjectRef & { clientId: string }): EditResult {
  const root = f.roots.get(ref.objectLine);
  if (!root) return fail("the ServiceAccount was not found");
  const annotations = mapAtPath(root, ["metadata", "annotations"]);
  const existing = annotations ? pairOf(annotations, WI_CLIENT_ID_ANNOTATION) : undefined;
  if (existing)
    return isScalar(existing.value) ? setScalar(existing.value, ref.clientId, true) : fail("the client-id annotation is not a plain value");
  return ensureEntry(f, root, ["metadata", "annotations"], { key: WI_CLIENT_ID_ANNOTATION, value: doubleQuoted(ref.clientId) });
}

function envItems(f: ParsedFile, ref: ContainerRef) {
  const spec = podSpecOf(f, ref);
  const container = spec ? containerMap(spec, ref.init, ref.container) : undefined;
  const envPair = container ? pairOf(container, "env") : undefined;
  const env = envPair?.value;
  return { envPair, env: isSeq(env) ? env : undefined };
}

function envValue(f: ParsedFile, ref: ContainerRef & { name: string; value: string }): EditResult {
  const { env } = envItems(f, ref);
  const item = [...(env?.items ?? [])].reverse().find((i) => isMap(i) && scalarValue(pairOf(i, "name")?.value) === ref.name);
  if (!isMap(item)) return fail(`env ${ref.name} was not found`);
  const value = pairOf(item, "value")?.value;
  if (!isScalar(value)) return fail(`env ${ref.name} is not set with a plain value:`);
  return setScalar(value, ref.value, true);
}

function removeEnv(f: ParsedFile, ref: ContainerRef & { names: string[] }): EditResult {
  const { envPair, env } = envItems(f, ref);
  if (!env || !envPair) return fail("the container's env list was not found");
  if (env.flow) return fail("the env list is written in flow style ([…])");
  const doomed = env.items.filter((i) => isMap(i) && ref.names.includes(scalarValue(pairOf(i, "name")?.value) ?? ""));
  if (doomed.length === 0) return fail(`env ${ref.names.join(", ")} was not found`);
  if (doomed.length === env.items.length) {
    // Nothing left: drop the `env:` key itself rather than leave `env:` null.
    const span = pairLines(f, envPair);
    return span ? { ok: true, splices: [removeLines(f, span.first, span.last)] } : fail("the env list has no position");
  }
  const splices = [];
  for (const item of doomed) {
    const span = isMap(item) ? itemLines(f, item) : undefined;
    const start = isMap(item) ? item.range?.[0] : undefined;
    if (!span || start === undefined || !ownsWholeLines(f, start, span.first))
      return fail("an env entry shares its lines with something else");
    splices.push(removeLines(f, span.first, span.last));
  }
  return { ok: true, splices };
}

/** The splices for one intent against the file's current text, or why it cannot be done safely. */
export function renderIntent(f: ParsedFile, i: Intent): EditResult {
  switch (i.kind) {
    case "wiLabel":
      return wiLabel(f, i);
    case "dropPodIdentityLabel":
      return dropPodIdentityLabel(f, i);
    case "serviceAccount":
      return serviceAccount(f, i);
    case "clientIdAnnotation":
      return clientIdAnnotation(f, i);
    case "envValue":
      return envValue(f, i);
    case "removeEnv":
      return removeEnv(f, i);
    case "newDocument":
      return insertDocumentBefore(f, i.objectLine, i.lines);
    case "deleteDocument":
      return deleteDocument(f, i.objectLine);
  }
}
