/**
 * The deployment protection rule on the sandbox: a tenant whose federated credential names namespace
 * `prod` while the app runs in `production` (AG204), the Function's own identity, storage and Key
 * Vault, a GitHub repository with the App installed, and the Function's protection runtime built as
 * functions/index.ts builds it (App Settings → sandbox cloud profile, Function identity credential).
 *
 * The App's webhook secret and private key reach Key Vault the way an operator puts them there (the
 * real SecretClient, as `az keyvault secret set`); the repository's files are commits on branches.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { HttpRequest, InvocationContext } from "@azure/functions";
import { SecretClient } from "@azure/keyvault-secrets";
import { QueueServiceClient } from "@azure/storage-queue";
import { afterAll, beforeAll } from "vitest";
import { stringify as toYaml } from "yaml";
import { makeProtectionHandlers, type ProtectionHandlers } from "../../../functions/deployment-protection/handlers.js";
import { REVIEW_QUEUE } from "../../../functions/deployment-protection/messages.js";
import { createProtectionRuntime, type ProtectionRuntime } from "../../../functions/deployment-protection/runtime.js";
import { installGitHubApp, pushCommit, type InstalledApp, type WebhookDelivery } from "../../sandbox/deployments.js";
import { startSandbox, type Sandbox, type ScenarioInput } from "../../sandbox/index.js";

export const REPOSITORY = "contoso/django-app";
export const STATE_ACCOUNT = "aagprotectstate";
export const VAULT = "aag-protect-kv";
export const CONFIG_PATH = "azure-auth-gate.yml";

/** What the cluster runs (for the live probe): the namespace and the app's annotated ServiceAccount. */
const CLUSTER_OBJECTS = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "production" } },
  {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: "backend",
      namespace: "production",
      annotations: { "azure.workload.identity/client-id": "{{identity:backend-id.clientId}}" },
    },
  },
];

export function scenario(): ScenarioInput {
  return {
    description:
      "Deployment protection rule: federated credential names namespace prod, the app runs in production (AG204); the Function's identity, storage and vault; the repository with the App installed.",
    tenant: { name: "contoso" },
    subscriptions: [
      {
        name: "prod",
        resourceGroups: [
          {
            name: "app-rg",
            clusters: [{ name: "aks-prod", subnet: "aks-nodes", objects: CLUSTER_OBJECTS }],
            identities: [
              {
                name: "backend-id",
                federatedCredentials: [{ name: "aks-backend", issuer: "cluster:aks-prod", subject: "system:serviceaccount:prod:backend" }],
              },
            ],
            storageAccounts: [{ name: "contosomedia", containers: ["media"] }, { name: STATE_ACCOUNT }],
            keyVaults: [
              { name: "contoso-app-kv", secrets: [{ name: "django-secret-key", value: "sandbox-django-secret-key-value-0001" }] },
              { name: VAULT },
            ],
          },
        ],
      },
    ],
    roleAssignments: [
      { principal: "identity:backend-id", role: "Storage Blob Data Contributor", scope: "storage:contosomedia/containers/media" },
      { principal: "identity:backend-id", role: "Key Vault Secrets User", scope: "vault:contoso-app-kv" },
      // What any gate identity needs (docs/config.md): Reader, and Key Vault Reader to see secret properties.
      { principal: "app:aag-function", role: "Reader", scope: "subscription:prod" },
      { principal: "app:aag-function", role: "Key Vault Reader", scope: "vault:contoso-app-kv" },
      { principal: "app:aag-function", role: "Storage Blob Data Contributor", scope: `storage:${STATE_ACCOUNT}` },
      { principal: "app:aag-function", role: "Storage Queue Data Contributor", scope: `storage:${STATE_ACCOUNT}` },
      { principal: "app:aag-function", role: "Key Vault Secrets User", scope: `vault:${VAULT}` },
      // The platform team: stores the App's secrets, fixes identities.
      { principal: "app:operator", role: "Key Vault Secrets Officer", scope: `vault:${VAULT}` },
      { principal: "app:operator", role: "Contributor", scope: "subscription:prod" },
    ],
    applications: [{ name: "aag-function", graphPermissions: ["Application.Read.All"] }, { name: "operator" }],
    github: { repository: REPOSITORY },
  };
}

/** The app's manifests as the repository holds them (namespace production, SA backend with the identity's client id). */
export function manifests(clientId: string): string {
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "backend", namespace: "production", annotations: { "azure.workload.identity/client-id": clientId } },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "backend", namespace: "production" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "backend" } },
        template: {
          metadata: { labels: { app: "backend", "azure.workload.identity/use": "true" } },
          spec: { serviceAccountName: "backend", containers: [{ name: "django", image: "sandbox/django-app:1" }] },
        },
      },
    },
  ]
    .map((d) => toYaml(d))
    .join("---\n");
}

/** The gate config the platform team keeps on the default branch. */
export function gateConfig(sb: Sandbox, environments: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const sub = sb.state.subscriptions[0]!.subscriptionId;
  return toYaml({
    tenantId: sb.state.tenantId,
    subscriptions: [sub],
    cluster: { subscription: sub, resourceGroup: "app-rg", name: "aks-prod" },
    targets: [
      {
        workload: "production/Deployment/backend",
        blob: [{ account: "contosomedia", container: "media", access: "write" }],
        keyVault: [{ vault: "contoso-app-kv", secrets: ["django-secret-key"] }],
      },
    ],
    environments,
    ...extra,
  });
}

