/**
 * One-click fixes: `planFixes` edits manifests (text splices that keep comments, order, quoting and
 * indentation), `unifiedDiff` prints them and `suggestFixes` turns them into PR review
 * suggestions. The Azure-side fixes as IaC are in shared/azure/iac.ts; the `fix` command in shared/cli/fix.ts.
 */
export { planFixes, type FileChange, type FixOutcome, type Remaining } from "./engine.js";
export { MECHANICAL_FIXES } from "./plan.js";
export { fixConfigFrom, type FixConfig } from "./plan-context.js";
export { changeBlocks, unifiedDiff, type ChangeBlock } from "./diff.js";
export { sensitiveLines } from "./sensitive.js";
export {
  parsePatch,
  suggestFixes,
  type FixedFile,
  type PatchLines,
  type ReviewComment,
  type Suggestions,
  type Unplaced,
} from "./review-suggestions.js";
