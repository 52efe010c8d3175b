/**
 * What `check` hands the gate when its plan signs in (`--config`, mode azure or probe): the CLI's sign-in
 * (DefaultAzureCredential against the config's cloud, as whoever runs it) and its live probe (`--probe`,
 * the cluster of `--kubeconfig`, else KUBECONFIG, then ~/.kube/config). Loaded by check.ts on first use, so
 * the Azure SDKs stay out of a static check; the probe's Kubernetes client loads only when the probe runs.
 */
import type { LoadedConfig } from "../config/load.js";
import type { AzureAccess } from "../gate/execute-plan.js";
// The Azure layers load with this module (one chunk, one import before the gate starts) instead of on the
// gate's first sign-in: the bench's child preloads this module and times the run alone.
import "../gate/azure-layers.js";
import { gateCredential } from "./credential.js";

export function cliAzureAccess(loaded: LoadedConfig, options: { kubeconfig?: string }): AzureAccess {
  const { config, profile } = loaded;
  return {
    profile,
    signIn: () => Promise.resolve({ ok: true, credential: gateCredential(profile, config.tenantId) }),
    probe: async () => {
      const { createProbeLayer, probeOptionsFromConfig } = await import("../probe/index.js");
      return createProbeLayer(
        probeOptionsFromConfig(config.probe, {
          profile,
          ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
        }),
      );
    },
  };
}
