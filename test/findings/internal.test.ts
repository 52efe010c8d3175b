// Engine-only state on a finding ("could not verify", the IaC fix variants) is a field of the model:
// it survives the policy's spreads and an in-engine JSON round trip (the old WeakSet and Symbol did
// not), and no writer lets it out.
import { describe, expect, it } from "vitest";
import { withFixVariants, withFixFormat } from "../../shared/azure/rules/fix-commands.js";
import { isUnverified, markUnverified, withoutInternals, type Finding } from "../../shared/findings/model.js";
import { applyPolicy } from "../../shared/findings/severity-and-waivers.js";
import { raise } from "../../shared/findings/raise.js";
import { buildReport, runMetadata } from "../../shared/report/build.js";
import { renderReport, REPORT_FORMATS } from "../../shared/report/index.js";

const PLAN = {
  kind: "roleAssignment",
  principalId: "11111111-2222-3333-4444-555555555555",
  role: "Storage Blob Data Reader",
  scope: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
} as const;

function findings(): Finding[] {
  const unverified = markUnverified(
    raise("AG212", {
      target: { kind: "azure", name: "/subscriptions/x" },
      evidence: "could not verify: HTTP 403 reading secrets",
      fix: "Give the gate read access.",
    }),
  );
  const withIac = withFixVariants(
    raise("AG207", { target: { kind: "azure", name: PLAN.scope }, evidence: "no role", fix: "az role assignment create …" }),
    PLAN,
  );
  return [unverified, withIac];
}

describe("internal finding state", () => {
  it("survives severity overrides, waivers and a JSON round trip inside the engine", () => {
    const [unverified, withIac] = applyPolicy(findings(), {
      severity: { AG212: "info" },
      waivers: [{ id: "AG207", reason: "tracked in JIRA-1" }],
    });
    expect(unverified!.severity).toBe("info");
    expect(isUnverified(unverified!)).toBe(true);
    expect(withIac!.waived).toEqual({ reason: "tracked in JIRA-1" });
    expect(withIac!.internal?.fixVariants?.plan).toEqual(PLAN);
    const [again] = JSON.parse(JSON.stringify([unverified])) as Finding[];
    expect(isUnverified(again!)).toBe(true);
    expect(withFixFormat([withIac!], "bicep")[0]!.fix).toContain("Microsoft.Authorization/roleAssignments");
  });

  it.each(REPORT_FORMATS)("is never written by the %s writer", (format) => {
    const report = buildReport(findings(), runMetadata(["control-plane"], {}, new Date("2026-03-01T12:00:00Z")));
    expect(report.findings.every((f) => f.internal !== undefined)).toBe(true);
    const out = renderReport(report, format);
    expect(out).toContain("AG207");
    for (const leak of ["internal", "fixVariants", "unverified", "Microsoft.Authorization/roleAssignments"])
      expect(out).not.toContain(leak);
  });

  it("is dropped where a report is stored as it is (the sweep's Blob files)", () => {
    const report = buildReport(findings(), runMetadata(["sweep"], {}, new Date("2026-03-01T12:00:00Z")));
    const stored = JSON.stringify(withoutInternals(report));
    expect(stored).not.toMatch(/internal|fixVariants|unverified/);
    expect(JSON.parse(stored).findings).toHaveLength(2);
    expect(report.findings[0]!.internal).toBeDefined(); // the engine's copy keeps it
  });
});
