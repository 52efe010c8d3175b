import { describe, expect, it } from "vitest";
import { buildReport, runMetadata } from "../../shared/report/build.js";
import { brokenFindings, NOW } from "./fixtures.js";

describe("buildReport", () => {
  it("sorts by severity, then file and line, and derives summary and verdict", () => {
    const report = buildReport(brokenFindings(), runMetadata(["static"], {}, NOW));
    expect(report.findings.map((f) => f.id)).toEqual(["AG104", "AG102", "AG209", "AG107", "AG212"]);
    expect(report.summary).toEqual({ errors: 2, warnings: 2, infos: 1, waived: 0 });
    expect(report.verdict).toBe("fail");
    expect(report.metadata).toMatchObject({ tool: { name: "azure-auth-gate" }, generatedAt: NOW.toISOString(), layers: ["static"] });
  });

  it("applies the config's policy: severity overrides and waivers (waived findings stay, never count)", () => {
    const report = buildReport(brokenFindings(), runMetadata(["static"], {}, NOW), {
      severity: { AG104: "warning", AG102: "warning" },
      waivers: [{ id: "AG209", target: { kind: "azure" }, reason: "platform team owns it (OPS-1)" }],
    });
    expect(report.verdict).toBe("warn");
    expect(report.summary).toEqual({ errors: 0, warnings: 3, infos: 1, waived: 1 });
    expect(report.findings.find((f) => f.id === "AG209")?.waived).toEqual({ reason: "platform team owns it (OPS-1)" });
  });

  it("passes with no findings", () => {
    const report = buildReport([], runMetadata(["static"], { inputs: [] }, NOW));
    expect(report).toMatchObject({ verdict: "pass", summary: { errors: 0, warnings: 0, infos: 0, waived: 0 }, findings: [] });
  });
});
