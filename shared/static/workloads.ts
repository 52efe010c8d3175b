/**
 * Every pod the manifests would run (a Pod, or the pod template of a Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, Job, CronJob…), reduced to what identity needs: the pod template's labels (what the
 * Workload Identity webhook reads), its ServiceAccount, and each container's image, command and
 * resolved environment. Also the listing other layers use (the live probe wants the images).
 */
import { InputError, InputErrorList } from "../errors.js";
import { containerEnv, type ContainerEnv } from "./env.js";
import { buildInventory, nsKey, WI_USE_LABEL, type Inventory, type ServiceAccountView } from "./inventory.js";
import { requireName } from "../k8s-names.js";
import { runsMigrations } from "./migration.js";
import { POD_TEMPLATE_PATHS, type KObject, type ManifestSet } from "./parse.js";
import {
  asMap,
  asSeq,
  child,
  entry,
  mapAt,
  requireScalarValues,
  scalarText,
  stringMap,
  textAt,
  toPlainObject,
  type PlainObject,
  type YEntry,
  type YMap,
} from "./yaml-tree.js";

export interface ContainerView {
  name: string;
  image?: string;
  /** An initContainer (runs before the app containers, with the same ServiceAccount and labels). */
  init: boolean;
  /** Line of the container's `name` key. */
  line: number;
  command: string[];
  args: string[];
  /** Runs `manage.py migrate` / `django-admin migrate`. */
  isMigration: boolean;
  env: ContainerEnv;
}

/** Helm / Argo CD hook, from the object's own annotations. */
export interface HookView {
  tool: "helm" | "argocd";
  phases: string[];
  line: number;
}

export interface WorkloadLocations {
  /** The object's first key. */
  object: number;
  /** The pod template (`spec.template` / `spec.jobTemplate.spec.template`; the Pod itself for a Pod). */
  template: number;
  /** The pod template's `metadata` key, when present. */
  podMetadata?: number;
  /** The pod template's `labels` key, when present. */
  podLabels?: number;
  /** The `azure.workload.identity/use` pod label, when present. */
  wiLabel?: number;
  /** The same label on the owner's own metadata (which the webhook ignores). */
  ownerWiLabel?: number;
  /** The pod spec's `serviceAccountName` (or deprecated `serviceAccount`) key, when set. */
  serviceAccountName?: number;
  /** The pod spec key (`spec`). */
  podSpec: number;
}

export interface WorkloadView {
  kind: string;
  name: string;
  namespace: string;
  file: string;
  /** YAML path of the pod template inside the object (empty for a Pod): used to write fixes. */
  templatePath: readonly string[];
  /** Long-running app workloads; Jobs, CronJobs and hooks are not. */
  isApp: boolean;
  /** Some container or initContainer runs Django migrations. */
  isMigration: boolean;
  hook?: HookView;
  /** The owner's own metadata.labels (not read by the webhook); equal to podLabels for a Pod. */
  ownerLabels: Record<string, string>;
  podLabels: Record<string, string>;
  /** Names of the pod spec's imagePullSecrets (the live probe's Job needs the same to pull the image). */
  imagePullSecrets: string[];
  /**
   * Where the pod may be scheduled, copied verbatim (absent when unset or empty): the live probe's Job
   * carries the same, so it lands on the app's node pool — its subnet, so its firewall path to Storage
   * and Key Vault — and tolerates the same taints.
   */
  nodeSelector?: Record<string, string>;
  tolerations?: PlainObject[];
  affinity?: PlainObject;
  /** Line of each pod-template label key. */
  podLabelLines: Record<string, number>;
  /** True when the pod template carries `azure.workload.identity/use: "true"`. */
  wiLabelled: boolean;
  /** The pod's ServiceAccount: `serviceAccountName`, or "default" when unset. */
  serviceAccountName: string;
  serviceAccountExplicit: boolean;
  /** The ServiceAccount's manifest, when the input defines it. */
  serviceAccount?: ServiceAccountView;
  containers: ContainerView[];
  images: string[];
  locations: WorkloadLocations;
}

