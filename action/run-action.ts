/**
 * The Action, testable in-process: inputs (INPUT_*), the run (GITHUB_* and the event file), the
 * gate's OIDC login, the gate itself, then the job summary, annotations, JSON report, SARIF, the
 * one-click fixes as PR review suggestions, the sticky PR comment and outputs. Bad input is one
 * `core.setFailed` line; a login problem is a finding (AG501 / AG502) and the run falls back to the
 * static layer instead of crashing.
 */
import { tmpdir } from "node:os";
import type { getOctokit } from "@actions/github";
import { describeCustomCloud, isCustomCloud, type CloudProfile } from "../shared/cloud/profile.js";
import type { LoadedConfig } from "../shared/config/load.js";
import { InputError } from "../shared/errors.js";
import { blocks, type Report } from "../shared/findings/model.js";
import { AzureLoginError } from "../shared/azure/login-error.js";
import { executePlan, type AzureAccess } from "../shared/gate/execute-plan.js";
import { planRun, type PlanHints } from "../shared/gate/plan-run.js";
import { resolveHelm } from "../shared/cli/helm-config.js";
import { plural, PR_COMMENT_LIMIT, renderMarkdown } from "../shared/report/index.js";
import { markerFor, publishStickyComment, type CommentResult } from "./comment.js";
import { cloudFor, configFileFor, loadActionConfig } from "./config.js";
import { readRunContext, type RunContext } from "./run-context.js";
import { readInputs, type ActionInputs } from "./inputs.js";
import { redactTokens } from "./redact.js";
import { reporter, startRunnerLog } from "./reporter.js";
import { loadManifests, type Manifests } from "./manifests.js";
import { annotate, setOutputs, writeJobSummary, writeJsonReport, writeSarifFile } from "./outputs.js";
import { publishSuggestions, type SuggestionsResult } from "./suggestions.js";
import { NPX_COMMAND } from "../shared/shell.js";

export interface RunDeps {
  /** Clock for the gate's time-based rules (default: now). */
  now?: () => Date;
}

