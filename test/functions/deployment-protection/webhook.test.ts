/**
 * The protection rule's webhook on the sandbox: GitHub's signed deliveries (the sandbox signs them with
 * the App's secret, independently of @octokit/webhooks) are verified with the secret the Function reads
 * from Key Vault; a missing or wrong signature is 401 and leaves no trace (no delivery record, no queue
 * message); a replayed delivery id is answered once; a good one is answered 202 with one queued review.
 */
import { describe, expect, it } from "vitest";
import { REVIEW_QUEUE } from "../../../functions/deployment-protection/messages.js";
import { requestDeploymentProtection, signDelivery } from "../../sandbox/deployments.js";
import { useProtectionSandbox } from "./protection-world.js";

const world = useProtectionSandbox();

async function queued(): Promise<number> {
  const props = await world.h.queue.getProperties();
  return props.approximateMessagesCount ?? 0;
}

async function deliveryRecords(): Promise<string[]> {
  return (await world.h.rt.store.list("deliveries/")).sort();
}

describe("deploymentProtection webhook", () => {
  it("refuses a missing, a wrong and a foreign-secret signature with 401, before anything runs", async () => {
    const { delivery } = requestDeploymentProtection(world.sb.ctx, "production", "main");
    const before = { records: await deliveryRecords(), queued: await queued() };
    const missing = await world.h.deliver(delivery, { headers: { "x-hub-signature-256": undefined } });
    const tamperedBody = await world.h.deliver(delivery, { body: delivery.body.replace('"production"', '"staging"') });
    const wrongHex = await world.h.deliver(delivery, { headers: { "x-hub-signature-256": `sha256=${"0".repeat(64)}` } });
    const foreign = signDelivery("not-the-apps-secret", delivery.event, JSON.parse(delivery.body) as unknown, delivery.id);
    const foreignSecret = await world.h.deliver(foreign);
    const sha1Only = await world.h.deliver(delivery, { headers: { "x-hub-signature-256": undefined, "x-hub-signature": "sha1=0000" } });
    for (const res of [missing, tamperedBody, wrongHex, foreignSecret, sha1Only]) expect(res.status).toBe(401);
    expect(await deliveryRecords()).toEqual(before.records);
    expect(await queued()).toBe(before.queued);
    expect(world.h.logs.join("\n")).not.toContain(world.h.app.webhookSecret);
  });

  it("answers a signed delivery 202 with one queued review; the same delivery id again is answered once", async () => {
    await world.h.queue.clearMessages();
    const { delivery, rule } = requestDeploymentProtection(world.sb.ctx, "production", "main");
    const first = await world.h.deliver(delivery);
    expect(first).toEqual({ status: 202, body: { message: "review queued" } });
    const replay = await world.h.deliver(delivery);
    expect(replay).toEqual({ status: 200, body: { message: "already received" } });
    expect(await deliveryRecords()).toContain(`deliveries/${delivery.id}.json`);
    const { peekedMessageItems } = await world.h.queue.peekMessages({ numberOfMessages: 32 });
    expect(peekedMessageItems).toHaveLength(1);
    const message = JSON.parse(Buffer.from(peekedMessageItems[0]!.messageText, "base64").toString("utf8")) as Record<string, unknown>;
    expect(message).toMatchObject({
      deliveryId: delivery.id,
      environment: "production",
      runId: rule.runId,
      sha: rule.sha,
      owner: "contoso",
      repo: "django-app",
      installationId: world.h.app.installationId,
    });
    expect(REVIEW_QUEUE).toBe("aag-deployment-reviews");
  });

  it("refuses a signed payload whose callback URL is not this repository's review endpoint (the installation token would go there)", async () => {
    const { delivery } = requestDeploymentProtection(world.sb.ctx, "production", "main");
    const payload = JSON.parse(delivery.body) as Record<string, unknown>;
    payload.deployment_callback_url = "https://127.0.0.1:1/collect/actions/runs/1/deployment_protection_rule";
    const res = await world.h.deliver(signDelivery(world.h.app.webhookSecret, delivery.event, payload));
    expect(res.status).toBe(400);
  });

  it("re-reads the webhook secret at most once a minute for bad signatures, and picks up a rotated secret", async () => {
    const reads = () => world.sb.log.count({ service: "keyvault", path: /\/secrets\/github-webhook-secret/ });
    world.sb.clock.advance("2m");
    const before = reads();
    const { delivery } = requestDeploymentProtection(world.sb.ctx, "production", "main");
    for (let i = 0; i < 5; i++)
      expect((await world.h.deliver(delivery, { headers: { "x-hub-signature-256": `sha256=${String(i).repeat(64)}` } })).status).toBe(401);
    expect(reads() - before).toBe(1);

    // The operator rotates the secret in the App's settings and in Key Vault; GitHub signs with the new one.
    const rotated = "rotated-webhook-secret-0123456789abcdef";
    await world.h.operatorVault.setSecret("github-webhook-secret", rotated);
    world.sb.clock.advance("61s");
    const fresh = signDelivery(rotated, delivery.event, JSON.parse(delivery.body) as unknown);
    expect((await world.h.deliver(fresh)).status).toBe(202);
    expect(world.h.logs.join("\n")).not.toContain(rotated);
    await world.h.operatorVault.setSecret("github-webhook-secret", world.h.app.webhookSecret);
    world.sb.clock.advance("61s");
    expect((await world.h.deliver(signDelivery(world.h.app.webhookSecret, "ping", {}))).status).toBe(200);
  });

  it("answers ping and ignores other events without queueing", async () => {
    const before = await queued();
    expect((await world.h.deliver(signDelivery(world.h.app.webhookSecret, "ping", { zen: "Keep it logically awesome." }))).status).toBe(
      200,
    );
    expect((await world.h.deliver(signDelivery(world.h.app.webhookSecret, "push", { ref: "refs/heads/main" }))).status).toBe(202);
    expect(await queued()).toBe(before);
  });
});
