/**
 * `deploymentProtection` (HTTP, anonymous: GitHub cannot send a function key): the GitHub App's
 * webhook. The signature is checked before anything else — before the body is parsed, before
 * storage is touched — with @octokit/webhooks and the secret from Key Vault; without a valid
 * `X-Hub-Signature-256` the answer is 401 and nothing runs.
 *
 * A verified `deployment_protection_rule` delivery is recorded under its delivery id (a Blob created
 * only if it does not exist), so a replayed or redelivered id is answered once; then the review goes
 * onto the queue and the webhook answers 202 at once (GitHub gives a delivery 10 seconds).
 */
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { Webhooks } from "@octokit/webhooks";
import { callbackRunId, protectionRulePayloadSchema, REVIEW_QUEUE, type ReviewMessage } from "./messages.js";
import type { ProtectionRuntime } from "./runtime.js";
import { log } from "../../shared/log.js";

const reply = (status: number, message: string): HttpResponseInit => ({ status, jsonBody: { message } });

async function signatureMatches(secret: string, body: string, signature: string): Promise<boolean> {
  try {
    return await new Webhooks({ secret }).verify(body, signature);
  } catch {
    // An empty body or a malformed header is a signature that does not match.
    return false;
  }
}

async function verified(rt: ProtectionRuntime, body: string, signature: string): Promise<boolean> {
  if (await signatureMatches(await rt.webhookSecret(), body, signature)) return true;
  // The secret may have been rotated since this worker cached it: one fresh read, then the answer stands.
  return signatureMatches(await rt.webhookSecret(true), body, signature);
}

export async function receiveWebhook(rt: ProtectionRuntime, request: HttpRequest): Promise<HttpResponseInit> {
  if (request.method !== "POST") return reply(405, "POST only");
  const signature = request.headers.get("x-hub-signature-256");
  const deliveryId = request.headers.get("x-github-delivery") ?? "";
  if (!signature) {
    log.warning(`delivery ${deliveryId || "(no id)"}: no X-Hub-Signature-256; refused`);
    return reply(401, "signature required");
  }
  const body = await request.text();
  let ok: boolean;
  try {
    ok = await verified(rt, body, signature);
  } catch (err) {
    log.error(`could not read the webhook secret from Key Vault: ${rt.mask.describe(err)}`);
    return reply(503, "the webhook secret could not be read; redeliver later");
  }
  if (!ok) {
    log.warning(`delivery ${deliveryId || "(no id)"}: X-Hub-Signature-256 does not match; refused`);
    return reply(401, "signature does not match");
  }

  const event = request.headers.get("x-github-event");
  if (event === "ping") return reply(200, "pong");
  if (event !== "deployment_protection_rule") return reply(202, `event '${event ?? ""}' is not reviewed`);
  if (!/^[0-9A-Za-z-]{1,64}$/.test(deliveryId)) return reply(400, "X-GitHub-Delivery missing or malformed");
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return reply(400, "body is not JSON");
  }
  const parsed = protectionRulePayloadSchema.safeParse(payload);
  if (!parsed.success) return reply(400, `not a deployment_protection_rule payload: ${parsed.error.issues[0]?.path.join(".") ?? ""}`);
  const p = parsed.data;
  if (p.action !== "requested") return reply(202, `action '${p.action}' is not reviewed`);
  const owner = p.repository.owner.login;
  const repo = p.repository.name;
  const runId = callbackRunId(p.deployment_callback_url, rt.settings.githubApiUrl, owner, repo);
  if (runId === undefined) {
    log.warning(`delivery ${deliveryId}: callback URL is not ${rt.settings.githubApiUrl}'s review endpoint for ${owner}/${repo}; refused`);
    return reply(400, "deployment_callback_url is not this repository's review endpoint on the configured GitHub API");
  }

  const message: ReviewMessage = {
    deliveryId,
    installationId: p.installation.id,
    owner,
    repo,
    environment: p.environment,
    sha: p.deployment.sha,
    ref: p.deployment.ref,
    runId,
  };
  const marker = `deliveries/${deliveryId}.json`;
  const first = await rt.store.putOnce(
    marker,
    JSON.stringify({ receivedAt: rt.now().toISOString(), repository: `${owner}/${repo}`, environment: p.environment, runId }),
    "application/json",
  );
  if (!first) {
    log.info(`delivery ${deliveryId}: already received; not reviewed again`);
    return reply(200, "already received");
  }
  try {
    await rt.queues.send(REVIEW_QUEUE, message);
  } catch (err) {
    // Forget the delivery so GitHub's redelivery is not mistaken for a replay.
    await rt.store.container
      .getBlockBlobClient(marker)
      .deleteIfExists()
      .catch(() => undefined);
    log.error(`delivery ${deliveryId}: could not queue the review: ${rt.mask.describe(err)}`);
    return reply(503, "the review could not be queued; redeliver");
  }
  log.info(`delivery ${deliveryId}: ${owner}/${repo} run ${runId} → ${p.environment} queued for review`);
  return reply(202, "review queued");
}
