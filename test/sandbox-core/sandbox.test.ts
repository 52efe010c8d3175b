/**
 * startSandbox() wired end to end with the correct Workload Identity scenario: env, cloud profile
 * (valid for the product's schema), kubeconfig (REAL @kubernetes/client-node), Key Vault, Blob through
 * the RBAC proxy in front of real Azurite, Azurite's queue behind its front (one clock), Graph — and a Job whose labelled pod runs
 * the Node probe app with the webhook's injection, through its cluster's egress proxy.
 */
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import { ClientAssertionCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudProfileSchema } from "../../shared/cloud/profile.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { runDeploymentAsJob } from "./jobs.js";

let sb: Sandbox;
// Start-up time is the benchmark's business (npm run bench), not an assertion: a loaded machine made it flaky.
beforeAll(async () => {
  sb = await startSandbox("workload-identity");
});
afterAll(async () => sb?.stop());

const backendCredential = () =>
  new ClientAssertionCredential(
    sb.state.tenantId,
    sb.identity("backend-id").clientId,
    async () => sb.mintServiceAccountToken("aks-prod", "app", "backend"),
    { authorityHost: sb.urls.authorityHost, disableInstanceDiscovery: true },
  );

describe("what a client gets", () => {
  it("env points every SDK at loopback and carries the CA", () => {
    expect(sb.env).toMatchObject({
      AZURE_AUTHORITY_HOST: sb.urls.authorityHost,
      AZURE_POD_IDENTITY_AUTHORITY_HOST: sb.urls.imds,
      IMDS_ENDPOINT: sb.urls.imds,
      AZURE_TENANT_ID: sb.state.tenantId,
      NODE_EXTRA_CA_CERTS: sb.tls.certFile,
      REQUESTS_CA_BUNDLE: sb.tls.certFile,
      SSL_CERT_FILE: sb.tls.certFile,
      HTTPS_PROXY: sb.urls.proxy,
      GITHUB_API_URL: sb.urls.github,
      KUBECONFIG: sb.kubeconfigFile,
    });
    expect(sb.env.NO_PROXY).toContain("127.0.0.1");
    for (const [k, v] of Object.entries(sb.env)) if (/^https?:\/\//.test(v)) expect(new URL(v).hostname, k).toBe("127.0.0.1");
  });

  it("writes a cloud profile the product's schema accepts", () => {
    const profile = cloudProfileSchema.parse(JSON.parse(readFileSync(sb.profileFile, "utf8")));
    expect(profile).toMatchObject({
      authorityHost: sb.urls.authorityHost,
      disableInstanceDiscovery: true,
      resourceManagerEndpoint: sb.urls.arm,
      keyVaultUrlTemplate: `${sb.urls.keyVault}/{name}`,
      blobUrlTemplate: `${sb.urls.blob}/{account}`,
      tokenExchangeAudience: "api://AzureADTokenExchange",
      caCertificateFile: sb.tls.certFile,
    });
  });

  it("kubeconfig works with the real client-node, and scenario placeholders were filled in", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(sb.kubeconfigFile);
    const sas = await kc.makeApiClient(CoreV1Api).listNamespacedServiceAccount({ namespace: "app" });
    const backend = sas.items.find((s) => s.metadata?.name === "backend");
    expect(backend?.metadata?.annotations?.["azure.workload.identity/client-id"]).toBe(sb.identity("backend-id").clientId);
    expect(Object.keys(sb.kubeconfigs)).toEqual(["aks-prod"]);
  });

  it("the federated identity reads the Key Vault secret and the seeded blob through the RBAC proxy", async () => {
    const credential = backendCredential();
    const secret = await new SecretClient(`${sb.urls.keyVault}/contoso-app-kv`, credential, {
      disableChallengeResourceVerification: true,
    }).getSecret("django-secret-key");
    expect(secret.value).toBe("sandbox-django-secret-key-value-0001");
    const container = new BlobServiceClient(`${sb.urls.blob}/contosomedia`, credential).getContainerClient("media");
    const names: string[] = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    expect(names).toEqual(["welcome.txt"]);
    expect((await container.getBlobClient("welcome.txt").downloadToBuffer()).toString()).toBe("hello from the sandbox");
  });

  it("Azurite's queue service answers sandbox tokens", async () => {
    const queues = new QueueServiceClient(`${sb.urls.queue}/contosomedia`, backendCredential());
    await queues.createQueue("jobs");
    const names: string[] = [];
    for await (const q of queues.listQueues()) names.push(q.name);
    expect(names).toContain("jobs");
  });

  it("one clock: after the sandbox clock moves past a rotation overlap (25 h), queue calls still work, and a token that expired on it is refused", async () => {
    const queues = new QueueServiceClient(`${sb.urls.queue}/contosomedia`, sb.credentials.app("azure-auth-gate"));
    const early = await sb.credentials.app("azure-auth-gate").getToken("https://storage.azure.com/.default");
    sb.clock.advance("25h");
    try {
      // Issued 25 h "in the future" for Azurite's real clock: the queue front verifies on the sandbox clock.
      const queue = queues.getQueueClient("rotation");
      await queue.create();
      await queue.sendMessage("rotate");
      expect((await queue.receiveMessages()).receivedMessageItems.map((m) => m.messageText)).toEqual(["rotate"]);
      const stale = new QueueServiceClient(
        `${sb.urls.queue}/contosomedia`,
        { getToken: async () => early },
        { retryOptions: { maxTries: 1 } },
      );
      await expect(stale.getQueueClient("rotation").peekMessages()).rejects.toMatchObject({
        statusCode: 401,
        code: "InvalidAuthenticationInfo",
      });
    } finally {
      sb.clock.advance(-25 * 3600_000);
    }
  });

  it("test credentials sign in as the gate's app (Graph app roles, ARM Reader)", async () => {
    const token = await sb.credentials.app("azure-auth-gate").getToken("https://graph.microsoft.com/.default");
    const res = await fetch(`${sb.urls.graph}/v1.0/applications`, { headers: { authorization: `Bearer ${token!.token}` } });
    expect(res.status).toBe(200);
    const arm = await sb.credentials.app("azure-auth-gate").getToken("https://management.azure.com/.default");
    const subs = await fetch(`${sb.urls.arm}/subscriptions?api-version=2022-12-01`, { headers: { authorization: `Bearer ${arm!.token}` } });
    expect(((await subs.json()) as { value: unknown[] }).value).toHaveLength(1);
  });
});

