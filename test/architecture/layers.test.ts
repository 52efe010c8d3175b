// The layer rule in .dependency-cruiser.cjs (run by `npm run lint`) is fed a small tree with imports
// against the layer order and one along it: the real depcruise binary must name each wrong import and
// fail, and pass the right one — so the rule can't silently stop matching after a rename.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../..");
const depcruise = path.join(repo, "node_modules/.bin/depcruise");

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

function cruise(root: string): { status: number | null; out: string } {
  const r = spawnSync(depcruise, ["shared", "action", "--config", path.join(repo, ".dependency-cruiser.cjs"), "--output-type", "err"], {
    cwd: root,
    encoding: "utf8",
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function goodTree(root: string): void {
  write(root, "tsconfig.json", JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true } }));
  write(root, "package.json", JSON.stringify({ type: "module" }));
  write(root, "shared/findings/model.ts", "export const SEVERITIES = 1;\n");
  write(root, "shared/gate/run.ts", 'import { SEVERITIES } from "../findings/model.js";\nexport const runGate = SEVERITIES;\n');
  write(root, "action/run.ts", 'import { runGate } from "../shared/gate/run.js";\nexport const shell = runGate;\n');
  write(root, "shared/azure/fact.ts", "export const fact = 1;\n");
}

describe("layer order (dependency-cruiser)", () => {
  const roots: string[] = [];
  const tree = (): string => {
    const root = mkdtempSync(path.join(tmpdir(), "layers-"));
    roots.push(root);
    goodTree(root);
    return root;
  };
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it("passes imports down the layers (gate → findings, action → gate)", () => {
    const { status, out } = cruise(tree());
    expect(out).toContain("no dependency violations found (4 modules");
    expect(status).toBe(0);
  });

  it("fails on each import against the layer order and names it", () => {
    const root = tree();
    // The model reaches up to the gate (the shape of report/build.ts → gate/tool.ts before).
    write(root, "shared/findings/severity-and-waivers.ts", 'import { runGate } from "../gate/run.js";\nexport const p = runGate;\n');
    // Siblings on one layer import each other.
    write(root, "shared/static/rule.ts", 'import { fact } from "../azure/fact.js";\nexport const r = fact;\n');
    // The engine imports the Action shell.
    write(root, "shared/report/text.ts", 'import { shell } from "../../action/run.js";\nexport const t = shell;\n');
    const { status, out } = cruise(root);
    expect(status).not.toBe(0);
    expect(out).toContain("layer-findings: shared/findings/severity-and-waivers.ts → shared/gate/run.ts");
    expect(out).toContain("layer-static: shared/static/rule.ts → shared/azure/fact.ts");
    expect(out).toContain("engine-not-shells: shared/report/text.ts → action/run.ts");
    expect(out).toMatch(/3 dependency violations/);
  });
});
