/**
 * PR suggestions from the fix's edits, against parsed GitHub patches (`GET /pulls/{n}/files`):
 * one comment per contiguous replaced range, `start_line`/`line` on the RIGHT side, only on lines
 * the PR changed; the rest returned for the sticky comment; never a line that may hold a secret.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePatch, planFixes, suggestFixes } from "../../shared/fix/index.js";
import { splitLines } from "../../shared/fix/diff.js";

/** The patch GitHub shows for a file the PR adds: every line is a `+` line. */
function addedFilePatch(text: string): string {
  const lines = splitLines(text);
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
}

describe("parsePatch", () => {
  it("reads each hunk's head range and the added lines", () => {
    const patch = [
      "@@ -10,4 +10,5 @@ spec:",
      "   template:",
      "-    a: 1",
      "+    a: 2",
      "+    b: 3",
      "     c: 4",
      "\\ No newline at end of file",
      "@@ -40 +41,2 @@",
      " x",
      "+y",
    ].join("\n");
    const p = parsePatch(patch);
    expect(p.hunks).toEqual([
      { start: 10, end: 14 },
      { start: 41, end: 42 },
    ]);
    expect([...p.added]).toEqual([11, 12, 42]);
    expect([...p.head]).toEqual([
      [10, "  template:"],
      [11, "    a: 2"],
      [12, "    b: 3"],
      [13, "    c: 4"],
      [41, "x"],
      [42, "y"],
    ]);
  });

  it("counts an added line whose text starts with ++ (and a removed one starting with --) as hunk lines, not file headers", () => {
    // `+++ x` in a hunk is the added line "++ x"; `--- y` is the removed line "-- y".
    const patch = ["--- a/notes.yaml", "+++ b/notes.yaml", "@@ -1,3 +1,5 @@", " a: |", "---- y", "+++ x", "++++", "   z\r", "+w"].join(
      "\n",
    );
    const p = parsePatch(patch);
    expect(p.hunks).toEqual([{ start: 1, end: 5 }]);
    expect([...p.added]).toEqual([2, 3, 5]);
    expect([...p.head]).toEqual([
      [1, "a: |"],
      [2, "++ x"],
      [3, "+++"],
      [4, "  z"],
      [5, "w"],
    ]);
  });
});

describe("suggestFixes", () => {
  const path = "deploy/migrate-job.yaml";
  const text = readFileSync("examples/django-broken/job-migrate.yaml", "utf8");
  const context = ["serviceaccount.yaml", "configmap.yaml", "deployment-web.yaml"].map((f) => ({
    file: `deploy/${f}`,
    text: readFileSync(`examples/django-broken/${f}`, "utf8"),
  }));
  const outcome = planFixes([...context, { file: path, text }]);

  it("turns each change block into a suggestion on the exact head lines when the PR adds the file", () => {
    // The PR adds the Job (its own file) next to an unchanged ServiceAccount file.
    const fixed = outcome;
    const change = fixed.changes.find((c) => c.file === path);
    expect(change).toBeDefined();
    const { comments, unplaced } = suggestFixes(
      [{ path, before: change!.before, after: change!.after }],
      [{ filename: path, patch: addedFilePatch(text) }],
      fixed.fixed,
    );
    expect(unplaced).toEqual([]);
    const lines = splitLines(text);
    const labels = lines.indexOf("        app.kubernetes.io/component: migrate") + 1;
    const tenant = lines.indexOf("            - name: AZURE_TENANT_ID") + 1;
    expect(comments.map(({ body: _body, ...where }) => where)).toEqual([
      // Insertion of the label: the suggestion re-states the line it follows.
      { path, line: labels, side: "RIGHT" },
      { path, line: labels + 1, side: "RIGHT" },
      // The leftover env (env: plus four lines): one multi-line range, replaced by nothing.
      { path, start_line: tenant - 1, line: tenant + 3, side: "RIGHT", start_side: "RIGHT" },
    ]);
    expect(comments[0]?.body).toMatch(/^\*\*azure-auth-gate fix\*\* — .*AG110 /);
    expect(comments[0]?.body).toMatch(
      /\n\n```suggestion\n {8}app.kubernetes.io\/component: migrate\n {8}azure.workload.identity\/use: "true"\n```$/,
    );
    expect(comments[1]?.body).toMatch(/```suggestion\n {4}spec:\n {6}serviceAccountName: web\n```$/);
    expect(comments[2]?.body).toMatch(/```suggestion\n```$/);
  });

  it("places nothing on lines the PR did not change, and returns those for the sticky comment", () => {
    const change = outcome.changes.find((c) => c.file === path)!;
    const lines = splitLines(change.before);
    const labels = lines.indexOf("        app.kubernetes.io/component: migrate") + 1;
    // The PR only touched the label lines: the label suggestion lands, the env removal does not.
    const fixedPatch = `@@ -${labels - 2},2 +${labels - 2},3 @@\n       labels:\n         app.kubernetes.io/name: mysite\n+        app.kubernetes.io/component: migrate`;
    const { comments, unplaced } = suggestFixes(
      [{ path, before: change.before, after: change.after }],
      [{ filename: path, patch: fixedPatch }],
    );
    expect(comments.map((c) => c.line)).toEqual([labels]);
    expect(unplaced.map((u) => u.why)).toEqual([
      "the pull request does not change these lines",
      "the pull request does not change these lines",
    ]);
    // A file the PR does not touch at all: everything unplaced.
    const none = suggestFixes([{ path, before: change.before, after: change.after }], []);
    expect(none.comments).toEqual([]);
    expect(none.unplaced.every((u) => u.why === "the pull request does not change this file")).toBe(true);
  });

  it("never suggests over a line that may hold a secret", () => {
    const before = [
      "env:",
      "  - name: AZURE_CLIENT_SECRET",
      '    value: "s3cr3t-VALUE-do-not-print"',
      "  - name: AZURE_CLIENT_ID",
      '    value: "a"',
      "",
    ].join("\n");
    const after = ["env:", "  - name: AZURE_CLIENT_SECRET", '    value: "s3cr3t-VALUE-do-not-print"', ""].join("\n");
    const { comments, unplaced } = suggestFixes(
      [{ path: "x.yaml", before, after }],
      [{ filename: "x.yaml", patch: addedFilePatch(before) }],
    );
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).not.toContain("s3cr3t");
    expect(unplaced).toEqual([]);
    // An insertion right after the secret line anchors on the line below instead.
    const after2 = [
      "env:",
      "  - name: AZURE_CLIENT_SECRET",
      '    value: "s3cr3t-VALUE-do-not-print"',
      "  - name: NEW",
      '    value: "1"',
      "  - name: AZURE_CLIENT_ID",
      '    value: "a"',
      "",
    ].join("\n");
    const inserted = suggestFixes([{ path: "x.yaml", before, after: after2 }], [{ filename: "x.yaml", patch: addedFilePatch(before) }]);
    expect(inserted.comments.map((c) => [c.line, c.body.includes("s3cr3t")])).toEqual([[4, false]]);
  });

  it("fences a suggestion longer than any backtick run in it, indented or mid-line (none can close it early)", () => {
    const before = ["a: 1", "b: 2", ""].join("\n");
    const after = ["a: 1", "  ```` indented run", "note: x ````` mid-line", "b: 2", ""].join("\n");
    const { comments } = suggestFixes([{ path: "x.yaml", before, after }], [{ filename: "x.yaml", patch: addedFilePatch(before) }]);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    const open = /\n(`+)suggestion\n/.exec(body)?.[1];
    expect(open).toBe("``````");
    expect(body.endsWith(`\n${open}`)).toBe(true);
  });
});
