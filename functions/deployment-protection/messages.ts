/**
 * The webhook's payload as far as the review needs it, and the queue message the HTTP function hands
 * to the review worker. The payload is parsed only after its signature verified.
 */
import { z } from "zod";

/** GitHub owner and repository names: they go into API paths, so nothing else is accepted. */
const NAME = /^[A-Za-z0-9._-]+$/;

/** Queue the webhook hands reviews to (reviewDeployment's trigger). */
export const REVIEW_QUEUE = "aag-deployment-reviews";

/** `deployment_protection_rule` (action `requested`): the fields the review uses. */
export const protectionRulePayloadSchema = z.object({
  action: z.string(),
  environment: z.string().min(1),
  deployment_callback_url: z.string().url(),
  deployment: z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/), ref: z.string() }),
  repository: z.object({ name: z.string().regex(NAME), owner: z.object({ login: z.string().regex(NAME) }) }),
  installation: z.object({ id: z.number().int().positive() }),
});

export const reviewMessageSchema = z
  .object({
    deliveryId: z.string().min(1),
    installationId: z.number().int().positive(),
    owner: z.string().regex(NAME),
    repo: z.string().regex(NAME),
    environment: z.string().min(1),
    sha: z.string().regex(/^[0-9a-f]{40}$/),
    ref: z.string(),
    runId: z.number().int().positive(),
  })
  .strict();

export type ReviewMessage = z.infer<typeof reviewMessageSchema>;

/**
 * The callback URL GitHub names must be the review endpoint of the payload's own repository on the
 * configured GitHub API: the App's installation token is sent there, so no other host or path is ever
 * accepted. Returns the workflow run id, or undefined.
 */
export function callbackRunId(url: string, apiUrl: string, owner: string, repo: string): number | undefined {
  const prefix = `${apiUrl}/repos/${owner}/${repo}/actions/runs/`.toLowerCase();
  if (!url.toLowerCase().startsWith(prefix)) return undefined;
  const m = /^(\d+)\/deployment_protection_rule$/.exec(url.slice(prefix.length));
  return m ? Number(m[1]) : undefined;
}

export function callbackUrl(apiUrl: string, message: Pick<ReviewMessage, "owner" | "repo" | "runId">): string {
  return `${apiUrl}/repos/${message.owner}/${message.repo}/actions/runs/${message.runId}/deployment_protection_rule`;
}