describe("a pod in the cluster", () => {
  it("a labelled Job pod gets the webhook's injection and its real DefaultAzureCredential reads the secret and the blobs", async () => {
    const run = await runDeploymentAsJob(sb, {
      cluster: "aks-prod",
      namespace: "app",
      deployment: "backend",
      job: "probe",
      image: "sandbox/node-probe:1",
    });
    expect(run.out).toMatchObject({
      token: { ok: true },
      secrets: { "django-secret-key": { ok: true, length: 36 } },
      blob: { ok: true, count: 1 },
    });
    expect(run.log).not.toContain("sandbox-django-secret-key-value-0001");
    expect(sb.log.refusedEgress).toEqual([]);
  });
});

describe("stop", () => {
  it("closes every port and removes the work directory", async () => {
    const other = await startSandbox({
      subscriptions: [{ name: "s", resourceGroups: [{ name: "g", storageAccounts: [{ name: "acct1" }] }] }],
    });
    const ports = [other.urls.arm, other.urls.blob, other.urls.queue, other.urls.proxy].map((u) => Number(new URL(u).port));
    await other.stop(); // a hang fails on the test timeout
    expect(existsSync(other.workDir)).toBe(false);
    for (const port of ports) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: "127.0.0.1", port }, () => {
          s.destroy();
          resolve(false);
        });
        s.on("error", () => resolve(true));
      });
      expect(refused, `port ${port}`).toBe(true);
    }
  });
});
