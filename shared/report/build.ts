/**
 * The one way every host turns raw findings into a `Report`: policy (severity overrides, waivers), the
 * stable sort, the summary and the verdict. `runGate` builds the same shape for Azure runs; the
 * static-only path (no config, no Azure) goes through here so both look identical to the formats.
 */
import { applyPolicy, type Policy } from "../findings/policy.js";
import { sortFindings, summarize, verdictOf, type Finding, type Layer, type Report, type ReportMetadata } from "../findings/model.js";
import { TOOL } from "../gate/tool.js";

export function buildReport(findings: readonly Finding[], metadata: ReportMetadata, policy?: Policy): Report {
  const sorted = sortFindings(applyPolicy(findings, policy));
  return { verdict: verdictOf(sorted), summary: summarize(sorted), findings: sorted, metadata };
}

/** Metadata for a run of this build of the tool; `extra` carries host-specific keys (inputs, azureCalls…). */
export function runMetadata(layers: Layer[], extra: Omit<Partial<ReportMetadata>, "tool" | "layers"> = {}, now: Date = new Date()): ReportMetadata {
  return { tool: TOOL, generatedAt: now.toISOString(), layers, ...extra };
}
