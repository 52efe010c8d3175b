/**
 * Running the Action in-process the way a runner would: a workspace with manifests and a config, the
 * event payload, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, INPUT_* variables and the sandbox's Actions
 * ID-token endpoint. Captures stdout (where @actions/core writes workflow commands) per run.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import { vi } from "vitest";
import { run, type RunResult } from "../../action/run-action.js";
import type { Sandbox, ScenarioInput } from "../sandbox/index.js";

/** The gate's app registration (federated with GitHub) plus a correct Workload Identity setup; `kvRole: false` drops the Key Vault role. */
export function scenario(
  opts: { kvRole?: boolean; subject?: string; fork?: boolean; clusterObjects?: Record<string, unknown>[] } = {},
): ScenarioInput {
  const kvRole = opts.kvRole ?? true;
  return {
    description: "The Action's deploy job against a Django app on AKS",
    tenant: { name: "contoso" },
    subscriptions: [
      {
        name: "prod",
        resourceGroups: [
          {
            name: "app-rg",
            clusters: [{ name: "aks-prod", subnet: "aks-nodes", objects: opts.clusterObjects ?? [] }],
            identities: [
              {
                name: "backend-id",
                federatedCredentials: [{ name: "aks-backend", issuer: "cluster:aks-prod", subject: "system:serviceaccount:app:backend" }],
              },
            ],
            storageAccounts: [{ name: "contosomedia", containers: ["media"] }],
            keyVaults: [{ name: "contoso-app-kv", secrets: [{ name: "django-secret-key", value: SECRET_VALUE }] }],
          },
        ],
      },
    ],
    roleAssignments: [
      { principal: "identity:backend-id", role: "Storage Blob Data Contributor", scope: "storage:contosomedia/containers/media" },
      ...(kvRole ? [{ principal: "identity:backend-id", role: "Key Vault Secrets User", scope: "vault:contoso-app-kv" }] : []),
      { principal: "app:azure-auth-gate", role: "Reader", scope: "subscription:prod" },
      // The gate reads secret properties (exists, enabled, expiry), never values.
      { principal: "app:azure-auth-gate", role: "Key Vault Reader", scope: "vault:contoso-app-kv" },
    ],
    applications: [
      {
        name: "azure-auth-gate",
        graphPermissions: ["Application.Read.All"],
        federatedCredentials: [
          { name: "github-production", issuer: "github", subject: opts.subject ?? "repo:contoso/django-app:environment:production" },
        ],
      },
    ],
    github: { repository: "contoso/django-app", environment: "production", pullRequest: 12, fork: opts.fork ?? false },
  };
}

/** A Key Vault secret value that must never appear in any output. */
export const SECRET_VALUE = "sandbox-django-secret-key-value-0001";

export interface Workspace {
  dir: string;
  eventFile: string;
  summaryFile: string;
  outputFile: string;
  tempDir: string;
}

/** A checked-out repository: the app's manifests and azure-auth-gate.yml pointing at the sandbox cloud. */
export function workspace(sb: Sandbox, opts: { fork?: boolean; image?: string } = {}): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), "aag-action-ws-"));
  const clientId = sb.identity("backend-id").clientId;
  mkdirSync(path.join(dir, "k8s"));
  writeFileSync(
    path.join(dir, "k8s", "backend.yaml"),
    [
      "apiVersion: v1",
      "kind: ServiceAccount",
      "metadata:",
      "  name: backend",
      "  namespace: app",
      "  annotations:",
      `    azure.workload.identity/client-id: "${clientId}"`,
      "---",
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: backend",
      "  namespace: app",
      "spec:",
      "  selector: { matchLabels: { app: backend } }",
      "  template:",
      "    metadata:",
      '      labels: { app: backend, azure.workload.identity/use: "true" }',
      "    spec:",
      "      serviceAccountName: backend",
      "      containers:",
      "        - name: django",
      `          image: ${opts.image ?? "sandbox/django-app:1"}`,
      "",
    ].join("\n"),
  );
  const sub = sb.state.subscriptions[0]!.subscriptionId;
  writeFileSync(
    path.join(dir, "azure-auth-gate.yml"),
    [
      `tenantId: ${sb.state.tenantId}`,
      `subscriptions: [${sub}]`,
      `cluster: { subscription: ${sub}, resourceGroup: app-rg, name: aks-prod }`,
      "targets:",
      "  - workload: app/Deployment/backend",
      "    blob: [{ account: contosomedia, container: media, access: write }]",
      "    keyVault: [{ vault: contoso-app-kv, secrets: [django-secret-key] }]",
      "",
    ].join("\n"),
  );
  const repo = { full_name: "contoso/django-app", fork: false };
  const head = opts.fork ? { full_name: "contributor/django-app", fork: true } : repo;
  const eventFile = path.join(dir, "..", `${path.basename(dir)}-event.json`);
  writeFileSync(
    eventFile,
    JSON.stringify({ action: "synchronize", number: 12, pull_request: { number: 12, head: { repo: head }, base: { repo } } }),
  );
  const tempDir = mkdtempSync(path.join(tmpdir(), "aag-action-tmp-"));
  const summaryFile = path.join(tempDir, "summary.md");
  const outputFile = path.join(tempDir, "output.txt");
  writeFileSync(summaryFile, "");
  writeFileSync(outputFile, "");
  return { dir, eventFile, summaryFile, outputFile, tempDir };
}

