import { ruleFor, type RuleId } from "./catalogue.js";
import type { Finding, SourceLocation, Target } from "./model.js";

export interface RaiseInput {
  target: Target;
  location?: SourceLocation;
  evidence: string;
  fix: string;
}

/** Builds a finding from the registry so severity and title can never drift from the catalogue. */
export function raise(id: RuleId, input: RaiseInput): Finding {
  const rule = ruleFor(id);
  const finding: Finding = {
    id: rule.id,
    severity: rule.severity,
    title: rule.title,
    target: input.target,
    evidence: input.evidence,
    fix: input.fix,
  };
  if (input.location) finding.location = input.location;
  return finding;
}
