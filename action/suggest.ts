/**
 * Which of the fix's edits can be one-click suggestions on this pull request. The engine
 * (shared/fix) plans the edits on the checked-out manifests and places them on lines the PR changed;
 * this adds the one check only the Action can make: the checkout must BE the PR's head for that file.
 * A `pull_request` run checks out the merge with the base branch, whose lines can sit elsewhere than
 * the head's (the base changed the same file); a suggestion made on such lines would replace the
 * wrong text. So every line the PR's patch shows must read the same in the checkout, or the file's
 * fixes are listed in the sticky comment instead.
 */
import {
  parsePatch,
  planFixes,
  suggestFixes,
  type FixConfig,
  type FixedFile,
  type FixOutcome,
  type ReviewComment,
  type Unplaced,
} from "../shared/fix/index.js";
import type { ManifestSource } from "../shared/static/parse.js";

/** One entry of `GET /repos/{o}/{r}/pulls/{n}/files`. */
export interface PrFile {
  filename: string;
  patch?: string;
}

export interface SuggestionPlan {
  comments: ReviewComment[];
  unplaced: Unplaced[];
  outcome: FixOutcome;
  files: FixedFile[];
}

export const NOT_HEAD =
  "the checked-out file differs from the pull request's head around these lines (the merge with the base branch moved them)";

/** True when every head line the patch shows reads the same in the checked-out text. */
export function matchesHead(text: string, patch: string): boolean {
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  for (const [n, head] of parsePatch(patch).head) if (lines[n - 1] !== head) return false;
  return true;
}

/** The fix for the manifests, as suggestions on the PR's changed lines plus what could not be placed. */
export function planSuggestions(sources: readonly ManifestSource[], config: FixConfig, prFiles: readonly PrFile[]): SuggestionPlan {
  const outcome = planFixes(sources, config);
  const files: FixedFile[] = outcome.changes.map((c) => ({ path: c.file, before: c.before, after: c.after }));
  const before = new Map(files.map((f) => [f.path, f.before]));
  const notHead = new Set(
    prFiles
      .filter((f) => f.patch !== undefined && before.has(f.filename) && !matchesHead(before.get(f.filename) ?? "", f.patch))
      .map((f) => f.filename),
  );
  const usable = prFiles.filter((f) => !notHead.has(f.filename));
  const { comments, unplaced } = suggestFixes(files, usable, outcome.fixed);
  return { comments, unplaced: unplaced.map((u) => (notHead.has(u.path) ? { ...u, why: NOT_HEAD } : u)), outcome, files };
}

/** Every edit of the fix as unplaced, with one reason (GitHub refused or could not be asked). */
export function allUnplaced(plan: Pick<SuggestionPlan, "files">, why: string): Unplaced[] {
  return suggestFixes(plan.files, []).unplaced.map((u) => ({ ...u, why }));
}
