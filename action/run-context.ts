/**
 * The workflow run the Action is in, read from the runner's environment and event payload at call
 * time. (@actions/github's `context` is frozen when the module is imported; reading the environment
 * here keeps `run()` testable in-process with a different run per test.)
 */
import { readFileSync } from "node:fs";
import { InputError } from "../shared/errors.js";

export interface PullRequestInfo {
  number: number;
  /** The head branch lives in another repository (its runs get a read-only token and no ID token). */
  fromFork: boolean;
}

export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** Workflow name (GITHUB_WORKFLOW), part of the sticky comment's key. */
  workflow: string;
  job: string;
  apiUrl: string;
  /** Link to this run, where the job summary lives. */
  runUrl: string | undefined;
  pullRequest: PullRequestInfo | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

interface EventPayload {
  pull_request?: {
    number?: number;
    head?: { repo?: { fork?: boolean; full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
  number?: number;
}

function readEvent(env: Env): EventPayload {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return parsed && typeof parsed === "object" ? (parsed as EventPayload) : {};
  } catch (err) {
    throw new InputError(`cannot read the event payload: ${(err as Error).message.split("\n")[0] ?? ""}`, { file });
  }
}

function pullRequestOf(event: EventPayload, repository: string): PullRequestInfo | undefined {
  const pr = event.pull_request;
  if (!pr || typeof pr.number !== "number") return undefined;
  const head = pr.head?.repo;
  // A deleted fork has `head.repo: null`: still a fork.
  const fromFork =
    head === null || head?.fork === true || (head?.full_name !== undefined && head.full_name.toLowerCase() !== repository.toLowerCase());
  return { number: pr.number, fromFork };
}

export function readRunContext(env: Env): RunContext {
  const repository = env.GITHUB_REPOSITORY ?? "";
  const [owner = "", repo = ""] = repository.split("/");
  const serverUrl = (env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, "");
  const event = readEvent(env);
  return {
    owner,
    repo,
    eventName: env.GITHUB_EVENT_NAME ?? "",
    workflow: env.GITHUB_WORKFLOW ?? "",
    job: env.GITHUB_JOB ?? "",
    apiUrl: (env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, ""),
    runUrl: repository && env.GITHUB_RUN_ID ? `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    pullRequest: pullRequestOf(event, repository),
  };
}
