/**
 * "Fixes not on changed lines" on its own: escaping of user text, proposed lines that may hold a
 * secret withheld, TODO lines mapped back to the PR's file, and the size bound.
 */
import { describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { lineBeforeFix, renderFixSection, SECTION_TITLE } from "../../action/fix-section.js";
import { planFixes, suggestFixes } from "../../shared/fix/index.js";

describe("renderFixSection", () => {
  it("is empty when the fix has nothing to say", () => {
    expect(renderFixSection({ unplaced: [], outcome: { changes: [], remaining: [], followUps: [] }, manifests: ["k8s/"] })).toBe("");
  });

  it("escapes paths and reasons, shows proposed lines verbatim in a code block, and withholds secret-looking ones", () => {
    const before = "a: 1\n";
    const after = 'a: 1\nb: "x`y"\npassword: "hunter2-never-shown"\n';
    const file = "k8s/<img src=x>.yaml";
    const [u] = suggestFixes([{ path: file, before, after }], []).unplaced;
    const section = renderFixSection({
      unplaced: [u!],
      outcome: { changes: [{ file, before, after }], remaining: [], followUps: [] },
      manifests: ["k8s/"],
    });
    expect(section.startsWith(SECTION_TITLE)).toBe(true);
    expect(section).toContain("k8s/&lt;img src=x&gt;.yaml, after line 1");
    expect(section).not.toContain("<img");
    expect(section).toContain("not shown: the lines may hold a secret value");
    expect(section).not.toContain("hunter2");

    const plain = renderFixSection({
      unplaced: suggestFixes([{ path: "a.yaml", before, after: 'a: 1\nb: "x```y"\n' }], []).unplaced,
      outcome: { changes: [], remaining: [], followUps: [] },
      manifests: ["a.yaml"],
    });
    // A backtick run in the content gets a longer fence, so the block cannot be closed early.
    expect(plain).toContain('  ````yaml\n  b: "x```y"\n  ````');
  });

  it("maps a TODO's line in the fixed text back to the pull request's file", () => {
    const before = "l1\nl2\nl3\nl4\n";
    const after = "l1\nnew-a\nnew-b\nl2\nl4\n";
    expect([1, 2, 3, 4, 5].map((n) => lineBeforeFix({ before, after }, n))).toEqual([1, 2, 2, 2, 4]);
    expect(lineBeforeFix(undefined, 7)).toBe(7);
  });

  it("stays under its size limit and says how many items it left out", () => {
    const text = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        [
          "apiVersion: apps/v1",
          "kind: Deployment",
          "metadata:",
          `  name: app${i}`,
          "  namespace: app",
          "spec:",
          "  template:",
          "    metadata:",
          "      labels:",
          `        app: app${i}`,
          "    spec:",
          "      serviceAccountName: sa",
          "      containers:",
          "        - name: c",
          "          image: i",
          "---",
        ].join("\n"),
      ).join("\n");
    const sa =
      "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: app\n  annotations:\n    azure.workload.identity/client-id: 0f4e3c2b-1a09-4c8d-9e7f-6a5b4c3d2e1f\n";
    const sources = [
      { file: "k8s/sa.yaml", text: sa },
      { file: "k8s/apps.yaml", text: `${text(40)}\n` },
    ];
    const outcome = planFixes(sources);
    const unplaced = suggestFixes(
      outcome.changes.map((c) => ({ path: c.file, before: c.before, after: c.after })),
      [],
    ).unplaced;
    expect(unplaced.length).toBe(40);
    const section = renderFixSection({ unplaced, outcome, manifests: ["k8s/"] }, 2_000);
    expect(section.length).toBeLessThanOrEqual(2_000);
    expect(section).toMatch(/… and \d+ more \(not shown to keep this comment short\)\./);
    expect(section).toContain(`npx azure-auth-gate@${pkg.version} fix --diff k8s/`);
  });
});
