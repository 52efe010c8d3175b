// One convention for both rule layers: each catalogued id has its own file `<layer>/rules/<id>.ts` exporting the
// function of the same name, and that function is what the layer's registry runs for the id. The registries'
// types already make a missing or unknown id a compile error; this catches a rule filed or registered under
// the wrong id, and rule files that no registry runs.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { allRules } from "../../shared/findings/catalogue.js";
import { CONTROL_PLANE_RULES } from "../../shared/azure/rules/index.js";
import { STATIC_RULES } from "../../shared/static/rules/index.js";

const layers = [
  { layer: "static", dir: "static/rules", registry: STATIC_RULES as Record<string, unknown> },
  { layer: "control-plane", dir: "azure/rules", registry: CONTROL_PLANE_RULES as Record<string, unknown> },
] as const;

describe.each(layers)("$dir: one file per $layer rule", ({ layer, dir, registry }) => {
  const root = fileURLToPath(new URL(`../../shared/${dir}/`, import.meta.url));
  const ids = allRules()
    .filter((r) => r.layer === layer)
    .map((r) => r.id);

  it("has exactly one ag<NNN>.ts file per catalogued id", () => {
    const files = readdirSync(root)
      .filter((f) => /^ag\d{3}\.ts$/.test(f))
      .sort();
    expect(files).toEqual(ids.map((id) => `${id.toLowerCase()}.ts`).sort());
  });

  it.each(ids)("%s: the registry runs the function its own file exports", async (id) => {
    const name = id.toLowerCase();
    const mod = (await import(/* @vite-ignore */ `${root}${name}.ts`)) as Record<string, unknown>;
    expect(typeof mod[name]).toBe("function");
    expect(registry[id]).toBe(mod[name]);
  });
});

describe("test/static/rules: one test file per static rule, mirroring its source", () => {
  it("has test/static/rules/ag<NNN>.test.ts for every static id", () => {
    const dir = fileURLToPath(new URL("../static/rules/", import.meta.url));
    const files = readdirSync(dir).filter((f) => /^ag\d{3}\.test\.ts$/.test(f));
    const ids = allRules().filter((r) => r.layer === "static");
    expect(files.sort()).toEqual(ids.map((r) => `${r.id.toLowerCase()}.test.ts`).sort());
  });
});
