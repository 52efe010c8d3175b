/**
 * `check --config`: the whole gate (`runGate`: static + control plane, + the live probe when asked) against the
 * cloud the config names, signed in as whoever runs it. Loaded by check.ts on first use, so the Azure SDKs
 * stay out of a static check; the probe's Kubernetes client loads only when the probe runs.
 */
import path from "node:path";
import { loadConfig } from "../config/load.js";
import { trustProfileCertificate } from "../cloud/profile.js";
import type { Report } from "../findings/model.js";
import { runGate } from "../gate/run.js";
import type { ManifestSet } from "../static/index.js";
import { gateCredential } from "./credential.js";
import type { CliIo } from "./io.js";

export interface GateCheckInput {
  config: string;
  manifests?: ManifestSet;
  /** `--probe`: run the live probe even when the config's `probe.enabled` is false. */
  probe: boolean;
}

export async function runGateCheck(input: GateCheckInput, io: CliIo): Promise<Report> {
  const { config, file, profile } = loadConfig(input.config);
  trustProfileCertificate(profile);
  const probeModule = input.probe || config.probe.enabled ? await import("../probe/index.js") : undefined;
  const probe = probeModule?.createProbeLayer(
    probeModule.probeOptionsFromConfig(config.probe, { profile, configDir: path.dirname(file), log: (line) => io.stderr.write(`${line}\n`) }),
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
