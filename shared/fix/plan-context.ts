/**
 * What every planner reads: the parsed manifests, the static model built from them, the files as
 * edit-ready documents, and the few facts a user's config adds (a target's client id, the tenant,
 * the vault). A planner answers one finding with intents, or with the reason it cannot be fixed
 * mechanically (a TODO for the user, never a guess).
 */
import type { GateConfig } from "../config/schema.js";
import type { Finding } from "../findings/model.js";
import type { ManifestSet } from "../static/parse.js";
import { child, mapAt, scalarText } from "../static/yaml-tree.js";
import type { StaticModel, WorkloadView } from "../static/workloads.js";
import type { Intent } from "./intents.js";
import type { ParsedFile } from "./locate.js";

/** The parts of azure-auth-gate.yml a fix may use. */
export interface FixConfig {
  tenantId?: string;
  targets: ReadonlyArray<{ workload?: string; serviceAccount?: string; clientId?: string; keyVault?: ReadonlyArray<{ vault: string }> }>;
}

/** The fix's view of a loaded config (no config: no targets, no tenant). */
export function fixConfigFrom(config?: Pick<GateConfig, "tenantId" | "targets">): FixConfig {
  if (!config) return { targets: [] };
  return { ...(config.tenantId ? { tenantId: config.tenantId } : {}), targets: config.targets };
}

export interface PlanContext {
  set: ManifestSet;
  model: StaticModel;
  files: ReadonlyMap<string, ParsedFile>;
  config: FixConfig;
  /** Facts earlier passes of the same fix recorded (`Plan.remember`), e.g. which pods were migrated. */
  memory: ReadonlySet<string>;
}

export type Plan =
  | {
      /** All or nothing: if one intent cannot be rendered, none is applied. */
      intents: Intent[];
      /** Steps outside the manifests (the Azure side) the change needs. */
      followUps?: string[];
      /** Recorded in PlanContext.memory once the intents are applied. */
      remember?: string[];
    }
  | { todo: string; /** Steps the user has to take (printed, never applied): rotation, Key Vault. */ guidance?: string };

/** The workload a finding is about (same kind/namespace/name, in the file it points at). */
export function workloadOf(ctx: PlanContext, f: Finding): WorkloadView | undefined {
  const t = f.target;
  const same = ctx.model.workloads.filter((w) => w.kind === t.kind && w.namespace === t.namespace && w.name === t.name);
  return same.find((w) => w.file === f.location?.file) ?? same[0];
}

export function podRef(w: WorkloadView) {
  return { file: w.file, objectLine: w.locations.object, templatePath: w.templatePath };
}

/** True when the object is a whole document of its file (not an item of a kind: List). */
export function isWholeDocument(ctx: PlanContext, file: string, objectLine: number): boolean {
  const f = ctx.files.get(file);
  return f !== undefined && f.roots.has(objectLine) && !f.listItems.has(objectLine);
}

/** True when the manifest names the object's namespace (else it follows the kubectl context: never invent one). */
export function namespaceExplicit(ctx: PlanContext, file: string, objectLine: number): boolean {
  const obj = ctx.set.objects.find((o) => o.file === file && o.line === objectLine);
  return scalarText(child(mapAt(obj?.root, "metadata"), "namespace")) !== undefined;
}
