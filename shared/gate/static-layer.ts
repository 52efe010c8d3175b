/**
 * Adapter between the static layer (shared/static) and the gate: its findings, and the workloads it
 * discovered in the manifests, reduced to what target resolution needs.
 */
import type { WorkloadScheduling } from "../azure/facts/types.js";
import type { Finding, ReportMetadata } from "../findings/model.js";
import { buildModel, checkManifests, type ManifestSet, type WorkloadView } from "../static/index.js";
import type { WorkloadIdentityView } from "./targets.js";

export type { ManifestSet } from "../static/index.js";

export interface StaticLayerResult {
  findings: Finding[];
  workloads: WorkloadIdentityView[];
  inputs: string[];
  /** Report metadata for what the run left out (notices) and refused (exit 2): see ReportMetadata. */
  inputNotes: Pick<ReportMetadata, "skippedInputs" | "refusedInputs">;
}

/** What the manifests' loader skipped and refused, as report metadata (empty keys left out). */
export function inputNotes(set: ManifestSet): Pick<ReportMetadata, "skippedInputs" | "refusedInputs"> {
  return {
    ...(set.skipped?.length ? { skippedInputs: set.skipped.map((s) => ({ file: s.file, reason: s.reason })) } : {}),
    ...(set.refused?.length ? { refusedInputs: set.refused.map((e) => e.oneLine()) } : {}),
  };
}

function mainImage(w: WorkloadView): string | undefined {
  const migrate = w.containers.find((c) => c.isMigration && c.image);
  const app = w.containers.find((c) => !c.init && c.image);
  return (migrate ?? app)?.image;
}

/** The pod spec's scheduling, passed through as written (the API server validates it when the probe Job is created). */
function scheduling(w: WorkloadView): WorkloadScheduling | undefined {
  const out: WorkloadScheduling = {
    ...(w.nodeSelector ? { nodeSelector: w.nodeSelector } : {}),
    ...(w.tolerations ? { tolerations: w.tolerations } : {}),
    ...(w.affinity ? { affinity: w.affinity } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

export function toIdentityView(w: WorkloadView): WorkloadIdentityView {
  const sa = w.serviceAccount;
  const placement = scheduling(w);
  // Target discovery wants to point at the client id the gate will prove; else at the workload.
  const location = sa?.clientId ? { file: sa.file, line: sa.clientIdLine ?? sa.line } : { file: w.file, line: w.locations.object };
  return {
    namespace: w.namespace,
    kind: w.kind,
    name: w.name,
    serviceAccountName: w.serviceAccountName,
    ...(sa?.clientId ? { clientId: sa.clientId } : {}),
    isApp: w.isApp,
    location,
    // The probe runs the image being deployed: the migrate container's for a migration, else the first app container's.
    ...(mainImage(w) ? { image: mainImage(w) } : {}),
    podLabels: w.podLabels,
    ...(w.imagePullSecrets.length ? { imagePullSecrets: w.imagePullSecrets } : {}),
    ...(placement ? { scheduling: placement } : {}),
  };
}

/** A location in rendered output (helm template, kustomize build) → the template or kustomization it came from. */
function sourceLocation<T extends { file: string; line: number }>(set: ManifestSet, at: T): T {
  const origin = set.origins?.get(at.file);
  return origin ? { ...at, ...origin(at.line) } : at;
}

export function staticLayer(set: ManifestSet): StaticLayerResult {
  const model = buildModel(set);
  const findings = checkManifests(set, model).map((f) => (f.location ? { ...f, location: sourceLocation(set, f.location) } : f));
  const workloads = model.workloads.map(toIdentityView).map((w) => (w.location ? { ...w, location: sourceLocation(set, w.location) } : w));
  return { findings, workloads, inputs: set.inputs, inputNotes: inputNotes(set) };
}
