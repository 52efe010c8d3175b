/**
 * The finding model shared by every layer (static, control plane, data plane, sweep, login) and every
 * report format. Field names of `Finding` and `Report` are a public contract (JSON output, SARIF, PR comments).
 */
import type { RuleId } from "./catalogue.js";
import type { AzureFixPlan } from "./fix-plan.js";

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

/** The forms a finding's fix can be written in (`check --fix-format`); `fix` holds the az form. */
export const FIX_FORMATS = ["az", "bicep", "terraform"] as const;
export type FixFormat = (typeof FIX_FORMATS)[number];

/** One Azure-side fix in every format, from one plan (shared/azure/rules/fix-commands.ts). */
export type FixVariants = { plan: AzureFixPlan } & Record<FixFormat, string>;

/**
 * Engine state that travels with a finding through spreads, policy and severity overrides, but is never
 * written out: the JSON, SARIF, text and Markdown writers build their output field by field, and
 * `withoutInternals` drops it where a report is stored as is (the sweep's Blob files).
 */
export interface FindingInternals {
  /** Raised because a fact could not be read: stays an error (a warning with failOpen) whatever the policy says. */
  unverified?: true;
  /** The fix as az, Bicep and Terraform (findings whose fix is an Azure change). */
  fixVariants?: FixVariants;
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
  /** Engine-only: never part of any output (see FindingInternals). */
  internal?: FindingInternals;
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

/** True for findings raised because a fact could not be read (they fail closed whatever the policy says). */
export function isUnverified(f: Finding): boolean {
  return f.internal?.unverified === true;
}

/**
 * Marks a finding as "could not verify" (e.g. AG304: the live probe did not run), so runGate keeps it
 * an error (a warning with failOpen) whatever severity override the config sets: never a silent pass.
 */
export function markUnverified(f: Finding): Finding {
  f.severity = "error";
  f.internal = { ...f.internal, unverified: true };
  return f;
}

/** The finding as the outside sees it: internals dropped. */
export function withoutInternal(f: Finding): Finding {
  if (f.internal === undefined) return f;
  const { internal: _internal, ...out } = f;
  return out;
}

/** For anything that stores findings as they are (JSON.stringify): the same object without engine state. */
export function withoutInternals<T extends { findings: readonly Finding[] }>(holder: T): T {
  return { ...holder, findings: holder.findings.map(withoutInternal) };
}
