/**
 * The one-click fixes on a pull request: plan the fix on the checked-out manifests, read the PR's
 * head and changed files, post what lands on changed lines as review suggestions (suggestion-review.ts keeps
 * them in step across pushes), and render the rest for the sticky comment. A convenience, never the
 * verdict: when GitHub refuses, the run warns and lists every fix in the sticky comment instead.
 */
import type { getOctokit } from "@actions/github";
import type { LoadedConfig } from "../shared/config/load.js";
import { fixConfigFrom } from "../shared/fix/index.js";
import type { Report } from "../shared/findings/model.js";
import { renderFixSection } from "./fix-section.js";
import { redactTokens } from "./redact.js";
import { reporter } from "./reporter.js";
import type { Manifests } from "./manifests.js";
import { syncSuggestions, type ReviewTarget, type SyncResult } from "./suggestion-review.js";
import { allUnplaced, planSuggestions, type SuggestionPlan } from "./suggest.js";

type Octokit = ReturnType<typeof getOctokit>;

export interface SuggestionsResult {
  /** What happened to the review suggestions (absent when GitHub refused). */
  sync?: SyncResult;
  /** "Fixes not on changed lines" for the sticky comment ("" when there is nothing to add). */
  section: string;
}

function reviewBody(count: number): string {
  return [
    `**Azure Auth Gate** suggests ${count === 1 ? "a fix" : `${count} fixes`} on lines this pull request changed.`,
    "*Commit suggestion* applies one; *Add suggestion to batch* applies several in one commit.",
    "Fixes elsewhere in the manifests are listed in the gate's pull request comment.",
  ].join(" ");
}

function failureLine(err: unknown): string {
  const status = (err as { status?: unknown }).status;
  const message = redactTokens((err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "");
  return `${typeof status === "number" ? `HTTP ${status}: ` : ""}${message}`;
}

export async function publishSuggestions(
  octokit: Octokit,
  t: ReviewTarget,
  manifests: Manifests,
  loaded: LoadedConfig | undefined,
  report: Report,
): Promise<SuggestionsResult> {
  const config = fixConfigFrom(loaded?.config);
  const waived = report.findings.filter((f) => f.waived);
  const section = (plan: SuggestionPlan, unplaced = plan.unplaced) =>
    renderFixSection({ unplaced, outcome: plan.outcome, manifests: manifests.inputs, waived });
  let plan: SuggestionPlan | undefined;
  try {
    const repo = { owner: t.owner, repo: t.repo, pull_number: t.pullNumber };
    const pr = await octokit.rest.pulls.get(repo);
    const prFiles = await octokit.paginate(octokit.rest.pulls.listFiles, { ...repo, per_page: 100 });
    plan = planSuggestions(
      manifests.sources,
      config,
      prFiles.map((f) => ({ filename: f.filename, ...(f.patch !== undefined && f.patch !== null ? { patch: f.patch } : {}) })),
    );
    const sync = await syncSuggestions(octokit, t, plan.comments, pr.data.head.sha, reviewBody(plan.comments.length));
    reporter.info(
      `suggestions: ${sync.created} posted, ${sync.kept} unchanged, ${sync.deleted} stale removed; ${plan.unplaced.length} not on changed lines`,
    );
    return { sync, section: section(plan) };
  } catch (err) {
    reporter.warning(
      `suggestions: could not post the fixes as review suggestions (${failureLine(err)}); they are listed in the PR comment. Posting them needs \`permissions: pull-requests: write\`.`,
    );
    try {
      plan ??= planSuggestions(manifests.sources, config, []);
      return { section: section(plan, allUnplaced(plan, "not posted as a suggestion: GitHub refused the review")) };
    } catch (planErr) {
      if (planErr instanceof Error && planErr.stack) reporter.debug(redactTokens(planErr.stack));
      return { section: "" };
    }
  }
}
