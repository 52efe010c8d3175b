/**
 * `check --config`: the whole gate (`runGate`: static + control plane, + the live probe when asked) against the
 * cloud the config names, signed in as whoever runs it. Loaded by check.ts on first use, so the Azure SDKs
 * stay out of a static check; the probe's Kubernetes client loads only when the probe runs.
 */
import { describeCustomCloud, isCustomCloud } from "../cloud/profile.js";
import { loadConfig } from "../config/load.js";
import type { Report } from "../findings/model.js";
import { runGate } from "../gate/run.js";
import type { ManifestSet } from "../static/index.js";
import { gateCredential } from "./credential.js";
import type { CliIo } from "./io.js";

export interface GateCheckInput {
  config: string;
  manifests?: ManifestSet;
  /** `--allow-custom-cloud`: the user lets the config name a cloud profile file. */
  allowCustomCloud: boolean;
  /** `--probe`: run the live probe (the only way the CLI runs it). */
  probe: boolean;
  /** `--kubeconfig`: the probe's cluster (default: KUBECONFIG, then ~/.kube/config). */
  kubeconfig?: string;
}

export async function runGateCheck(input: GateCheckInput, io: CliIo): Promise<Report> {
  const { config, file, profile } = loadConfig(input.config, { allowCustomCloud: input.allowCustomCloud });
  // Before any token is requested: where tokens will go, on the user's say-so.
  if (isCustomCloud(profile)) for (const line of describeCustomCloud(profile)) io.stderr.write(`${line}\n`);
  const probeModule = input.probe ? await import("../probe/index.js") : undefined;
  const probe = probeModule?.createProbeLayer(
    probeModule.probeOptionsFromConfig(config.probe, { profile, ...(input.kubeconfig !== undefined ? { kubeconfig: input.kubeconfig } : {}), log: (line) => io.stderr.write(`${line}\n`) }),
  );
  const report = await runGate({
    ...(input.manifests ? { manifests: input.manifests } : {}),
    ...(probe ? { probe } : {}),
    config,
    credential: gateCredential(profile, config.tenantId),
    profile,
    configFile: file,
  });
  // SARIF anchors Azure findings (no line in any manifest) to the config file that asked for them.
  report.metadata.config = file;
  return report;
}
