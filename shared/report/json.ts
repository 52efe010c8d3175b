/**
 * `--format json`: the machine-readable report. Field names are a public contract (scripts, the Action's
 * outputs); every finding has the same keys in the same order, `location` is null when the finding is
 * not about a line of the user's files, and `waived` appears only on waived findings.
 */
import type { Finding, Report } from "../findings/model.js";

export interface JsonFinding {
  id: Finding["id"];
  severity: Finding["severity"];
  title: string;
  target: Finding["target"];
  location: Finding["location"] | null;
  evidence: string;
  fix: string;
  waived?: Finding["waived"];
}

export interface JsonReport {
  verdict: Report["verdict"];
  summary: Report["summary"];
  findings: JsonFinding[];
  metadata: Report["metadata"];
}

export function toJsonFinding(f: Finding): JsonFinding {
  const out: JsonFinding = {
    id: f.id,
    severity: f.severity,
    title: f.title,
    target: { kind: f.target.kind, ...(f.target.namespace !== undefined ? { namespace: f.target.namespace } : {}), name: f.target.name },
    location: f.location ? { file: f.location.file, line: f.location.line } : null,
    evidence: f.evidence,
    fix: f.fix,
  };
  if (f.waived) out.waived = { reason: f.waived.reason };
  return out;
}

export function toJsonReport(report: Report): JsonReport {
  return {
    verdict: report.verdict,
    summary: { ...report.summary },
    findings: report.findings.map(toJsonFinding),
    metadata: report.metadata,
  };
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}
