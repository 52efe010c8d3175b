/**
 * The sandbox scenarios the gate tests run on, as ScenarioInput objects: `correctScenario()` is a Django-on-AKS tenant
 * where every layer passes; each rule's scenario is that one with exactly one thing broken (see
 * test/azure/rules.sandbox.test.ts). Images: `APP_IMAGE` stands for the app's Python image (it ships python3 and the
 * Azure SDK; the probe's command runs as is), `NODE_APP_IMAGE` for a Node image (node alone on its PATH).
 */
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ScenarioInput } from "../sandbox/index.js";
import type { ImageSpec } from "../sandbox/pods.js";
import { strippedPath } from "../sandbox/pods.js";
import { workloadIdentity, workloadRoles, workloadServiceAccount } from "../sandbox/scenario/workloads.js";

export const APP_IMAGE = "ghcr.io/contoso/django-app:1.4";
export const NODE_APP_IMAGE = "ghcr.io/contoso/node-app:2.0";
export const SECRET_VALUE = "sandbox-django-secret-key-value-0001";
export const NAMESPACE = "production";

/**
 * PATH inside an exec image's pod: the pinned Node first, then Debian's python3 (/usr/bin), then the
 * host PATH minus every directory holding az/azd/PowerShell (DefaultAzureCredential must not reach them).
 */
export function podImagePath(): string {
  return [path.dirname(process.execPath), "/usr/bin", strippedPath()].join(path.delimiter);
}

let nodeOnly: string | undefined;

/**
 * The Node image's filesystem: a PATH holding `node` and nothing else, as in a node:24 image. Without
 * python3 on it, a probe that picked the wrong program for the image cannot pass there.
 */
function nodeOnlyBin(): string {
  if (!nodeOnly) {
    const dir = mkdtempSync(path.join(tmpdir(), "aag-node-image-"));
    symlinkSync(process.execPath, path.join(dir, "node"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    nodeOnly = dir;
  }
  return nodeOnly;
}

/**
 * Images whose "contents" are this machine's interpreters: the app's Python image (Debian's python3 with the
 * Azure SDK, and Node), the Node image (Node 24 only).
 */
export function execImages(): Record<string, ImageSpec> {
  return { [APP_IMAGE]: { env: { PATH: podImagePath() } }, [NODE_APP_IMAGE]: { env: { PATH: nodeOnlyBin() } } };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type Scenario = Mutable<ScenarioInput>;

/** Apps (each its own ServiceAccount and identity) in the correct scenario; the first is `backend`. */
export function correctScenario(apps: string[] = ["backend"]): Scenario {
  const objects: Record<string, unknown>[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }];
  for (const app of apps) {
    objects.push(workloadServiceAccount(app, NAMESPACE), {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: app, namespace: NAMESPACE },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels: { app, "azure.workload.identity/use": "true" } },
          spec: { serviceAccountName: app, containers: [{ name: "django", image: APP_IMAGE }] },
        },
      },
    });
  }
  return {
    description: "Django on AKS, correctly wired: every layer passes.",
    tenant: { name: "contoso" },
    subscriptions: [
      {
        name: "prod",
        resourceGroups: [
          {
            name: "app-rg",
            clusters: [{ name: "aks-prod", subnet: "aks-nodes", objects }],
            identities: apps.map((app) => workloadIdentity(app, NAMESPACE, "aks-prod")),
            storageAccounts: [{ name: "contosomedia", containers: ["media"], blobs: { "media/welcome.txt": "hello" } }],
            keyVaults: [{ name: "contoso-app-kv", secrets: [{ name: "django-secret-key", value: SECRET_VALUE }] }],
          },
        ],
      },
    ],
    roleAssignments: [
      ...apps.flatMap((app) => workloadRoles(app, { account: "contosomedia", container: "media", vault: "contoso-app-kv" })),
      // Reader alone: secret properties (AG213) come from ARM's secrets listing, not the vault's data plane.
      { principal: "app:azure-auth-gate", role: "Reader", scope: "subscription:prod" },
    ],
    applications: [{ name: "azure-auth-gate", graphPermissions: ["Application.Read.All"] }],
  };
}

/** The resource group of the correct scenario (mutate it to break one thing). */
export function rg(s: Scenario) {
  return s.subscriptions![0]!.resourceGroups![0]!;
}

export function clusterObjects(s: Scenario): Record<string, unknown>[] {
  return rg(s).clusters![0]!.objects!;
}
