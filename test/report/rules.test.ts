import { describe, expect, it } from "vitest";
import { allRules } from "../../shared/findings/catalogue.js";
import { renderRulesJson, renderRulesMarkdown, renderRulesTable } from "../../shared/report/rules.js";

describe("rules catalogue output", () => {
  it("json lists every rule with id, layer, severity, title, description and help", () => {
    const rules = JSON.parse(renderRulesJson());
    expect(rules.map((r: { id: string }) => r.id)).toEqual(allRules().map((r) => r.id));
    expect(rules.find((r: { id: string }) => r.id === "AG102")).toEqual({
      id: "AG102",
      layer: "static",
      severity: "error",
      title: "Half-configured EnvironmentCredential",
      description: expect.stringContaining("AZURE_TENANT_ID"),
      help: expect.stringContaining("failed to retrieve a token"),
    });
  });

  it("markdown is one table row per rule, with pipes escaped", () => {
    const table = renderRulesTable();
    const rows = table.split("\n").slice(2);
    expect(rows).toHaveLength(allRules().length);
    for (const row of rows) expect(row.replace(/\\\|/g, "").match(/\|/g)).toHaveLength(7);
    expect(rows[0]).toMatch(/^\| AG101 \| static \| error \| Credential as a literal in container env \| /);
    expect(renderRulesTable([{ ...allRules()[0]!, help: "a | b" }])).toContain("a \\| b");
    expect(renderRulesMarkdown()).toContain(table);
  });
});
