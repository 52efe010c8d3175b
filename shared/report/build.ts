/**
 * The one way every host turns raw findings into a `Report`: policy (severity overrides, waivers), the
 * stable sort, the summary and the verdict. `runGate` builds the same shape for Azure runs; the
 * static-only path (no config, no Azure) goes through here so both look identical to the formats.
 */
import { applyPolicy, type Policy } from "../findings/severity-and-waivers.js";
import { sortFindings, summarize, verdictOf, type Finding, type Layer, type Report, type ReportMetadata } from "../findings/model.js";
import { TOOL } from "../tool.js";

export function buildReport(findings: readonly Finding[], metadata: ReportMetadata, policy?: Policy): Report {
  const sorted = sortFindings(applyPolicy(findings, policy));
  return { verdict: verdictOf(sorted), summary: summarize(sorted), findings: sorted, metadata };
}

/** Metadata for a run of this build of the tool; `extra` carries host-specific keys (inputs, azureCalls…). */
export function runMetadata(
  layers: Layer[],
  extra: Omit<Partial<ReportMetadata>, "tool" | "layers"> = {},
  now: Date = new Date(),
): ReportMetadata {
  return { tool: TOOL, generatedAt: now.toISOString(), layers, ...extra };
}

/** "1 error", "2 warnings". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The summary as every format words it: "1 error", "0 warnings", "2 infos" (and "1 waived" when any). */
export function summaryCounts(summary: Report["summary"]): string[] {
  const counts = [plural(summary.errors, "error"), plural(summary.warnings, "warning"), plural(summary.infos, "info")];
  if (summary.waived > 0) counts.push(`${summary.waived} waived`);
  return counts;
}

/** What ran: tool and version, layers, manifest files and Azure calls (when known). */
export function aboutParts(m: ReportMetadata): string[] {
  const parts = [`${m.tool.name} ${m.tool.version}`, `layers: ${m.layers.join(", ") || "none"}`];
  if (m.inputs) parts.push(plural(m.inputs.length, "manifest file"));
  if (m.skippedInputs?.length) parts.push(`${plural(m.skippedInputs.length, "file")} skipped`);
  if (m.refusedInputs?.length) parts.push(`${plural(m.refusedInputs.length, "file")} refused (unusable input: exit 2)`);
  if (typeof m.azureCalls === "number") parts.push(plural(m.azureCalls, "Azure call"));
  return parts;
}
