/**
 * The protection rule's other ways to a verdict, on the sandbox: everything that stops the gate from
 * reaching one is a rejection that says "could not verify" and why — a config pointing the Function at
 * another cloud, a probe the Function has no cluster for, a manifest path that matches nothing, no
 * config on the default branch, GitHub failing until the last queue delivery. A static-only
 * environment is approved on its manifests alone. The comment stays under GitHub's limit however
 * many findings there are.
 */
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { REVIEW_COMMENT_LIMIT, rejectedBody } from "../../../functions/deployment-protection/review-body.js";
import type { Finding, Report } from "../../../shared/findings/model.js";
import { pushCommit, requestDeploymentProtection } from "../../sandbox/deployments.js";
import type { ProtectionRuleState } from "../../sandbox/state.js";
import { CONFIG_PATH, gateConfig, PRODUCTION, useProtectionSandbox } from "./protection-world.js";

const world = useProtectionSandbox();

async function deploy(environment: string, branch = "main"): Promise<ProtectionRuleState> {
  const { delivery, rule } = requestDeploymentProtection(world.sb.ctx, environment, branch);
  expect((await world.h.deliver(delivery)).status).toBe(202);
  expect(await world.h.pumpReviews()).toBe(1);
  expect(rule.reviews).toHaveLength(1);
  return rule;
}

/** Sets the default branch's config for one test, then puts the usual one back. */
async function withDefaultConfig(text: string | null, run: () => Promise<void>): Promise<void> {
  pushCommit(world.sb.ctx, "main", { [CONFIG_PATH]: text });
  try {
    await run();
  } finally {
    pushCommit(world.sb.ctx, "main", { [CONFIG_PATH]: gateConfig(world.sb, PRODUCTION) });
  }
}

const unverified = (rule: ProtectionRuleState) => {
  expect(rule.state).toBe("rejected");
  const comment = rule.reviews[0]!.comment;
  expect(comment).toContain("could not verify the deployment");
  return comment;
};

describe("fail-closed reviews", () => {
  it("refuses a default-branch config that points the Function at another cloud", async () => {
    // A profile file, another built-in cloud, and the Function's own custom cloud by name (it would be read as a path).
    for (const cloud of ["./attacker-cloud.json", "AzureUSGovernment", "AzureAuthGateSandbox"]) {
      const config = { ...(parseYaml(gateConfig(world.sb, PRODUCTION)) as Record<string, unknown>), cloud };
      await withDefaultConfig(toYaml(config), async () => {
        expect(unverified(await deploy("production"))).toMatch(
          /azure-auth-gate\.yml@main: cloud: the protection rule checks in the Function's cloud \(AzureAuthGateSandbox\); the repository's config cannot choose another — remove `cloud`\n/,
        );
      });
    }
  });

  it("rejects an environment that asks for the probe when the Function has no cluster for it", async () => {
    await withDefaultConfig(gateConfig(world.sb, { production: { manifests: ["deploy/production"], probe: true } }), async () => {
      expect(unverified(await deploy("production"))).toContain(
        "environments.production.probe: environment 'production' asks for the live probe, and this Function has no cluster to run it in",
      );
    });
  });

  it("rejects a manifests path that matches nothing at the deployment's commit", async () => {
    await withDefaultConfig(gateConfig(world.sb, { production: { manifests: ["deploy/prod"] } }), async () => {
      expect(unverified(await deploy("production"))).toMatch(
        /environments\.production\.manifests\[0\]: 'deploy\/prod' is not a file or a directory with manifests/,
      );
    });
  });

  it("rejects when the default branch has no config", async () => {
    await withDefaultConfig(null, async () => {
      expect(unverified(await deploy("production"))).toContain("no azure-auth-gate.yml on the default branch (main)");
    });
  });

  it("approves a static-only environment on its manifests (Azure is not consulted)", async () => {
    await withDefaultConfig(gateConfig(world.sb, { preview: { manifests: ["deploy/production"], layers: ["static"] } }), async () => {
      const rule = await deploy("preview");
      expect(rule.state).toBe("approved");
      expect(rule.reviews[0]!.comment).toContain("layers&#58; static ·");
    });
  });

  it("retries a GitHub failure, and rejects on the last delivery instead of leaving the job waiting", async () => {
    const { delivery, rule } = requestDeploymentProtection(world.sb.ctx, "production", "main");
    expect((await world.h.deliver(delivery)).status).toBe(202);
    const { receivedMessageItems } = await world.h.queue.receiveMessages({ numberOfMessages: 1 });
    const message = JSON.parse(Buffer.from(receivedMessageItems[0]!.messageText, "base64").toString("utf8")) as unknown;
    await world.h.queue.deleteMessage(receivedMessageItems[0]!.messageId, receivedMessageItems[0]!.popReceipt);
    const fault = world.sb.faults.add({ service: "github", path: "/contents/", status: 502 });
    try {
      await expect(world.h.handlers.reviewDeployment(message, world.h.context("reviewDeployment", 1))).rejects.toThrow(/502/);
      expect(rule).toMatchObject({ state: "pending", reviews: [] });
      await world.h.handlers.reviewDeployment(message, world.h.context("reviewDeployment", 5));
    } finally {
      world.sb.faults.clear(fault);
    }
    expect(rule.state).toBe("rejected");
    expect(rule.reviews[0]!.comment).toMatch(/could not verify the deployment to production[\s\S]*502/);
  });
});

describe("review comment size", () => {
  it("stays within GitHub's limit with thousands of findings, saying how many are not shown", () => {
    const finding = (i: number): Finding => ({
      id: "AG204",
      severity: "error",
      title: "Federated credential subject names another ServiceAccount",
      target: { kind: "azure", name: `/subscriptions/x/identity-${i}` },
      evidence: "e".repeat(300),
      fix: "f".repeat(300),
    });
    const findings = Array.from({ length: 3000 }, (_, i) => finding(i));
    const report: Report = {
      verdict: "fail",
      summary: { errors: 3000, warnings: 0, infos: 0, waived: 0 },
      findings,
      metadata: { tool: { name: "azure-auth-gate", version: "0" }, generatedAt: new Date(0).toISOString(), layers: ["control-plane"] },
    };
    const body = rejectedBody(report, { environment: "production", sha: "a".repeat(40), ref: "main", configFile: "azure-auth-gate.yml" });
    expect(body.length).toBeLessThanOrEqual(REVIEW_COMMENT_LIMIT);
    expect(body).toMatch(/… \d+ more findings/);
    expect(body).toContain("Fix the findings above");
  });
});