/** The runner's environment for one step of this workspace (ID-token variables only when `idToken`). */
export function runnerEnv(
  sb: Sandbox,
  ws: Workspace,
  opts: { idToken?: boolean; token?: string; inputs?: Record<string, string> } = {},
): Record<string, string> {
  const env: Record<string, string> = {
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: "contoso/django-app",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: ws.eventFile,
    GITHUB_WORKFLOW: "deploy",
    GITHUB_JOB: "deploy",
    GITHUB_RUN_ID: "1000000001",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_API_URL: sb.urls.github,
    GITHUB_WORKSPACE: ws.dir,
    GITHUB_OUTPUT: ws.outputFile,
    GITHUB_STEP_SUMMARY: ws.summaryFile,
    RUNNER_TEMP: ws.tempDir,
  };
  if (opts.idToken ?? true) {
    env.ACTIONS_ID_TOKEN_REQUEST_URL = sb.env.ACTIONS_ID_TOKEN_REQUEST_URL ?? "";
    env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = sb.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? "";
  }
  const inputs: Record<string, string> = {
    "client-id": sb.app("azure-auth-gate").appId,
    manifests: "k8s/*.yaml",
    cloud: sb.profileFile,
    // The sandbox is a custom cloud profile: the workflow has to allow it, as a user's would.
    "allow-custom-cloud": "true",
    "github-token": opts.token ?? sb.githubTokens!.write,
    sarif: "gate.sarif",
    ...opts.inputs,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}

/** `name<<delimiter\nvalue\ndelimiter` blocks of a GITHUB_OUTPUT file. */
export function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

/** Values the runner was asked to mask (`::add-mask::VALUE`). */
export function maskedValues(stdout: string): string[] {
  return [...stdout.matchAll(/^::add-mask::(.+)$/gm)].map((m) => m[1]!);
}

export interface Step {
  result: RunResult | undefined;
  stdout: string;
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs the Action once with exactly `env` added to the process environment, capturing stdout. */
export async function step(ws: Workspace, env: Record<string, string>): Promise<Step> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env))
    if (k.startsWith("INPUT_") || k.startsWith("GITHUB_") || k.startsWith("ACTIONS_")) delete process.env[k];
  Object.assign(process.env, env);
  // @actions/core remembers the first summary file of the process; each workspace has its own.
  (core.summary as unknown as { _filePath?: string })._filePath = undefined;
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  const before = readFileSync(ws.outputFile, "utf8").length;
  const summaryBefore = readFileSync(ws.summaryFile, "utf8").length;
  process.exitCode = 0;
  try {
    const result = await run();
    const exitCode = Number(process.exitCode ?? 0);
    // Only this step's outputs, so a later step's values are not confused with an earlier one's.
    const outputs = readOutputs(readFileSync(ws.outputFile, "utf8").slice(before));
    return { result, stdout, exitCode, outputs, summary: readFileSync(ws.summaryFile, "utf8").slice(summaryBefore) };
  } finally {
    process.exitCode = 0;
    spy.mockRestore();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
