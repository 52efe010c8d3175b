/**
 * The finding model shared by every layer (static, control plane, data plane, sweep, login) and every
 * report format. Field names of `Finding` and `Report` are a public contract (JSON output, SARIF, PR comments).
 */
import type { RuleId } from "./catalogue.js";

export type Severity = "error" | "warning" | "info";
export type Verdict = "pass" | "warn" | "fail";
export type Layer = "static" | "control-plane" | "data-plane" | "sweep" | "login";

/** What the finding is about: a Kubernetes object, or an Azure resource (kind "azure", name = resource id). */
export interface Target {
  kind: string;
  namespace?: string;
  name: string;
}

/** Where in the user's files the problem is; `line` is 1-based and points at the offending key. */
export interface SourceLocation {
  file: string;
  line: number;
}

export interface Waiver {
  reason: string;
}

export interface Finding {
  id: RuleId;
  severity: Severity;
  title: string;
  target: Target;
  location?: SourceLocation;
  /** What was seen, already redacted: never a secret value. */
  evidence: string;
  /** The concrete change that fixes it, with the user's names filled in (az command, kubectl or YAML). */
  fix: string;
  /** Set when the config waived this finding for this target; waived findings never affect the verdict. */
  waived?: Waiver;
}

export interface ReportMetadata {
  tool: { name: string; version: string };
  generatedAt: string;
  layers: Layer[];
  /** Azure calls made while gathering facts (control plane + data plane), when Azure was consulted. */
  azureCalls?: number;
  /** Files the static layer read, relative as given by the user. */
  inputs?: string[];
  /** Files the static layer left out on purpose (not Kubernetes objects, links out of the tree, charts without helm). */
  skippedInputs?: { file: string; reason: string }[];
  /** Files refused as unusable: the report covers the rest and the run exits 2. One line each, as the CLI prints it. */
  refusedInputs?: string[];
  [extra: string]: unknown;
}

export interface Report {
  verdict: Verdict;
  summary: { errors: number; warnings: number; infos: number; waived: number };
  findings: Finding[];
  metadata: ReportMetadata;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

/** fail if any (unwaived) error, warn if any warning, else pass. */
export function verdictOf(findings: readonly Finding[]): Verdict {
  const live = findings.filter((f) => !f.waived);
  if (live.some((f) => f.severity === "error")) return "fail";
  if (live.some((f) => f.severity === "warning")) return "warn";
  return "pass";
}

/** When a verdict blocks the deploy (CLI exit 1, failed Action step): `fail-on` of both. */
export const FAIL_ON = ["error", "warning", "never"] as const;
export type FailOn = (typeof FAIL_ON)[number];

export function blocks(verdict: Verdict, failOn: FailOn): boolean {
  if (failOn === "never") return false;
  return verdict === "fail" || (verdict === "warn" && failOn === "warning");
}

export function summarize(findings: readonly Finding[]): Report["summary"] {
  const live = findings.filter((f) => !f.waived);
  return {
    errors: live.filter((f) => f.severity === "error").length,
    warnings: live.filter((f) => f.severity === "warning").length,
    infos: live.filter((f) => f.severity === "info").length,
    waived: findings.length - live.length,
  };
}

/** Stable order for every output: severity, then file/line, then id, then target. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      compareSeverity(a.severity, b.severity) ||
      (a.location?.file ?? "").localeCompare(b.location?.file ?? "") ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      a.id.localeCompare(b.id) ||
      targetKey(a.target).localeCompare(targetKey(b.target)),
  );
}

export function targetKey(t: Target): string {
  return `${t.kind}/${t.namespace ?? ""}/${t.name}`;
}

export function formatTarget(t: Target): string {
  return t.namespace ? `${t.kind} ${t.namespace}/${t.name}` : `${t.kind} ${t.name}`;
}
