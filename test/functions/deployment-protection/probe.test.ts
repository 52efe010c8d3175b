/**
 * The live probe under the protection rule, on the sandbox: it runs only for an environment whose
 * (default-branch) config says `probe: true`, in the cluster the Function's operator configured
 * (AAG_PROTECTION_KUBECONFIG) — a Job running as the app's ServiceAccount gets a real token from the
 * sandbox's Entra ID. While the federated credential says `prod` the probe confirms AG204 with AG301;
 * once fixed, the deployment is approved with the data-plane layer in the summary.
 */
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { describe, expect, it } from "vitest";
import { pushCommit, requestDeploymentProtection } from "../../sandbox/deployments.js";
import type { ProtectionRuleState } from "../../sandbox/state.js";
import { pythonSdkMissing } from "../../sandbox/python-sdk.js";
import { CONFIG_PATH, gateConfig, useProtectionSandbox } from "./protection-world.js";

const world = useProtectionSandbox((sb) => ({ AAG_PROTECTION_KUBECONFIG: sb.kubeconfigs["aks-prod"]! }));

const jobsInCluster = () => world.sb.state.clusters[0]!.objects.filter((o) => o.kind === "Job").length;

async function deploy(environment: string): Promise<ProtectionRuleState> {
  const { delivery, rule } = requestDeploymentProtection(world.sb.ctx, environment, "main");
  expect((await world.h.deliver(delivery)).status).toBe(202);
  expect(await world.h.pumpReviews()).toBe(1);
  expect(rule.reviews).toHaveLength(1);
  return rule;
}

// The app image is Python (Debian's python3 with the Azure SDK).
describe.skipIf(pythonSdkMissing() !== undefined)("the probe under the protection rule", () => {
  it("runs only where the environment allows it; confirms AG204 with AG301, then approves once the credential is fixed", async () => {
    pushCommit(world.sb.ctx, "main", {
      [CONFIG_PATH]: gateConfig(
        world.sb,
        { production: { manifests: ["deploy/production"], probe: true }, staging: { manifests: ["deploy/production"] } },
        { probe: { timeoutSeconds: 60 } },
      ),
    });
    const before = jobsInCluster();
    const staging = await deploy("staging");
    expect(staging.state).toBe("rejected");
    expect(staging.reviews[0]!.comment).not.toContain("AG301");
    // The probe Job is deleted after it ran; the sandbox's request log shows whether one was created.
    const jobCreations = () => world.sb.log.count({ service: "kubernetes", method: "POST", path: /\/jobs$/ });
    expect(jobCreations()).toBe(0);

    const rejected = await deploy("production");
    expect(rejected.state).toBe("rejected");
    expect(rejected.reviews[0]!.comment).toContain("AG204");
    expect(rejected.reviews[0]!.comment).toContain("AG301");
    expect(jobCreations()).toBe(1);

    const msi = new ManagedServiceIdentityClient(world.sb.credentials.app("operator"), world.sb.state.subscriptions[0]!.subscriptionId, {
      endpoint: world.sb.urls.arm,
      credentialScopes: ["https://management.azure.com/.default"],
    });
    const cluster = world.sb.state.clusters[0]!;
    await msi.federatedIdentityCredentials.createOrUpdate("app-rg", "backend-id", "production-backend", {
      issuer: cluster.issuerUrl!,
      subject: "system:serviceaccount:production:backend",
      audiences: ["api://AzureADTokenExchange"],
    });
    const approved = await deploy("production");
    expect(approved.state, approved.reviews[0]!.comment).toBe("approved");
    expect(approved.reviews[0]!.comment).toContain("data-plane");
    expect(jobCreations()).toBe(2);
    expect(jobsInCluster()).toBe(before);
  }, 120_000);
});
