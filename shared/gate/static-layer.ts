/**
 * Adapter between the static layer (shared/static) and the gate: its findings, and the workloads it
 * discovered in the manifests, reduced to what target resolution needs.
 */
export type ManifestSet = unknown;
import type { Finding } from "../findings/model.js";
import type { WorkloadIdentityView } from "./targets.js";

export interface StaticLayerResult {
  findings: Finding[];
  workloads: WorkloadIdentityView[];
  inputs?: string[];
}

export function staticLayer(_manifests: ManifestSet): StaticLayerResult {
  return { findings: [], workloads: [] };
}
