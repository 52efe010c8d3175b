/**
 * The static layer: Kubernetes manifests → AG101–AG112, with no Azure access. `parseManifests` reads
 * (and rejects unusable input with an InputError naming file and line; `readManifests` refuses each
 * unusable file, parsed or modelled, and keeps the rest), `checkManifests` raises the
 * findings, `listWorkloads` describes every pod the manifests would run (for target discovery and the
 * live probe: ServiceAccount, client id, images, env, migration role).
 */
export { readManifests } from "./load.js";
export { parseManifests, type KObject, type ManifestSet, type ManifestSource, type SkippedInput } from "./parse.js";
export { checkManifests } from "./rules/index.js";
export {
  listWorkloads,
  buildModel,
  type ContainerView,
  type HookView,
  type StaticModel,
  type WorkloadLocations,
  type WorkloadView,
} from "./workloads.js";
export { effectiveClientId, workloadIdentity, type ClientIdView, type Tri } from "./token-injection.js";
export type { ContainerEnv, EnvSource, EnvVar, OpenRef, Presence } from "./env.js";
export {
  WI_CLIENT_ID_ANNOTATION,
  WI_USE_LABEL,
  type ConfigMapView,
  type Inventory,
  type SecretView,
  type ServiceAccountView,
} from "./inventory.js";
export { loadManifestSources } from "./sources.js";