export interface RunResult {
  report: Report;
  reportPath: string;
  comment: CommentResult | undefined;
  /** The one-click fixes on the pull request (absent when not attempted). */
  suggestions: SuggestionsResult | undefined;
  failed: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const ACTION_HINTS: PlanHints = {
  manifests: { field: "input manifests", hint: "set input manifests (files, directories or globs)" },
  config: { field: "input config", hint: "set input config, or subscription-id" },
};

/** The Action's side of the Azure layers: its OIDC sign-in (AG501/AG502 instead of a crash) and its probe. */
function actionAzureAccess(inputs: ActionInputs, env: Env, ctx: RunContext, loaded: LoadedConfig, profile: CloudProfile): AzureAccess {
  const tenantId = inputs.tenantId ?? loaded.config.tenantId;
  if (!tenantId)
    throw new InputError("set tenant-id (or tenantId in the config): the tenant of the gate's identity", { field: "input tenant-id" });
  return {
    profile,
    // The OIDC login and the probe (with the Kubernetes client) load here, on first use.
    signIn: async () => (await import("./login.js")).signIn({ tenantId, clientId: inputs.clientId ?? "", profile, run: ctx, env }),
    probe: async () => (await import("./probe.js")).probeLayerFor(loaded, profile),
  };
}

async function gateReport(
  inputs: ActionInputs,
  env: Env,
  ctx: RunContext,
  manifests: Manifests | undefined,
  loaded: LoadedConfig | undefined,
  profile: CloudProfile,
  notices: string[],
  now: Date,
): Promise<Report> {
  const plan = planRun({
    mode: inputs.mode,
    ...(loaded ? { config: loaded.config } : {}),
    manifests: manifests !== undefined,
    trigger: { event: ctx.eventName, ...(ctx.pullRequest ? { pullRequest: ctx.pullRequest.number } : {}) },
    probeOnPullRequest: inputs.probeOnPullRequest,
    cloud: { name: profile.name, custom: isCustomCloud(profile), allowedByUser: inputs.allowCustomCloud },
    hints: ACTION_HINTS,
  });
  const outcome = await executePlan({
    plan,
    ...(loaded ? { config: loaded.config, configFile: loaded.file } : {}),
    ...(manifests ? { manifests: manifests.set } : {}),
    now,
    ...(loaded && plan.controlPlane.run ? { azure: actionAzureAccess(inputs, env, ctx, loaded, profile) } : {}),
  });
  for (const notice of outcome.notices) {
    reporter.notice(notice);
    notices.push(notice);
  }
  return outcome.report;
}

function commentKey(inputs: ActionInputs, ctx: RunContext, configFile: string | undefined): string {
  if (inputs.commentKey) return inputs.commentKey;
  const what = configFile ? configFile.replace(/^.*[\\/]/, "") : inputs.manifests.join(",") || "gate";
  return `${ctx.workflow || "workflow"}/${what}`;
}

function commentBodies(
  report: Report,
  ctx: RunContext,
  notices: string[],
  key: string,
  fixSection: string,
): { body: string; collapsedBody: string } {
  const summaryLink = ctx.runUrl ? `the [job summary](${ctx.runUrl})` : "the job summary";
  const noteText = notices.map((n) => `> ${n}`).join("\n");
  const overhead = markerFor(key).length + noteText.length + fixSection.length + 256;
  const markdown = renderMarkdown(report, { maxChars: PR_COMMENT_LIMIT - overhead, moreHint: `see ${summaryLink} and the JSON report` });
  const withFixes = fixSection ? `${markdown}\n${fixSection}\n` : markdown;
  const body = noteText ? `${noteText}\n\n${withFixes}` : withFixes;
  const collapsedBody = `<details><summary>✅ Azure Auth Gate: pass — earlier findings are resolved</summary>\n\n${withFixes}\n</details>\n`;
  return { body, collapsedBody };
}

type Octokit = ReturnType<typeof getOctokit>;

/** Where this run talks to the pull request, when it may: the PR, a writable token, comments wanted. */
interface PrChannel {
  octokit: Octokit;
  pullNumber: number;
  key: string;
}

async function prChannel(inputs: ActionInputs, ctx: RunContext, configFile: string | undefined): Promise<PrChannel | undefined> {
  const wanted = inputs.comment ?? ctx.pullRequest !== undefined;
  if (!wanted) return undefined;
  if (!ctx.pullRequest) {
    reporter.info("comment: this run is not for a pull request; no comment posted");
    return undefined;
  }
  if (ctx.pullRequest.fromFork) {
    reporter.notice("comment: pull requests from forks get a read-only GITHUB_TOKEN; the report is in the job summary instead");
    if (inputs.suggestions)
      reporter.notice(
        `suggestions: skipped on a pull request from a fork (read-only token); \`${NPX_COMMAND} fix --diff <manifests>\` shows the same fixes`,
      );
    return undefined;
  }
  if (!inputs.githubToken) {
    reporter.warning("comment: no github-token; no comment posted");
    return undefined;
  }
  // Octokit loads only when the run talks to a pull request.
  const { getOctokit } = await import("@actions/github");
  return {
    octokit: getOctokit(inputs.githubToken, { baseUrl: ctx.apiUrl }),
    pullNumber: ctx.pullRequest.number,
    key: commentKey(inputs, ctx, configFile),
  };
}

async function publishComment(
  channel: PrChannel,
  inputs: ActionInputs,
  ctx: RunContext,
  report: Report,
  notices: string[],
  fixSection: string,
): Promise<CommentResult | undefined> {
  try {
    const bodies = commentBodies(report, ctx, notices, channel.key, fixSection);
    return await publishStickyComment(
      channel.octokit,
      { owner: ctx.owner, repo: ctx.repo, issueNumber: channel.pullNumber, key: channel.key },
      { verdict: report.verdict, onPass: inputs.commentOnPass, ...bodies },
    );
  } catch (err) {
    // The comment is a convenience: failing to post it never changes the gate's verdict.
    const status = (err as { status?: unknown }).status;
    const message = redactTokens((err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "");
    reporter.warning(
      `comment: GitHub refused the PR comment${typeof status === "number" ? ` (HTTP ${status})` : ""}: ${message}. It needs \`permissions: pull-requests: write\`.`,
    );
    return undefined;
  }
}

async function runAction(deps: RunDeps): Promise<RunResult> {
  const env: Env = process.env;
  const inputs = readInputs();
  const ctx = readRunContext(env);
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const now = deps.now?.() ?? new Date();
  const configFile = configFileFor(inputs.config, workspace);
  const loaded = loadActionConfig(configFile, inputs.subscriptionId, workspace, {
    allowCustomCloud: inputs.allowCustomCloud,
    cloudInput: inputs.cloud !== undefined,
  });
  const profile = cloudFor(inputs.cloud, loaded, workspace, inputs.allowCustomCloud);
  // Before any token is requested: the user sees where tokens will go (allow-custom-cloud made this possible).
  if (isCustomCloud(profile)) reporter.notice(describeCustomCloud(profile).join("\n"));
  const helm = loaded ? await resolveHelm(loaded.config.helm, loaded.file) : {};
  const manifests = inputs.manifests.length > 0 ? await loadManifests(inputs.manifests, workspace, helm) : undefined;

  const notices: string[] = [];
  // Files the loader left out on purpose (other tools' YAML, links out of the workspace): one notice each.
  for (const s of manifests?.set.skipped ?? []) {
    const line = `${s.file}: skipped: ${s.reason}`;
    reporter.notice(line);
    notices.push(line);
  }
  const report = await gateReport(inputs, env, ctx, manifests, loaded, profile, notices, now);

  const reportPath = writeJsonReport(report, env.RUNNER_TEMP ?? tmpdir());
  if (inputs.sarif) writeSarifFile(report, inputs.sarif, workspace);
  annotate(report);
  if (env.GITHUB_STEP_SUMMARY) await writeJobSummary(report, notices);
  const channel = await prChannel(inputs, ctx, configFile);
  const target = channel ? { owner: ctx.owner, repo: ctx.repo, pullNumber: channel.pullNumber, key: channel.key } : undefined;
  const suggestions =
    channel && target && inputs.suggestions && manifests
      ? await publishSuggestions(channel.octokit, target, manifests, loaded, report)
      : undefined;
  const comment = channel ? await publishComment(channel, inputs, ctx, report, notices, suggestions?.section ?? "") : undefined;
  setOutputs(report, reportPath, comment?.url, suggestions?.sync);

  // A refused manifest file was not checked: the report covers the rest, and the step fails whatever the verdict.
  for (const e of manifests?.set.refused ?? [])
    reporter.annotate("error", e.oneLine(), {
      ...(e.file ? { file: e.file } : {}),
      ...(e.line !== undefined ? { startLine: e.line } : {}),
    });
  const refusedCount = manifests?.set.refused?.length ?? 0;
  if (refusedCount > 0)
    reporter.fail(`azure-auth-gate: ${plural(refusedCount, "manifest file")} refused (see the errors above); the report covers the rest`);
  const failed = blocks(report.verdict, inputs.failOn) || refusedCount > 0;
  const { errors, warnings } = report.summary;
  const line = `Azure Auth Gate: ${report.verdict} (${plural(errors, "error")}, ${plural(warnings, "warning")}; fail-on: ${inputs.failOn})`;
  if (blocks(report.verdict, inputs.failOn)) reporter.fail(line);
  else if (failed) reporter.info(line);
  else reporter.info(line);
  return { report, reportPath, comment, suggestions, failed };
}

/** Runs the Action; never throws (every failure ends as `reporter.fail`, with no stack trace for user errors). */
export async function run(deps: RunDeps = {}): Promise<RunResult | undefined> {
  try {
    // Step debug logging (RUNNER_DEBUG): the gate's and the Azure SDK's log lines become debug lines.
    startRunnerLog();
    return await runAction(deps);
  } catch (err) {
    if (err instanceof InputError) {
      reporter.fail(err.oneLine());
    } else if (err instanceof AzureLoginError) {
      reporter.fail(redactTokens(err.message.split("\n")[0] ?? ""));
    } else {
      if (err instanceof Error && err.stack) reporter.debug(redactTokens(err.stack));
      reporter.fail(
        `azure-auth-gate: internal error (please report it): ${redactTokens((err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "")}`,
      );
    }
    return undefined;
  }
}
