import { describe, expect, it } from "vitest";
import { raise } from "../../shared/findings/raise.js";
import { buildReport, runMetadata } from "../../shared/report/build.js";
import { renderText } from "../../shared/report/text.js";
import { brokenFindings, NOW, reportOf } from "./fixtures.js";

const ESC = "\u001b";

describe("text format", () => {
  it("leads with the verdict and groups findings by target, most severe group first", () => {
    const text = renderText(reportOf(brokenFindings()));
    const lines = text.split("\n");
    expect(lines[0]).toBe("FAIL  2 errors, 2 warnings, 1 info");
    const groups = lines.filter((l) => /^\S/.test(l)).slice(1, -1);
    expect(groups).toEqual([
      "Deployment production/backend",
      "Job production/migrate",
      "azure /subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app",
      "ServiceAccount production/default",
      "azure /subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/stmedia",
    ]);
    expect(text).toContain("  error   AG104  Pod template lacks the Workload Identity label  k8s/app.yaml:23\n");
    // The fix is indented as a block, ready to copy.
    expect(text).toContain(
      '      fix:\n        spec:\n          template:\n            metadata:\n              labels:\n                azure.workload.identity/use: "true"\n',
    );
    expect(text).not.toContain(ESC);
  });

  it("groups several findings on the same target together", () => {
    const target = { kind: "Deployment", namespace: "prod", name: "web" };
    const findings = [
      raise("AG104", { target, location: { file: "a.yaml", line: 3 }, evidence: "e1", fix: "f1" }),
      raise("AG106", {
        target: { kind: "Job", namespace: "prod", name: "migrate" },
        location: { file: "a.yaml", line: 30 },
        evidence: "e2",
        fix: "f2",
      }),
      raise("AG109", { target, location: { file: "a.yaml", line: 9 }, evidence: "e3", fix: "f3" }),
    ];
    const text = renderText(reportOf(findings));
    expect(text.split("\n").filter((l) => l === "Deployment prod/web")).toHaveLength(1);
    expect(text.indexOf("AG109")).toBeLessThan(text.indexOf("Job prod/migrate"));
  });

  it("colours only when asked", () => {
    const coloured = renderText(reportOf(brokenFindings()), { color: true });
    expect(coloured).toContain(`${ESC}[31merror  ${ESC}[39m`);
    expect(coloured.split("\n")[0]).toContain(`${ESC}[31mFAIL${ESC}[39m`);
  });

  it("shows waived findings with the reason instead of the fix", () => {
    const report = buildReport(brokenFindings(), runMetadata(["static"], {}, NOW), {
      waivers: [{ id: "AG107", reason: "legacy namespace (OPS-9)" }],
    });
    const text = renderText(report);
    expect(text.split("\n")[0]).toBe("FAIL  2 errors, 1 warning, 1 info, 1 waived");
    expect(text).toContain("  warning (waived) AG107");
    expect(text).toContain("      waived: legacy namespace (OPS-9)\n");
    expect(text).not.toContain("kubectl create serviceaccount --namespace production backend");
  });

  it("cannot drive the terminal: control characters in user content are shown, not sent", () => {
    const f = raise("AG104", {
      target: { kind: "Deployment", namespace: "prod", name: `web${ESC}]0;pwned\u0007` },
      evidence: `label missing${ESC}[2J`,
      fix: `add the label${ESC}[31m`,
    });
    const text = renderText(reportOf([f]));
    expect(text).not.toContain(ESC);
    expect(text).not.toContain("\u0007");
    expect(text).toContain("web\\x1b]0;pwned\\x07");
  });

  it("says pass when there is nothing to fix", () => {
    expect(renderText(reportOf([])).split("\n")[0]).toBe("PASS  0 errors, 0 warnings, 0 infos");
  });
});
