import type { Finding, Severity, Target } from "./model.js";

/** A user's waiver: one finding id on one target (kind/namespace/name may be partial), always with a reason. */
export interface WaiverRule {
  id: string;
  target?: Partial<Target>;
  reason: string;
}

export interface Policy {
  severity?: Record<string, Severity>;
  waivers?: WaiverRule[];
}

function targetMatches(want: Partial<Target> | undefined, have: Target): boolean {
  if (!want) return true;
  return (
    (want.kind === undefined || want.kind === have.kind) &&
    (want.namespace === undefined || want.namespace === have.namespace) &&
    (want.name === undefined || want.name === have.name)
  );
}

/** Applies severity overrides and waivers; waived findings stay in the report (with the reason) but never count. */
export function applyPolicy(findings: readonly Finding[], policy: Policy | undefined): Finding[] {
  if (!policy) return [...findings];
  return findings.map((f) => {
    const out: Finding = { ...f };
    const override = policy.severity?.[f.id];
    if (override) out.severity = override;
    const waiver = policy.waivers?.find((w) => w.id === f.id && targetMatches(w.target, f.target));
    if (waiver) out.waived = { reason: waiver.reason };
    return out;
  });
}