const APP_KINDS = new Set([
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "ReplicationController",
  "Rollout",
  "DeploymentConfig",
]);
const HOOK_ANNOTATIONS: ReadonlyArray<{ key: string; tool: HookView["tool"] }> = [
  { key: "helm.sh/hook", tool: "helm" },
  { key: "argocd.argoproj.io/hook", tool: "argocd" },
];

function textList(node: ReturnType<typeof child>): string[] {
  const seq = asSeq(node);
  if (seq) return seq.items.map((i) => scalarText(i) ?? "");
  const one = scalarText(node);
  return one === undefined ? [] : [one];
}

function hookOf(metadata: YMap | undefined): HookView | undefined {
  const annotations = mapAt(metadata, "annotations");
  for (const { key, tool } of HOOK_ANNOTATIONS) {
    const e = entry(annotations, key);
    const value = scalarText(e?.value);
    if (e && value)
      return {
        tool,
        phases: value
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean),
        line: e.keyLine,
      };
  }
  return undefined;
}

function containersOf(podSpec: YMap, namespace: string, inv: Inventory): ContainerView[] {
  const out: ContainerView[] = [];
  for (const [field, init] of [
    ["initContainers", true],
    ["containers", false],
  ] as const) {
    for (const item of asSeq(child(podSpec, field))?.items ?? []) {
      const c = asMap(item);
      if (!c) continue;
      const command = textList(child(c, "command"));
      const args = textList(child(c, "args"));
      const image = textAt(c, "image");
      out.push({
        name: textAt(c, "name") ?? "",
        ...(image ? { image } : {}),
        init,
        line: entry(c, "name")?.keyLine ?? c.line,
        command,
        args,
        isMigration: runsMigrations(command, args),
        env: containerEnv(c, namespace, inv),
      });
    }
  }
  return out;
}

function labelsRecord(map: YMap | undefined): Record<string, string> {
  return Object.fromEntries([...stringMap(map)].map(([k, v]) => [k, v.value]));
}

type Scheduling = Pick<WorkloadView, "nodeSelector" | "tolerations" | "affinity">;

/**
 * The pod spec's nodeSelector, tolerations and affinity as plain JSON. A wrong shape is refused here,
 * naming the field, as the API server would refuse it: dropping it instead would let the probe run on
 * a node pool the app never runs on, and prove the wrong network path.
 */
function schedulingOf(podSpec: YMap, file: string, specPath: string): Scheduling {
  const set = (key: string): YEntry | undefined => {
    const e = entry(podSpec, key);
    // `tolerations:` with nothing after it is null: unset, as the API server reads it.
    return e && !(e.value.type === "scalar" && e.value.value === null) ? e : undefined;
  };
  const refuse = (field: string, line: number, want: string) =>
    new InputError(`must be ${want}`, { file, line, field: `${specPath}.${field}` });
  const out: Scheduling = {};
  const selector = set("nodeSelector");
  if (selector) {
    if (selector.value.type !== "map") throw refuse("nodeSelector", selector.keyLine, "a map of node labels");
    requireScalarValues(selector.value, file, `${specPath}.nodeSelector`);
    const nodeSelector = labelsRecord(selector.value);
    if (Object.keys(nodeSelector).length > 0) out.nodeSelector = nodeSelector;
  }
  const tolerations = set("tolerations");
  if (tolerations) {
    if (tolerations.value.type !== "seq") throw refuse("tolerations", tolerations.keyLine, "a list");
    const list = tolerations.value.items.map((item, i) => {
      if (item.type !== "map") throw refuse(`tolerations[${i}]`, item.line, "a map (key, operator, value, effect)");
      return toPlainObject(item);
    });
    if (list.length > 0) out.tolerations = list;
  }
  const affinity = set("affinity");
  if (affinity) {
    if (affinity.value.type !== "map") throw refuse("affinity", affinity.keyLine, "a map");
    if (affinity.value.entries.size > 0) out.affinity = toPlainObject(affinity.value);
  }
  return out;
}

