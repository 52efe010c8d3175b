/** Public entry points of the gate engine for the CLI, the Action and the Function. */
export { runGate, dedupeFindings, type RunGateInput, type ProbeLayer } from "./run.js";
export { resolveTargets, type WorkloadIdentityView } from "./targets.js";
export { loadConfig, parseConfigText, type LoadedConfig } from "../config/load.js";
export type { GateConfig, GateConfigInput, TargetConfig } from "../config/schema.js";
export { AzureLoginError } from "../azure/errors.js";
export type { ResolvedTarget } from "../azure/facts/types.js";
export type { RetrySettings } from "../azure/clients.js";
