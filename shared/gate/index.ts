/**
 * The gate's one surface for the CLI, the Action and the Function: `planRun` decides which layers run
 * (and why), `executePlan` runs them and applies the policy; `runGate` is both for a caller that already
 * holds a credential. Importing this file loads no Azure SDK: the Azure layers load when a plan signs in.
 */
export {
  planRun,
  describePlan,
  isPullRequestTrigger,
  GATE_MODES,
  type GateMode,
  type PlanInput,
  type PlanHints,
  type RunPlan,
  type RunTrigger,
  type LayerChoice,
  type ProbeRefusal,
} from "./plan-run.js";
export {
  executePlan,
  applyGatePolicy,
  runGate,
  type ExecuteInput,
  type AzureAccess,
  type SignInOutcome,
  type GateOutcome,
  type RunGateInput,
} from "./execute-plan.js";
export { resolveTargets, type WorkloadIdentityView } from "./targets.js";
export { configForEnvironment, type EnvironmentGate } from "./environment.js";
export type { ProbeLayer } from "../probe/layer.js";
export type { ManifestSet } from "./static-layer.js";
export { loadConfig, parseConfigText, type LoadedConfig } from "../config/load.js";
export type { GateConfig, GateConfigInput, TargetConfig } from "../config/schema.js";
export { AzureLoginError } from "../azure/login-error.js";
export type { ResolvedTarget } from "../azure/facts/types.js";
export type { RetrySettings } from "../azure/clients.js";
