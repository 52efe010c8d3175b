/**
 * `azure-auth-gate fix`: reads the manifests like `check`, runs the fix, and either prints a unified
 * diff (stdout; TODOs on stderr so the diff stays a clean patch) or writes each changed file
 * atomically (summary and TODOs on stdout). Exit 0 either way: what is left is reported, not failed.
 */
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { readAll } from "./check.js";
import type { CliIo } from "./io.js";
import { loadConfigSettings } from "../config/load.js";
import { formatTarget } from "../findings/model.js";
import { loadManifestSources } from "../static/sources.js";
import { unifiedDiff } from "../fix/diff.js";
import { planFixes, type FixOutcome } from "../fix/engine.js";
import { fixConfigFrom, type FixConfig } from "../fix/plan-context.js";
import { sensitiveLines } from "../fix/sensitive.js";
import { replaceFileAtomic } from "../fix/write.js";

export interface FixCommand {
  paths: string[];
  mode: "diff" | "write";
  config?: string;
}

function fixConfig(file: string | undefined): FixConfig {
  return fixConfigFrom(file === undefined ? undefined : loadConfigSettings(file));
}

function indent(text: string, pad = "    "): string {
  return text
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}

/** The human part of the output: what was fixed, what is left and why, and the steps outside the files. */
export function renderNotes(outcome: FixOutcome, mode: "diff" | "write"): string {
  const lines: string[] = [];
  const ids = [...new Set(outcome.fixed.map((f) => f.id))].sort();
  const files = outcome.changes.length;
  const verb = mode === "write" ? "fixed" : "would fix";
  lines.push(
    outcome.fixed.length > 0
      ? `azure-auth-gate fix: ${verb} ${outcome.fixed.length} finding${outcome.fixed.length === 1 ? "" : "s"} (${ids.join(", ")}) in ${files} file${files === 1 ? "" : "s"}${mode === "write" ? `: ${outcome.changes.map((c) => c.file).join(", ")}` : ""}`
      : "azure-auth-gate fix: nothing to change",
  );
  for (const r of outcome.remaining) {
    const where = r.finding.location ? `${r.finding.location.file}:${r.finding.location.line}` : "";
    lines.push(`TODO ${r.finding.id} ${where} ${formatTarget(r.finding.target)}: ${r.reason}`);
    if (r.guidance) lines.push(indent(r.guidance));
  }
  for (const u of outcome.followUps)
    lines.push(
      `NEXT ${u.split("\n")[0] ?? ""}`,
      ...u
        .split("\n")
        .slice(1)
        .map((l) => `    ${l}`),
    );
  return lines.join("\n") + "\n";
}

function under(cwd: string, file: string): string | undefined {
  const rel = relative(cwd, file);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel : undefined;
}

/**
 * The name a --diff header gives `file`, so that `git apply` run in `cwd` takes the patch (it refuses absolute
 * paths and `..`): the path relative to `cwd` when the file is under it (through symlinks too, as a shell's
 * /tmp is macOS's /private/tmp); otherwise its absolute path without the leading `/`, as `git diff --no-index`
 * names an absolute path — a patch to apply from `/` (`git -C / apply`).
 */
export function patchPath(file: string, cwd: string = process.cwd()): string {
  const abs = resolve(cwd, file);
  let rel = under(cwd, abs);
  if (rel === undefined) {
    try {
      rel = under(realpathSync(cwd), realpathSync(abs));
    } catch {
      // not on disk (stdin): the name as given
    }
  }
  return (rel ?? abs).split(sep).join("/").replace(/^\/+/, "");
}

export async function runFix(command: FixCommand, io: CliIo): Promise<number> {
  const config = fixConfig(command.config);
  // Fixes edit the user's files: a chart's templates or an overlay's output are not such files.
  const sources = await loadManifestSources(command.paths, () => readAll(io.stdin), { render: false });
  const outcome = planFixes(sources, config);
  if (command.mode === "diff") {
    for (const c of outcome.changes) io.stdout.write(unifiedDiff(patchPath(c.file), c.before, c.after, sensitiveLines(c.before)));
    io.stderr.write(renderNotes(outcome, "diff"));
    return 0;
  }
  for (const c of outcome.changes) await replaceFileAtomic(c.file, c.after);
  io.stdout.write(renderNotes(outcome, "write"));
  return 0;
}
