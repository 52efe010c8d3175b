/**
 * The sandbox's GitHub emulator served alone on 127.0.0.1 for the tests that drive it with the REAL
 * @actions/github Octokit: one repository (acme/django-app, pull request 7 unless told otherwise) in a
 * small tenant, its installation tokens, and Octokit clients pointed at it. It registers no hooks:
 * the test calls `startGitHubEmulator` in its own `beforeAll`, `reset` where it wants a fresh
 * repository (`beforeEach`), and `close` in `afterAll`.
 */
import { getOctokit } from "@actions/github";
import type { ServiceContext } from "../sandbox/contract.js";
import { freshSigningKey } from "../sandbox/jwt.js";
import { githubService, githubTokens, type GitHubTokens } from "../sandbox/services/github.js";
import type { GitHubState, TenantState } from "../sandbox/state.js";
import { contextFor, placeholderUrls } from "../sandbox/testing/context.js";
import { serveHandler } from "../sandbox/testing/serve.js";
import { baseState } from "./fixtures.js";

export type OctokitOptions = NonNullable<Parameters<typeof getOctokit>[1]>;
export type Octokit = ReturnType<typeof getOctokit>;

export interface GitHubEmulatorOptions {
  /**
   * Fields of the repository's GitHubState over the default (no comments, issues or reviews; pull
   * request 7): e.g. `headSha` and `pullFiles`, or `pullRequest: undefined` for a run without one.
   * Copied afresh for every `reset`, so what one test changes in them never reaches the next.
   */
  github?: Partial<GitHubState>;
  /** Added to every client `octokit()` makes, beside its token and the emulator's `baseUrl`. */
  octokit?: Omit<OctokitOptions, "baseUrl">;
}

export interface GitHubEmulator {
  /** The emulator's API URL (GITHUB_API_URL). */
  readonly url: string;
  /** The tenant the emulator serves now; `state.github` is the repository. */
  readonly state: TenantState;
  /** The ServiceContext the emulator was built with (for test/sandbox/deployments.ts: App, commits, protection rules). */
  readonly ctx: ServiceContext;
  /** The repository's installation tokens: `write` (GITHUB_TOKEN) and `readOnly` (a fork's). */
  readonly tokens: GitHubTokens;
  /** An Octokit at the emulator with `token` (default: the write token) and the emulator's client options, then `extra`. */
  octokit(token?: string, extra?: Omit<OctokitOptions, "baseUrl">): Octokit;
  /** A fresh tenant and repository (the same options), now served; returns the new state. */
  reset(): TenantState;
  close(): Promise<void>;
}

/** Starts the GitHub emulator over HTTPS on 127.0.0.1 and seeds one repository. */
export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const server = await serveHandler("github");
  let state!: TenantState;
  let ctx!: ServiceContext;
  const reset = (): TenantState => {
    state = baseState({ github: repository(options.github) });
    ctx = contextFor(state, placeholderUrls({ github: server.url }));
    server.setHandler(githubService(ctx));
    return state;
  };
  reset();
  return {
    url: server.url,
    get state() {
      return state;
    },
    get ctx() {
      return ctx;
    },
    get tokens() {
      return githubTokens(state.github!);
    },
    octokit: (token = githubTokens(state.github!).write, extra = {}) =>
      getOctokit(token, { ...options.octokit, ...extra, baseUrl: server.url }),
    reset,
    close: () => server.close(),
  };
}

function repository(over: Partial<GitHubState> = {}): GitHubState {
  return {
    repository: "acme/django-app",
    ownerId: 1001,
    repoId: 2002,
    ref: "refs/heads/main",
    pullRequest: 7,
    fork: false,
    immutableSubject: false,
    workflow: "deploy.yml",
    signingKey: freshSigningKey("gh"),
    comments: [],
    issues: [],
    reviews: [],
    ...structuredClone(over),
  };
}
