/**
 * `mode: probe`: the live probe layer, configured from azure-auth-gate.yml's `probe` section. The
 * cluster comes from the kubeconfig a previous step left (azure/aks-set-context sets KUBECONFIG), never from
 * a file the repository names. Whether it runs is the gate's plan (shared/gate/plan-run.ts): on pull-request
 * events it is refused (AG503 per target, and a notice) unless the workflow says `probe-on-pull-request: true`.
 */
import type { CloudProfile } from "../shared/cloud/profile.js";
import type { LoadedConfig } from "../shared/config/load.js";
import type { ProbeLayer } from "../shared/probe/layer.js";
import { createProbeLayer, probeOptionsFromConfig } from "../shared/probe/index.js";

export function probeLayerFor(loaded: LoadedConfig, profile: CloudProfile): ProbeLayer {
  return createProbeLayer(probeOptionsFromConfig(loaded.config.probe, { profile }));
}
