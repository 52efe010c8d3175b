/**
 * The PR comment / job summary. The hostile findings try every way out of the markdown: raw HTML in a
 * namespace, table-cell pipes and backticks in names, links, images, mentions, and a fix that closes
 * its own fence. A small CommonMark-faithful scan (fences close only on a line of at least as many
 * backticks) checks that all of it stays text.
 */
import { describe, expect, it } from "vitest";
import { raise } from "../../shared/findings/raise.js";
import type { Finding } from "../../shared/findings/model.js";
import { buildReport, runMetadata } from "../../shared/report/build.js";
import { escapeMarkdown, fenceFor } from "../../shared/report/markdown-escape.js";
import { PR_COMMENT_LIMIT, renderMarkdown } from "../../shared/report/markdown.js";
import { brokenFindings, HOSTILE_NAMESPACE, hostileFindings, NOW, reportOf } from "./fixtures.js";

interface Scanned {
  /** Markdown outside fenced code blocks. */
  prose: string;
  /** Contents of the fenced code blocks, in order. */
  blocks: string[];
}

function scan(markdown: string): Scanned {
  const lines = markdown.split("\n");
  const prose: string[] = [];
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})[^`]*$/.exec(lines[i]!);
    if (!open) {
      prose.push(lines[i]!);
      continue;
    }
    const width = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^\`{${width},}\\s*$`).test(lines[j]!)) body.push(lines[j++]!);
    expect(j, "every fence is closed").toBeLessThan(lines.length);
    blocks.push(body.join("\n"));
    i = j;
  }
  return { prose: prose.join("\n"), blocks };
}

const OUR_TAGS = /<\/?(details|summary|sub)>/g;

