/**
 * The deployment protection rule end to end on the sandbox: GitHub (the sandbox's emulator) asks the
 * App to review a job that targets `production`; the webhook verifies and queues; the review worker
 * authenticates as the App, reads the config from the default branch and the manifests at the
 * deployment's commit, runs the gate against the sandbox's Azure with the Function's identity, and
 * answers the callback — which the emulator accepts only for the App's pending rule.
 *
 * - federated credential says `prod`, the app runs in `production`: rejected with AG204 and its fix;
 *   after the fix (applied with the real ARM SDK, as the comment says) the next deployment is approved;
 * - a bad signature changes nothing; a redelivered event is reviewed once;
 * - a config change on the deployed branch has no effect (the default branch's config rules);
 * - Azure faults reject with "could not verify".
 */
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { pushCommit, requestDeploymentProtection } from "../../sandbox/deployments.js";
import type { ProtectionRuleState } from "../../sandbox/state.js";
import { CONFIG_PATH, gateConfig, saveReview, useProtectionSandbox } from "./protection-world.js";

const world = useProtectionSandbox();

/** A job on `branch` targets `environment`: deliver the signed event, run the queued review. */
async function deploy(environment: string, branch: string): Promise<ProtectionRuleState> {
  const { delivery, rule } = requestDeploymentProtection(world.sb.ctx, environment, branch);
  expect((await world.h.deliver(delivery)).status).toBe(202);
  expect(await world.h.pumpReviews()).toBe(1);
  return rule;
}

function onlyReview(rule: ProtectionRuleState): { state: string; comment: string } {
  expect(rule.reviews).toHaveLength(1);
  return rule.reviews[0]!;
}

function noSecretsIn(text: string): void {
  for (const secret of [world.h.app.webhookSecret, world.h.app.privateKeyPem.split("\n")[1]!, "sandbox-django-secret-key-value-0001"])
    expect(text).not.toContain(secret);
  expect(text).not.toMatch(/ghs_[A-Za-z0-9]{20,}/);
}

describe("deployment protection rule on the sandbox", () => {
  it("rejects production while the federated credential says `prod`, with AG204 and its fix in the comment", async () => {
    const rule = await deploy("production", "main");
    const review = onlyReview(rule);
    expect(rule.state).toBe("rejected");
    expect(review.comment).toContain("❌ Azure Auth Gate rejected the deployment to production");
    expect(review.comment).toContain("AG204");
    expect(review.comment).toContain("system&#58;serviceaccount&#58;prod&#58;backend");
    expect(review.comment).toMatch(/az identity federated-credential create[^\n]*--subject[^\n]*system:serviceaccount:production:backend/);
    expect(review.comment.length).toBeLessThanOrEqual(65_536);
    noSecretsIn(review.comment + world.h.logs.join("\n"));
    saveReview("rejected", review.comment);
  });

  it("ignores a config change on the deployed branch: the default branch's config rules", async () => {
    // The branch waives AG204, drops every layer but static, opts into failOpen and points the cloud elsewhere.
    const branchConfig = parseYaml(
      gateConfig(world.sb, { production: { manifests: ["deploy/production"], layers: ["static"] } }),
    ) as Record<string, unknown>;
    pushCommit(world.sb.ctx, "loosen-the-gate", {
      [CONFIG_PATH]: toYaml({ ...branchConfig, failOpen: true, waivers: [{ id: "AG204", reason: "trust me" }] }),
    });
    const rule = await deploy("production", "loosen-the-gate");
    const review = onlyReview(rule);
    expect(rule.state).toBe("rejected");
    expect(review.comment).toContain("AG204");
    expect(review.comment).not.toContain("trust me");
    expect(review.comment).toMatch(/on the default branch main/);
  });

  it("changes nothing for a delivery with a bad signature", async () => {
    const { delivery, rule } = requestDeploymentProtection(world.sb.ctx, "production", "main");
    expect((await world.h.deliver(delivery, { headers: { "x-hub-signature-256": `sha256=${"ab".repeat(32)}` } })).status).toBe(401);
    expect(
      (await world.h.deliver(delivery, { body: delivery.body.replace('"environment":"production"', '"environment":"staging"') })).status,
    ).toBe(401);
    expect(await world.h.pumpReviews()).toBe(0);
    expect(rule).toMatchObject({ state: "pending", reviews: [] });
  });

  it("reviews a redelivered event once", async () => {
    const { delivery, rule } = requestDeploymentProtection(world.sb.ctx, "production", "main");
    expect((await world.h.deliver(delivery)).status).toBe(202);
    expect((await world.h.deliver(delivery)).status).toBe(200);
    expect(await world.h.pumpReviews()).toBe(1);
    // GitHub's "Redeliver" after the review: same delivery id, answered, not reviewed again.
    expect((await world.h.deliver(delivery)).status).toBe(200);
    expect(await world.h.pumpReviews()).toBe(0);
    expect(rule.reviews).toHaveLength(1);
  });

  it("rejects with 'could not verify' when Azure cannot be read (fail-closed)", async () => {
    const fault = world.sb.faults.add({ service: "arm", path: "federatedIdentityCredentials", status: 403 });
    try {
      const rule = await deploy("production", "main");
      const review = onlyReview(rule);
      expect(rule.state).toBe("rejected");
      expect(review.comment).toContain("could not verify");
      saveReview("rejected-unverified", review.comment);
    } finally {
      world.sb.faults.clear(fault);
    }
  });

  it("rejects with 'could not verify' during an ARM outage (every call 503)", async () => {
    const fault = world.sb.faults.add({ service: "arm", status: 503 });
    try {
      const rule = await deploy("production", "main");
      const review = onlyReview(rule);
      expect(rule.state).toBe("rejected");
      expect(review.comment).toMatch(/rejected the deployment to production — could not verify \d+ facts?/);
      expect(review.comment).toContain("could not verify&#58; HTTP 503");
    } finally {
      world.sb.faults.clear(fault);
    }
  });

  it("rejects an environment the default branch's config does not list", async () => {
    const rule = await deploy("staging", "main");
    expect(rule.state).toBe("rejected");
    expect(onlyReview(rule).comment).toMatch(/could not verify the deployment to staging[\s\S]*environment 'staging' is not listed/);
  });

  it("approves the next deployment once the federated credential is fixed as the comment says", async () => {
    const rejected = (world.sb.state.github!.protectionRules ?? []).find((r) => r.reviews[0]?.comment.includes("AG204"))!.reviews[0]!
      .comment;
    const command = /az identity federated-credential create[^\n]*/.exec(rejected)![0];
    const arg = (name: string) =>
      new RegExp(`--${name} (?:'([^']*)'|(\\S+))`)
        .exec(command)!
        .slice(1)
        .find((x) => x !== undefined)!;
    const msi = new ManagedServiceIdentityClient(world.sb.credentials.app("operator"), world.sb.state.subscriptions[0]!.subscriptionId, {
      endpoint: world.sb.urls.arm,
      credentialScopes: ["https://management.azure.com/.default"],
    });
    await msi.federatedIdentityCredentials.createOrUpdate(arg("resource-group"), arg("identity-name"), arg("name"), {
      issuer: arg("issuer"),
      subject: arg("subject"),
      audiences: [arg("audiences")],
    });

    const rule = await deploy("production", "main");
    const review = onlyReview(rule);
    expect(rule.state).toBe("approved");
    expect(review.comment).toContain("✅ Azure Auth Gate approved the deployment to production");
    expect(review.comment).not.toContain("AG204");
    noSecretsIn(review.comment + world.h.logs.join("\n"));
    saveReview("approved", review.comment);
  });
});
