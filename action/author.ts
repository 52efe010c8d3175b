/**
 * Who the gate's token writes as, so the sticky comment and the review are found only among what the
 * gate itself wrote: a comment by anyone else that carries the marker (copied, or planted by a PR's
 * author) is never adopted, edited or deleted. A PAT or an App user token names its user at GET /user;
 * GITHUB_TOKEN is an installation token, which GitHub refuses there (403 "Resource not accessible by
 * integration"), and whose comments GitHub shows as `github-actions[bot]` (type Bot).
 */
import type { getOctokit } from "@actions/github";

type Octokit = ReturnType<typeof getOctokit>;

export interface Author {
  login: string;
  type: string;
}

export const GITHUB_ACTIONS_BOT: Author = { login: "github-actions[bot]", type: "Bot" };

const known = new WeakMap<Octokit, Promise<Author>>();

async function lookUp(octokit: Octokit): Promise<Author> {
  try {
    const me = await octokit.rest.users.getAuthenticated();
    return { login: me.data.login, type: me.data.type };
  } catch (err) {
    if ((err as { status?: unknown }).status === 403) return GITHUB_ACTIONS_BOT;
    throw err;
  }
}

/** The token's own identity (asked once per client). Any answer but 403 from GET /user is thrown: never a guess. */
export function tokenAuthor(octokit: Octokit): Promise<Author> {
  let p = known.get(octokit);
  if (!p) {
    p = lookUp(octokit);
    known.set(octokit, p);
  }
  return p;
}

/** True when `user` (a comment's or review's) is the token's own identity. */
export function writtenBy(user: { login?: string; type?: string } | null | undefined, self: Author): boolean {
  return user?.login === self.login && user.type === self.type;
}
