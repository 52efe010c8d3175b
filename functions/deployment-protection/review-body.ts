/**
 * The comment of a protection-rule review, as GitHub shows it on the workflow run: a heading with the
 * verdict, the environment, the deployed commit and the config it was checked against, then the
 * gate's markdown report (findings with their fixes when rejected; the summary when approved), kept
 * under GitHub's comment limit. Everything from the repository (branch names, environment names,
 * findings) is escaped.
 */
import type { Report } from "../../shared/findings/model.js";
import { codeBlock, escapeMarkdown } from "../../shared/report/markdown-escape.js";
import { PR_COMMENT_LIMIT, renderMarkdown } from "../../shared/report/index.js";

/** GitHub's limit on a review comment, as on issue and pull request comments. */
export const REVIEW_COMMENT_LIMIT = PR_COMMENT_LIMIT;

export interface ReviewContext {
  environment: string;
  sha: string;
  ref: string;
  configFile: string;
  /** The default branch and commit the config was read from, once known. */
  configRef?: { branch: string; sha: string };
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function provenance(ctx: ReviewContext): string {
  const deployed = `Commit ${code(ctx.sha.slice(0, 7))} of ${escapeMarkdown(ctx.ref)}`;
  const config = ctx.configRef
    ? `checked against ${code(ctx.configFile)} on the default branch ${escapeMarkdown(ctx.configRef.branch)} (${code(ctx.configRef.sha.slice(0, 7))})`
    : `checked against ${code(ctx.configFile)} on the default branch`;
  return `${deployed}, ${config}.`;
}

function withReport(heading: string, report: Report, ctx: ReviewContext, tail = ""): string {
  const head = `### ${heading}\n\n${provenance(ctx)}\n\n`;
  const room = REVIEW_COMMENT_LIMIT - Buffer.byteLength(head + tail, "utf8") - 64;
  return `${head}${renderMarkdown(report, { maxChars: room, moreHint: "run `npx azure-auth-gate check` on the commit for the full report" })}${tail}`;
}

export function approvedBody(report: Report, ctx: ReviewContext): string {
  return withReport(`✅ Azure Auth Gate approved the deployment to ${escapeMarkdown(ctx.environment)}`, report, ctx);
}

export function rejectedBody(report: Report, ctx: ReviewContext): string {
  const unverified = typeof report.metadata.unverifiedFacts === "number" ? report.metadata.unverifiedFacts : 0;
  const why = unverified > 0 ? ` — could not verify ${unverified} fact${unverified === 1 ? "" : "s"}` : "";
  const tail =
    unverified > 0
      ? "\nA fact the gate could not read is not a pass (fail-closed): once Azure answers again, re-run the job to request a new review.\n"
      : "\nFix the findings above, then re-run the job to request a new review.\n";
  return withReport(`❌ Azure Auth Gate rejected the deployment to ${escapeMarkdown(ctx.environment)}${why}`, report, ctx, tail);
}

/** A verdict that could not be reached: rejected, with the reason. */
export function unverifiedBody(reason: string, ctx: ReviewContext): string {
  const body = `### ❌ Azure Auth Gate could not verify the deployment to ${escapeMarkdown(ctx.environment)}\n\n${provenance(ctx)}\n\n**Reason:**\n\n${codeBlock(reason)}\n\nThe deployment is rejected (fail-closed). Fix the cause, then re-run the job to request a new review.\n`;
  return body.length <= REVIEW_COMMENT_LIMIT ? body : `${body.slice(0, REVIEW_COMMENT_LIMIT - 20)}\n… (truncated)\n`;
}
