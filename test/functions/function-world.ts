/**
 * Shared pieces of the Function tests: the sandbox scenario (two clusters, several identities and app
 * registrations, the Function's own app identity, its state storage account and Key Vault, a GitHub
 * repository), a sweep config written next to it, the runtime + handlers built exactly as index.ts
 * builds them (with the sandbox's cloud profile, the Function identity's credential and the sandbox
 * clock), a queue pump that plays the Functions host, and the secret-leak scanner.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvocationContext } from "@azure/functions";
import { ClientSecretCredential } from "@azure/identity";
import { QueueServiceClient } from "@azure/storage-queue";
import type { SweepConfigInput } from "../../shared/sweep/sweep-config.js";
import { POISON_SUFFIX, QUEUES } from "../../shared/sweep/queue-messages.js";
import { makeHandlers, type Handlers } from "../../functions/sweep-handlers.js";
import { createRuntime, type FunctionRuntime, type RuntimeOptions } from "../../functions/sweep-runtime.js";
import type { Sandbox, ScenarioInput } from "../sandbox/index.js";
import { githubTokens } from "../sandbox/services/github.js";

export const REPOSITORY = "contoso/platform";
export const GITHUB_TOKEN = githubTokens({ repository: REPOSITORY }).write;
export const STATE_ACCOUNT = "aagfuncstate";
export const VAULT = "aag-rotation-kv";

const secret = (displayName: string, value: string, created: string, expires: string) => ({ displayName, value, created, expires });

/** Apps the Function rotates (it owns them) and apps it only scans. Secret values are the leak-scan needles. */
export const APP_SECRETS = {
  "payments-api": "payments-original-secret-value-0001",
  "billing-api": "billing-expired-secret-value-00002",
  "ledger-api": "ledger-ancient-secret-value-000003",
} as const;

export function scenario(extraApps: string[] = []): ScenarioInput {
  const owned = (name: string, value: string) => ({
    name,
    owners: ["app:aag-function"],
    secrets: [secret("hand-made", value, "-60d", "+20d")],
  });
  return {
    description:
      "Function sweep: two clusters, identities bound to them, app registrations with client secrets, the Function's own identity and storage.",
    tenant: { name: "contoso" },
    subscriptions: [
      {
        name: "prod",
        resourceGroups: [
          {
            name: "platform-rg",
            clusters: [{ name: "aks-prod" }, { name: "aks-legacy", workloadIdentity: false }],
            identities: [
              {
                name: "backend-id",
                federatedCredentials: [{ name: "aks-backend", issuer: "cluster:aks-prod", subject: "system:serviceaccount:app:backend" }],
              },
              {
                name: "worker-id",
                federatedCredentials: [
                  { name: "legacy-worker", issuer: "cluster:aks-legacy", subject: "system:serviceaccount:jobs:worker" },
                ],
              },
              {
                name: "ops-id",
                federatedCredentials: [{ name: "aks-ops", issuer: "cluster:aks-prod", subject: "system:serviceaccount:ops:admin" }],
              },
              {
                name: "deploy-id",
                federatedCredentials: [{ name: "github-main", issuer: "github", subject: "repo:contoso/platform:ref:refs/heads/main" }],
              },
            ],
            storageAccounts: [{ name: STATE_ACCOUNT }],
            keyVaults: [{ name: VAULT, secrets: [{ name: "github-token", value: GITHUB_TOKEN }] }],
          },
        ],
      },
    ],
    roleAssignments: [
      { principal: "app:aag-function", role: "Reader", scope: "subscription:prod" },
      { principal: "app:aag-function", role: "Storage Blob Data Contributor", scope: `storage:${STATE_ACCOUNT}` },
      { principal: "app:aag-function", role: "Key Vault Secrets Officer", scope: `vault:${VAULT}` },
      { principal: "identity:ops-id", role: "Contributor", scope: "subscription:prod" },
    ],
    applications: [
      { name: "aag-function", graphPermissions: ["Application.ReadWrite.OwnedBy"] },
      owned("payments-api", APP_SECRETS["payments-api"]),
      { name: "billing-api", secrets: [secret("prod", APP_SECRETS["billing-api"], "-200d", "-2d")] },
      { name: "ledger-api", secrets: [secret("prod", APP_SECRETS["ledger-api"], "-400d", "+300d")] },
      { name: "clean-api" },
      ...extraApps.map((name) => owned(name, `${name}-original-secret-value-0001`)),
    ],
    github: { repository: REPOSITORY },
  };
}

