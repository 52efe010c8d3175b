/** What every static rule reads: the parsed objects and the model built from them once. */
import type { Finding, SourceLocation, Target } from "../../findings/model.js";
import type { ManifestSet } from "../parse.js";
import type { StaticModel, WorkloadView } from "../workloads.js";

export interface RuleContext {
  set: ManifestSet;
  model: StaticModel;
}

export type StaticRule = (ctx: RuleContext) => Finding[];

export function targetOf(o: { kind: string; namespace: string; name: string }): Target {
  return { kind: o.kind, namespace: o.namespace, name: o.name };
}

export function at(file: string, line: number): SourceLocation {
  return { file, line };
}

/** Where the pod template's labels are (or would go): the label map, else the template's metadata, else the template. */
export function podLabelsLine(w: WorkloadView): number {
  return w.locations.wiLabel ?? w.locations.podLabels ?? w.locations.podMetadata ?? w.locations.template;
}