function workloadOf(o: KObject, path: readonly string[], inv: Inventory): WorkloadView {
  const templateEntry = path.length === 0 ? undefined : entry(mapAt(o.root, ...path.slice(0, -1)), path[path.length - 1] ?? "");
  const template = path.length === 0 ? o.root : asMap(templateEntry?.value);
  const podSpecEntry = entry(template, "spec");
  const podSpec = asMap(podSpecEntry?.value);
  if (!template || !podSpec || !asSeq(child(podSpec, "containers"))) {
    const where = [...path, "spec", "containers"].join(".");
    throw new InputError(
      `${o.kind} ${o.namespace}/${o.name} has no ${where}: the gate needs fully rendered objects (run \`kustomize build\` / \`helm template\` first)`,
      {
        file: o.file,
        line: templateEntry?.keyLine ?? o.line,
        field: where,
      },
    );
  }
  const ownerMeta = mapAt(o.root, "metadata");
  const podMetaEntry = entry(template, "metadata");
  const podMeta = asMap(podMetaEntry?.value);
  const podLabelsEntry = entry(podMeta, "labels");
  const podLabelMap = asMap(podLabelsEntry?.value);
  for (const field of ["labels", "annotations"])
    requireScalarValues(asMap(child(podMeta, field)), o.file, [...path, "metadata", field].join("."));
  const wiLabel = entry(podLabelMap, WI_USE_LABEL);
  const ownerWiLabel = path.length === 0 ? undefined : entry(mapAt(ownerMeta, "labels"), WI_USE_LABEL);
  const saKey = entry(podSpec, "serviceAccountName") ? "serviceAccountName" : "serviceAccount";
  const saEntry = entry(podSpec, saKey);
  const saName = scalarText(saEntry?.value)?.trim() || "default";
  if (saEntry) requireName(saName, "subdomain", { file: o.file, line: saEntry.keyLine, field: [...path, "spec", saKey].join(".") });
  const containers = containersOf(podSpec, o.namespace, inv);
  const scheduling = schedulingOf(podSpec, o.file, [...path, "spec"].join("."));
  const hook = hookOf(ownerMeta);
  const appContainers = containers.filter((c) => !c.init);
  const serviceAccount = inv.serviceAccounts.get(nsKey(o.namespace, saName));
  const locations: WorkloadLocations = {
    object: o.line,
    template: templateEntry?.keyLine ?? o.line,
    podSpec: podSpecEntry?.keyLine ?? o.line,
    ...(podMetaEntry ? { podMetadata: podMetaEntry.keyLine } : {}),
    ...(podLabelsEntry ? { podLabels: podLabelsEntry.keyLine } : {}),
    ...(wiLabel ? { wiLabel: wiLabel.keyLine } : {}),
    ...(ownerWiLabel ? { ownerWiLabel: ownerWiLabel.keyLine } : {}),
    ...(saEntry ? { serviceAccountName: saEntry.keyLine } : {}),
  };
  return {
    kind: o.kind,
    name: o.name,
    namespace: o.namespace,
    file: o.file,
    templatePath: path,
    // A Pod whose only job is `migrate` is a one-off, not the app.
    isApp: APP_KINDS.has(o.kind) && !hook && !(appContainers.length > 0 && appContainers.every((c) => c.isMigration)),
    isMigration: containers.some((c) => c.isMigration),
    ...(hook ? { hook } : {}),
    ownerLabels: labelsRecord(mapAt(ownerMeta, "labels")),
    imagePullSecrets: (asSeq(child(podSpec, "imagePullSecrets"))?.items ?? [])
      .map((item) => textAt(asMap(item), "name"))
      .filter((n): n is string => Boolean(n)),
    podLabels: labelsRecord(podLabelMap),
    ...scheduling,
    podLabelLines: Object.fromEntries([...(podLabelMap?.entries ?? new Map())].map(([k, e]) => [k, e.keyLine])),
    wiLabelled: scalarText(wiLabel?.value)?.trim().toLowerCase() === "true",
    serviceAccountName: saName,
    serviceAccountExplicit: saEntry !== undefined && scalarText(saEntry.value) !== undefined,
    ...(serviceAccount ? { serviceAccount } : {}),
    containers,
    images: [...new Set(containers.map((c) => c.image).filter((i): i is string => Boolean(i)))],
    locations,
  };
}