export interface Harness {
  rt: FunctionRuntime;
  handlers: Handlers;
  logs: string[];
  context(functionName: string, dequeueCount?: number): InvocationContext;
}

export function writeConfig(sb: Sandbox, config: Omit<SweepConfigInput, "cloud" | "tenantId">): string {
  const dir = mkdtempSync(path.join(tmpdir(), "aag-function-config-"));
  const file = path.join(dir, "sweep.json");
  writeFileSync(file, JSON.stringify({ cloud: sb.profileFile, tenantId: sb.state.tenantId, ...config }, null, 2));
  return file;
}

export function harness(
  sb: Sandbox,
  configFile: string,
  options: Omit<RuntimeOptions, "env" | "credential"> = {},
  env: Record<string, string> = {},
): Harness {
  const logs: string[] = [];
  const rt = createRuntime({
    env: { AAG_SWEEP_CONFIG: configFile, AAG_STORAGE_ACCOUNT: STATE_ACCOUNT, ...env },
    credential: sb.credentials.app("aag-function"),
    now: () => new Date(sb.clock.now()),
    sleep: () => new Promise((r) => setTimeout(r, 5)),
    retry: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
    pollIntervalMs: 20,
    ...options,
  });
  const handlers = makeHandlers(() => rt);
  const context = (functionName: string, dequeueCount?: number) =>
    new InvocationContext({
      functionName,
      invocationId: `${functionName}-${logs.length}`,
      logHandler: (level, ...args) =>
        logs.push(
          `${level}: ${args.map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.message}\n${a.stack ?? ""}` : JSON.stringify(a))).join(" ")}`,
        ),
      ...(dequeueCount !== undefined ? { triggerMetadata: { dequeueCount } } : {}),
    });
  return { rt, handlers, logs, context };
}

/** What the Functions host does with the storage queues: deliver each message to its function, delete it on success. */
export async function pumpQueues(sb: Sandbox, h: Harness, seen: string[] = []): Promise<string[]> {
  const service = new QueueServiceClient(`${sb.urls.queue}/${STATE_ACCOUNT}`, sb.credentials.app("aag-function"), {
    audience: "https://storage.azure.com/.default",
  });
  const routes: [string, (m: unknown, c: InvocationContext) => Promise<void>][] = [
    [QUEUES.bindings, h.handlers.checkBindings],
    [QUEUES.secrets, h.handlers.rotateSecrets],
    [QUEUES.report, h.handlers.auditReport],
  ];
  for (let round = 0; round < 20; round++) {
    let delivered = 0;
    for (const [queue, handler] of routes) {
      const client = service.getQueueClient(queue);
      await client.createIfNotExists();
      const { receivedMessageItems } = await client.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 });
      for (const item of receivedMessageItems) {
        delivered++;
        const text = Buffer.from(item.messageText, "base64").toString("utf8");
        seen.push(text);
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // The host hands over non-JSON messages as strings.
        }
        await handler(body, h.context(queue, item.dequeueCount));
        await client.deleteMessage(item.messageId, item.popReceipt);
      }
    }
    if (delivered === 0) return seen;
  }
  throw new Error("the queues did not drain");
}

export async function poisonMessages(sb: Sandbox, queue: string): Promise<{ reason: string; message: unknown }[]> {
  const service = new QueueServiceClient(`${sb.urls.queue}/${STATE_ACCOUNT}`, sb.credentials.app("aag-function"), {
    audience: "https://storage.azure.com/.default",
  });
  const client = service.getQueueClient(`${queue}${POISON_SUFFIX}`);
  if (!(await client.exists())) return [];
  const { peekedMessageItems } = await client.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.map(
    (m) => JSON.parse(Buffer.from(m.messageText, "base64").toString("utf8")) as { reason: string; message: unknown },
  );
}

/** Every Blob the Function wrote, as text. */
export async function blobTexts(h: Harness): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await h.rt.store.list("")) {
    const got = await h.rt.store.getText(name);
    out.set(name, got?.text ?? "");
  }
  return out;
}

/** Whether Entra ID (the sandbox token endpoint) accepts this client secret for the app right now. */
export async function secretWorks(sb: Sandbox, appId: string, value: string): Promise<boolean> {
  const credential = new ClientSecretCredential(sb.state.tenantId, appId, value, {
    authorityHost: sb.urls.authorityHost,
    disableInstanceDiscovery: true,
    retryOptions: { maxRetries: 0 },
  });
  try {
    return Boolean(await credential.getToken("https://management.azure.com/.default"));
  } catch {
    return false;
  }
}