describe("markdown format", () => {
  it("starts with the verdict line and counts, then one table row per finding", () => {
    const md = renderMarkdown(reportOf(brokenFindings()));
    expect(md.split("\n")[0]).toBe("❌ **Azure Auth Gate: fail** — 2 errors, 2 warnings, 1 info");
    const rows = md.split("\n").filter((l) => /^\| AG\d{3} /.test(l));
    expect(rows.map((r) => r.split(" | ")[0])).toEqual(["| AG104", "| AG102", "| AG209", "| AG107", "| AG212"]);
    expect(rows[0]).toBe(
      "| AG104 | ❌ error | Deployment production/backend | k8s/app.yaml&#58;23 | Pod template lacks the Workload Identity label |",
    );
    expect(md).toContain(
      "<details><summary>AG104 · Deployment production/backend — Pod template lacks the Workload Identity label</summary>",
    );
  });

  it("shows pass and warn verdicts with their icons", () => {
    expect(renderMarkdown(reportOf([])).split("\n")[0]).toBe("✅ **Azure Auth Gate: pass** — 0 errors, 0 warnings, 0 infos");
    const warn = reportOf(brokenFindings().filter((f) => f.severity !== "error"));
    expect(renderMarkdown(warn).split("\n")[0]).toBe("⚠️ **Azure Auth Gate: warn** — 0 errors, 2 warnings, 1 info");
  });

  it("puts each fix, verbatim, in a fenced block", () => {
    const findings = brokenFindings();
    const { blocks } = scan(renderMarkdown(reportOf(findings)));
    expect(blocks).toHaveLength(findings.length);
    expect(blocks).toContain('spec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: "true"');
  });

  it("renders hostile names, evidence and fixes inert", () => {
    const md = renderMarkdown(reportOf(hostileFindings()));
    const { prose, blocks } = scan(md);
    // The fix cannot close its fence: it comes back whole, as code.
    expect(blocks).toEqual([hostileFindings()[0]!.fix]);
    const outside = prose.replace(OUR_TAGS, "");
    expect(outside).not.toMatch(/</);
    expect(outside).not.toMatch(/[`[\]@]/);
    expect(outside).not.toMatch(/\*\*bold\*\*|_it_/);
    expect(prose.match(/<details>/g)).toHaveLength(1);
    expect(prose.match(/<\/details>/g)).toHaveLength(1);
    expect(md).toContain(escapeMarkdown(HOSTILE_NAMESPACE));
    expect(escapeMarkdown(HOSTILE_NAMESPACE)).toBe("&lt;/details&gt;&lt;img src=x onerror=alert&#40;1&#41;&gt;");
    // Table rows keep exactly their 6 cell separators.
    for (const row of prose.split("\n").filter((l) => l.startsWith("| AG"))) expect(row.match(/\|/g)).toHaveLength(6);
  });

  it("escapes line breaks and control characters out of cells", () => {
    expect(escapeMarkdown("a\nb\r\n| c\u001b[31m")).toBe("a b &#124; c\u0020&#91;31m");
  });

  it("chooses a fence longer than any backtick run", () => {
    expect(fenceFor("plain")).toBe("```");
    expect(fenceFor("a ``` b")).toBe("````");
    expect(fenceFor("``````")).toBe("```````");
  });

  it("lists waived findings with their reason and no fix block", () => {
    const report = buildReport(brokenFindings(), runMetadata(["static"], {}, NOW), {
      waivers: [{ id: "AG107", reason: "legacy <ns> @team" }],
    });
    const md = renderMarkdown(report);
    expect(md.split("\n")[0]).toContain("1 waived");
    expect(md).toContain("| AG107 | ~~warning~~ waived |");
    expect(md).toContain("(waived: legacy &lt;ns&gt; &#64;team)");
    expect(md).not.toContain("<summary>AG107");
  });
});

function many(n: number): Finding[] {
  return Array.from({ length: n }, (_, i) =>
    raise(i % 3 === 0 ? "AG104" : "AG107", {
      target: { kind: "Deployment", namespace: `team-${i}`, name: `app-${i}` },
      location: { file: `k8s/app-${i}.yaml`, line: i + 1 },
      evidence: `evidence for finding ${i} `.repeat(5),
      fix: `spec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: "true"   # ${i}\n`.repeat(4),
    }),
  );
}

describe("size-capped markdown", () => {
  it("is unchanged when it fits", () => {
    const report = reportOf(brokenFindings());
    expect(renderMarkdown(report, { maxChars: PR_COMMENT_LIMIT })).toBe(renderMarkdown(report));
  });

  it("drops fix blocks first, keeping every row", () => {
    const report = reportOf(many(150));
    const full = renderMarkdown(report);
    expect(Buffer.byteLength(full)).toBeGreaterThan(40_000);
    const capped = renderMarkdown(report, { maxChars: 40_000 });
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(40_000);
    expect(capped.split("\n")[0]).toBe(full.split("\n")[0]);
    expect(capped.split("\n").filter((l) => /^\| AG/.test(l))).toHaveLength(150);
    const kept = (capped.match(/<details>/g) ?? []).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(150 - 50); // 50 AG104 errors are first; the rest are warnings
    expect(capped).toContain(`… fixes for ${150 - kept} more findings: see the job summary`);
    scan(capped);
  });

  it("then drops rows, saying how many are not shown, under GitHub's comment limit", () => {
    const report = reportOf(many(3000));
    const capped = renderMarkdown(report, { maxChars: PR_COMMENT_LIMIT, moreHint: "see the job summary" });
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(PR_COMMENT_LIMIT);
    expect(capped.split("\n")[0]).toBe("❌ **Azure Auth Gate: fail** — 1000 errors, 2000 warnings, 0 infos");
    const rows = capped.split("\n").filter((l) => /^\| AG/.test(l));
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.length).toBeLessThan(3000);
    expect(capped).not.toContain("<details>");
    expect(capped).toContain(`… ${3000 - rows.length} more findings: see the job summary`);
    // Most severe first: the rows kept are the errors.
    expect(rows.every((r) => r.startsWith("| AG104 "))).toBe(true);
  });

  it("never exceeds a tiny cap", () => {
    const capped = renderMarkdown(reportOf(many(10)), { maxChars: 20 });
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(20);
  });
});
