import { describe, expect, it } from "vitest";
import { renderJson } from "../../shared/report/json.js";
import { buildReport, runMetadata } from "../../shared/report/build.js";
import { brokenFindings, NOW, reportOf } from "./fixtures.js";

describe("json format", () => {
  it("keeps the public field names, in order, with location null when there is no line", () => {
    const parsed = JSON.parse(renderJson(reportOf(brokenFindings())));
    expect(Object.keys(parsed)).toEqual(["verdict", "summary", "findings", "metadata"]);
    expect(parsed.verdict).toBe("fail");
    expect(parsed.summary).toEqual({ errors: 2, warnings: 2, infos: 1, waived: 0 });
    for (const f of parsed.findings) expect(Object.keys(f)).toEqual(["id", "severity", "title", "target", "location", "evidence", "fix"]);
    expect(parsed.findings[0]).toEqual({
      id: "AG104",
      severity: "error",
      title: "Pod template lacks the Workload Identity label",
      target: { kind: "Deployment", namespace: "production", name: "backend" },
      location: { file: "k8s/app.yaml", line: 23 },
      evidence: expect.stringContaining("pod template labels lack"),
      fix: expect.stringContaining("azure.workload.identity/use"),
    });
    expect(parsed.findings.find((f: { id: string }) => f.id === "AG209").location).toBeNull();
    expect(parsed.metadata).toMatchObject({
      tool: { name: "azure-auth-gate" },
      generatedAt: NOW.toISOString(),
      layers: ["static"],
      inputs: ["k8s/app.yaml", "k8s/migrate.yaml", "k8s/sa.yaml"],
    });
  });

  it("adds `waived` (with the reason) only to waived findings", () => {
    const report = buildReport(brokenFindings(), runMetadata(["static"], {}, NOW), {
      waivers: [{ id: "AG107", reason: "legacy namespace, ticket OPS-9" }],
    });
    const parsed = JSON.parse(renderJson(report));
    const waived = parsed.findings.filter((f: { waived?: unknown }) => "waived" in f);
    expect(waived).toHaveLength(1);
    expect(waived[0]).toMatchObject({ id: "AG107", waived: { reason: "legacy namespace, ticket OPS-9" } });
    expect(parsed.summary.waived).toBe(1);
  });
});
