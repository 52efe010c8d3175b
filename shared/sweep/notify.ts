/**
 * Posting a run's report: one GitHub issue per scope ("Azure auth compliance: <scope>"), created on
 * the first run and updated (body replaced, reopened) afterwards; and an optional incoming webhook in
 * the shape Teams and Slack both accept (`{ "text": … }`). Tokens and webhook URLs come from Key Vault,
 * are registered with the mask, and never appear in a log line or an error.
 */
import type { SecretMask } from "../rotation/mask.js";

export function issueTitle(scope: string): string {
  return `Azure auth compliance: ${scope}`;
}

export interface GitHubTarget {
  apiUrl: string;
  repository: string;
  labels: string[];
  token: string;
}

interface IssueView {
  number: number;
  title: string;
  html_url?: string;
}

async function gh(target: GitHubTarget, mask: SecretMask, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${target.apiUrl.replace(/\/+$/, "")}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${target.token}`,
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      "user-agent": "azure-auth-gate-function",
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) {
    const text = await res.text().catch(() => "");
    const message = (() => {
      try {
        return String((JSON.parse(text) as { message?: unknown }).message ?? "");
      } catch {
        return text.slice(0, 200);
      }
    })();
    throw new Error(mask.mask(`GitHub ${method} ${path} answered ${res.status}${message ? `: ${message}` : ""}`));
  }
  return res.status === 204 ? undefined : res.json();
}

/** Creates or updates the scope's issue; returns its number and whether it was created. */
export async function upsertIssue(
  target: GitHubTarget,
  scope: string,
  markdown: string,
  mask: SecretMask,
): Promise<{ number: number; created: boolean }> {
  mask.add(target.token);
  const title = issueTitle(scope);
  const repo = `/repos/${target.repository}`;
  const labels = target.labels.map(encodeURIComponent).join(",");
  for (let page = 1; page <= 10; page++) {
    const issues = (await gh(
      target,
      mask,
      "GET",
      `${repo}/issues?state=all&per_page=100&page=${page}${labels ? `&labels=${labels}` : ""}`,
    )) as IssueView[];
    const found = issues.find((i) => i.title === title);
    if (found) {
      await gh(target, mask, "PATCH", `${repo}/issues/${found.number}`, { body: markdown, state: "open" });
      return { number: found.number, created: false };
    }
    if (issues.length < 100) break;
  }
  const created = (await gh(target, mask, "POST", `${repo}/issues`, { title, body: markdown, labels: target.labels })) as IssueView;
  return { number: created.number, created: true };
}

/** Posts `{ text }` to an incoming webhook (Teams and Slack both accept that shape). */
export async function postWebhook(url: string, text: string, mask: SecretMask): Promise<void> {
  mask.add(url);
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
  } catch (err) {
    // No `cause`: the original error may quote the URL, which carries the webhook's token.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(mask.describe(err));
  }
  if (!res.ok) throw new Error(`the webhook answered ${res.status}`);
}
