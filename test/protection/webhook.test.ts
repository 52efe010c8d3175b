/**
 * The protection rule's webhook on the sandbox: GitHub's signed deliveries (the sandbox signs them with
 * the App's secret, independently of @octokit/webhooks) are verified with the secret the Function reads
 * from Key Vault; a missing or wrong signature is 401 and leaves no trace (no delivery record, no queue
 * message); a replayed delivery id is answered once; a good one is answered 202 with one queued review.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVIEW_QUEUE } from "../../functions/deployment-protection/messages.js";
import { requestDeploymentProtection, signDelivery } from "../sandbox/deployments.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { protectionHarness, scenario, type ProtectionHarness } from "./harness.js";

let sb: Sandbox;
let h: ProtectionHarness;

beforeAll(async () => {
  sb = await startSandbox(scenario());
  h = await protectionHarness(sb);
});

afterAll(async () => {
  await sb?.stop();
});

async function queued(): Promise<number> {
  const props = await h.queue.getProperties();
  return props.approximateMessagesCount ?? 0;
}

async function deliveryRecords(): Promise<string[]> {
  return (await h.rt.store.list("deliveries/")).sort();
}

describe("deploymentProtection webhook", () => {
  it("refuses a missing, a wrong and a foreign-secret signature with 401, before anything runs", async () => {
    const { delivery } = requestDeploymentProtection(sb.ctx, "production", "main");
    const before = { records: await deliveryRecords(), queued: await queued() };
    const missing = await h.deliver(delivery, { headers: { "x-hub-signature-256": undefined } });
    const tamperedBody = await h.deliver(delivery, { body: delivery.body.replace('"production"', '"staging"') });
    const wrongHex = await h.deliver(delivery, { headers: { "x-hub-signature-256": `sha256=${"0".repeat(64)}` } });
    const foreign = signDelivery("not-the-apps-secret", delivery.event, JSON.parse(delivery.body) as unknown, delivery.id);
    const foreignSecret = await h.deliver(foreign);
    const sha1Only = await h.deliver(delivery, { headers: { "x-hub-signature-256": undefined, "x-hub-signature": "sha1=0000" } });
    for (const res of [missing, tamperedBody, wrongHex, foreignSecret, sha1Only]) expect(res.status).toBe(401);
    expect(await deliveryRecords()).toEqual(before.records);
    expect(await queued()).toBe(before.queued);
    expect(h.logs.join("\n")).not.toContain(h.app.webhookSecret);
  });

  it("answers a signed delivery 202 with one queued review; the same delivery id again is answered once", async () => {
    await h.queue.clearMessages();
    const { delivery, rule } = requestDeploymentProtection(sb.ctx, "production", "main");
    const first = await h.deliver(delivery);
    expect(first).toEqual({ status: 202, body: { message: "review queued" } });
    const replay = await h.deliver(delivery);
    expect(replay).toEqual({ status: 200, body: { message: "already received" } });
    expect(await deliveryRecords()).toContain(`deliveries/${delivery.id}.json`);
    const { peekedMessageItems } = await h.queue.peekMessages({ numberOfMessages: 32 });
    expect(peekedMessageItems).toHaveLength(1);
    const message = JSON.parse(Buffer.from(peekedMessageItems[0]!.messageText, "base64").toString("utf8")) as Record<string, unknown>;
    expect(message).toMatchObject({ deliveryId: delivery.id, environment: "production", runId: rule.runId, sha: rule.sha, owner: "contoso", repo: "django-app", installationId: h.app.installationId });
    expect(REVIEW_QUEUE).toBe("aag-deployment-reviews");
  });

  it("refuses a signed payload whose callback URL is not this repository's review endpoint (the installation token would go there)", async () => {
    const { delivery } = requestDeploymentProtection(sb.ctx, "production", "main");
    const payload = JSON.parse(delivery.body) as Record<string, unknown>;
    payload.deployment_callback_url = "https://127.0.0.1:1/collect/actions/runs/1/deployment_protection_rule";
    const res = await h.deliver(signDelivery(h.app.webhookSecret, delivery.event, payload));
    expect(res.status).toBe(400);
  });

  it("answers ping and ignores other events without queueing", async () => {
    const before = await queued();
    expect((await h.deliver(signDelivery(h.app.webhookSecret, "ping", { zen: "Keep it logically awesome." }))).status).toBe(200);
    expect((await h.deliver(signDelivery(h.app.webhookSecret, "push", { ref: "refs/heads/main" }))).status).toBe(202);
    expect(await queued()).toBe(before);
  });
});