export const PRODUCTION = { production: { manifests: ["deploy/production"], targets: ["production/Deployment/backend"] } };

export interface ProtectionHarness {
  app: InstalledApp;
  rt: ProtectionRuntime;
  handlers: ProtectionHandlers;
  logs: string[];
  context(functionName: string, dequeueCount?: number): InvocationContext;
  /** Hands a delivery to the HTTP function as the Functions host would. */
  deliver(
    delivery: WebhookDelivery,
    tamper?: { body?: string; headers?: Record<string, string | undefined> },
  ): Promise<{ status: number; body: unknown }>;
  /** Plays the Functions host for the review queue: each message to reviewDeployment, deleted on success. Returns how many were handled. */
  pumpReviews(): Promise<number>;
  queue: ReturnType<QueueServiceClient["getQueueClient"]>;
  /** The platform team's client of the Function's vault (stores and rotates the App's secrets). */
  operatorVault: SecretClient;
}

export async function protectionHarness(sb: Sandbox, env: Record<string, string> = {}): Promise<ProtectionHarness> {
  const app = installGitHubApp(sb.ctx);
  const operatorVault = new SecretClient(`${sb.urls.keyVault}/${VAULT}`, sb.credentials.app("operator"), {
    disableChallengeResourceVerification: true,
  });
  await operatorVault.setSecret("github-webhook-secret", app.webhookSecret);
  await operatorVault.setSecret("github-app-private-key", app.privateKeyPem);
  pushCommit(sb.ctx, "main", {
    [CONFIG_PATH]: gateConfig(sb, PRODUCTION),
    "deploy/production/backend.yaml": manifests(sb.identity("backend-id").clientId),
    "README.md": "# django-app\n",
  });

  const logs: string[] = [];
  const rt = createProtectionRuntime({
    env: {
      AAG_GITHUB_APP_ID: String(app.appId),
      AAG_GITHUB_KEY_VAULT: VAULT,
      AAG_GITHUB_API_URL: sb.urls.github,
      AAG_PROTECTION_CLOUD: sb.profileFile,
      AAG_PROTECTION_TENANT_ID: sb.state.tenantId,
      AAG_STORAGE_ACCOUNT: STATE_ACCOUNT,
      ...env,
    },
    credential: sb.credentials.app("aag-function"),
    now: () => new Date(sb.clock.now()),
    retry: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
  });
  const handlers = makeProtectionHandlers(() => rt);
  const context = (functionName: string, dequeueCount?: number) =>
    new InvocationContext({
      functionName,
      invocationId: `${functionName}-${logs.length}`,
      logHandler: (level, ...args) =>
        logs.push(
          `${level}: ${args.map((a) => (typeof a === "string" ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(" ")}`,
        ),
      ...(dequeueCount !== undefined ? { triggerMetadata: { dequeueCount } } : {}),
    });
  const queue = new QueueServiceClient(`${sb.urls.queue}/${STATE_ACCOUNT}`, sb.credentials.app("aag-function"), {
    audience: "https://storage.azure.com/.default",
  }).getQueueClient(REVIEW_QUEUE);
  await queue.createIfNotExists();

  const deliver: ProtectionHarness["deliver"] = async (delivery, tamper = {}) => {
    const headers: Record<string, string> = { ...delivery.headers };
    for (const [k, v] of Object.entries(tamper.headers ?? {})) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    const request = new HttpRequest({
      method: "POST",
      url: "https://aag-func.azurewebsites.net/api/github/deployment-protection",
      headers,
      body: { string: tamper.body ?? delivery.body },
    });
    const res = await handlers.deploymentProtection(request, context("deploymentProtection"));
    return { status: res.status ?? 200, body: res.jsonBody };
  };

  const pumpReviews: ProtectionHarness["pumpReviews"] = async () => {
    let handled = 0;
    for (;;) {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 8, visibilityTimeout: 60 });
      if (receivedMessageItems.length === 0) return handled;
      for (const item of receivedMessageItems) {
        const text = Buffer.from(item.messageText, "base64").toString("utf8");
        await handlers.reviewDeployment(JSON.parse(text) as unknown, context("reviewDeployment", item.dequeueCount));
        await queue.deleteMessage(item.messageId, item.popReceipt);
        handled++;
      }
    }
  };
  return { app, rt, handlers, logs, context, deliver, pumpReviews, queue, operatorVault };
}

/** Writes a review body next to the test run's output (the closing note quotes them). */
export function saveReview(name: string, body: string): void {
  const dir = process.env.AAG_REVIEW_OUT;
  if (dir) writeFileSync(path.join(dir, `${name}.md`), body);
}

/** One sandbox with the App installed for the whole test file (started in beforeAll, stopped in afterAll). */
export function useProtectionSandbox(env: (sb: Sandbox) => Record<string, string> = () => ({})): {
  readonly sb: Sandbox;
  readonly h: ProtectionHarness;
} {
  let sb: Sandbox | undefined;
  let h: ProtectionHarness | undefined;
  beforeAll(async () => {
    sb = await startSandbox(scenario());
    h = await protectionHarness(sb, env(sb));
  });
  afterAll(async () => {
    await sb?.stop();
  });
  return {
    get sb() {
      return sb!;
    },
    get h() {
      return h!;
    },
  };
}
