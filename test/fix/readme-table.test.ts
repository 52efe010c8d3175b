// README's "what `fix` does" table is generated from FIX_ACTIONS, and FIX_ACTIONS is what the engine really
// fixes: every id it lists is fixed on the fix fixtures, and the fixtures show no other id fixed.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MECHANICAL_FIXES, planFixes, type FixConfig } from "../../shared/fix/index.js";
import { FIX_ACTIONS } from "../../shared/fix/plan.js";
import { renderFixTable } from "../../shared/fix/readme-table.js";

const read = (path: string) => readFileSync(path, "utf8");
const CONFIG: FixConfig = { targets: [{ workload: "shop/Deployment/mysite-worker", clientId: "9e1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d" }] };
const DJANGO = "examples/django-broken";

describe("README fix table", () => {
  it("has one row per mechanical fix, in FIX_ACTIONS order, with table-breaking characters escaped", () => {
    const lines = renderFixTable().split("\n");
    expect(lines.slice(0, 2)).toEqual(["| finding | what `fix` does |", "|---|---|"]);
    expect(lines.slice(2).map((l) => l.split(" | ")[0]?.slice(2))).toEqual(Object.keys(FIX_ACTIONS));
    expect([...MECHANICAL_FIXES].sort()).toEqual(Object.keys(FIX_ACTIONS).sort());
    expect(renderFixTable({ AG104: "a | b\nc" })).toContain("| AG104 | a \\| b c |");
  });

  it("lists exactly the ids the engine fixes on the fix fixtures and the broken Django example", () => {
    const inputs = [
      ["test/fixtures/fix/helm-rendered.yaml"],
      ["test/fixtures/fix/pod-identity.yaml"],
      readdirSync(DJANGO)
        .filter((n) => n.endsWith(".yaml"))
        .map((n) => `${DJANGO}/${n}`),
    ];
    const fixed = new Set(inputs.flatMap((files) => planFixes(files.map((file) => ({ file, text: read(file) }))).fixed.map((f) => f.id)));
    const fixedWithConfig = planFixes([{ file: inputs[0]![0]!, text: read(inputs[0]![0]!) }], CONFIG).fixed.map((f) => f.id);
    expect([...new Set([...fixed, ...fixedWithConfig])].sort()).toEqual([...MECHANICAL_FIXES].sort());
  });
});