export interface StaticModel {
  inventory: Inventory;
  workloads: WorkloadView[];
}

/** Models built by `modelledSet`, by the set they were built from (so the check does not build them again). */
const built = new WeakMap<ManifestSet, StaticModel>();

/** Builds the inventory and the workloads once; every rule reads this model. */
export function buildModel(set: ManifestSet): StaticModel {
  const known = built.get(set);
  if (known) return known;
  const inventory = buildInventory(set);
  const workloads: WorkloadView[] = [];
  for (const o of set.objects) {
    const path = POD_TEMPLATE_PATHS[o.kind];
    if (path) workloads.push(workloadOf(o, path, inventory));
  }
  return { inventory, workloads };
}

/** The model, or the first error of each input file whose objects cannot be modelled (none when it is built). */
function tryModel(set: ManifestSet): { model: StaticModel } | { refused: Map<string, InputError> } {
  const inputs = new Set(set.inputs);
  const refused = new Map<string, InputError>();
  const refusable = (err: unknown): err is InputError & { file: string } =>
    err instanceof InputError && err.file !== undefined && inputs.has(err.file);
  let inventory: Inventory;
  try {
    inventory = buildInventory(set);
  } catch (err) {
    if (!refusable(err)) throw err;
    return { refused: new Map([[err.file, err]]) };
  }
  const workloads: WorkloadView[] = [];
  for (const o of set.objects) {
    const path = POD_TEMPLATE_PATHS[o.kind];
    if (!path || refused.has(o.file)) continue;
    try {
      workloads.push(workloadOf(o, path, inventory));
    } catch (err) {
      if (!refusable(err)) throw err;
      refused.set(err.file, err);
    }
  }
  return refused.size > 0 ? { refused } : { model: { inventory, workloads } };
}

/**
 * The set without the input files whose objects cannot be modelled (a workload without a containers list,
 * a ServiceAccount name no API server accepts, …): each is refused whole, in `refused`, as a file the parser
 * refuses is, and the model is built from the rest (again after each refusal: at most once per file, since
 * the ServiceAccounts and ConfigMaps of a refused file are not the cluster's either). Throws the refusals
 * when no file is left, as `readManifests` does when nothing parses.
 */
export function modelledSet(set: ManifestSet): ManifestSet {
  let current = set;
  for (;;) {
    const attempt = tryModel(current);
    if ("model" in attempt) {
      built.set(current, attempt.model);
      return current;
    }
    const gone = attempt.refused;
    const refused = [...(current.refused ?? []), ...gone.values()];
    const inputs = current.inputs.filter((f) => !gone.has(f));
    if (inputs.length === 0) throw refused.length === 1 ? refused[0]! : new InputErrorList(refused);
    const origins = current.origins ? new Map([...current.origins].filter(([f]) => !gone.has(f))) : undefined;
    current = {
      inputs,
      objects: current.objects.filter((o) => !gone.has(o.file)),
      ...(current.skipped ? { skipped: current.skipped } : {}),
      refused,
      ...(origins?.size ? { origins } : {}),
    };
  }
}

/** The workloads the manifests would run (apps, Jobs, CronJobs, hooks), in input order. */
export function listWorkloads(set: ManifestSet): WorkloadView[] {
  return buildModel(set).workloads;
}
