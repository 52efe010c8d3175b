/**
 * Generated sandbox scenarios for the benchmarks: a Django-on-AKS tenant with N gate targets (each
 * its own ServiceAccount + user-assigned identity, Blob container and Key Vault secret), and an estate
 * of N identities for the sweep (3 role assignments and 1–2 federated credentials each, spread over
 * resource groups and clusters the way a platform team's subscription looks).
 *
 * The gate's own app (`azure-auth-gate`) and the sweep Function's app (`aag-sweep`) sign in with a
 * client secret (EnvironmentCredential in the child process) or, for the `az` peer, with a GitHub
 * Actions federated token — the two ways a pipeline logs in today.
 */
import type { ScenarioInput } from "../test/sandbox/index.js";
import { workloadIdentity, workloadRoles, workloadServiceAccount } from "../test/sandbox/scenario/workloads.js";

export const NAMESPACE = "production";
export const GATE_APP = "azure-auth-gate";
export const SWEEP_APP = "aag-sweep";
export const REPOSITORY = "contoso/platform";
/** Client secrets of the benchmark's own apps (sandbox only; never printed). */
export const GATE_APP_SECRET = "bench-gate-client-secret-value-0001";
export const SWEEP_APP_SECRET = "bench-sweep-client-secret-value-0002";
export const VAULT_SECRET = "bench-django-secret-key-value-00003";

export const STORAGE_ACCOUNT = "contosomedia";
export const CONTAINER = "media";
export const VAULT = "contoso-app-kv";
export const SECRET_NAME = "django-secret-key";

const GITHUB_SUBJECT = `repo:${REPOSITORY}:ref:refs/heads/main`;

function gateApps(): NonNullable<ScenarioInput["applications"]> {
  return [
    {
      name: GATE_APP,
      graphPermissions: ["Application.Read.All"],
      secrets: [{ displayName: "bench", value: GATE_APP_SECRET }],
      // The peer logs in the way a GitHub workflow does: az login --service-principal --federated-token.
      federatedCredentials: [{ name: "github-main", issuer: "github", subject: GITHUB_SUBJECT }],
    },
  ];
}

export function appName(i: number): string {
  return `app${String(i).padStart(3, "0")}`;
}

/** N workloads in one cluster, each with its own identity, all reading one container and one secret. */
export function gateScenario(targets: number, latencyMs: number): ScenarioInput {
  const apps = Array.from({ length: targets }, (_, i) => appName(i));
  const objects: Record<string, unknown>[] = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }];
  for (const app of apps) objects.push(workloadServiceAccount(app, NAMESPACE));
  return {
    description: `benchmark: ${targets} gate target(s)`,
    tenant: { name: "contoso" },
    latencyMs,
    subscriptions: [
      {
        name: "prod",
        resourceGroups: [
          {
            name: "app-rg",
            clusters: [{ name: "aks-prod", subnet: "aks-nodes", objects }],
            identities: apps.map((app) => workloadIdentity(app, NAMESPACE, "aks-prod")),
            storageAccounts: [{ name: STORAGE_ACCOUNT, containers: [CONTAINER] }],
            keyVaults: [{ name: VAULT, secrets: [{ name: SECRET_NAME, value: VAULT_SECRET }] }],
          },
        ],
      },
    ],
    roleAssignments: [
      ...apps.flatMap((app) => workloadRoles(app, { account: STORAGE_ACCOUNT, container: CONTAINER, vault: VAULT })),
      { principal: `app:${GATE_APP}`, role: "Reader", scope: "subscription:prod" },
      { principal: `app:${GATE_APP}`, role: "Key Vault Reader", scope: `vault:${VAULT}` },
    ],
    applications: gateApps(),
    github: { repository: REPOSITORY },
  };
}

/** The gate config (azure-auth-gate.yml) for the gate scenario's first `targets` workloads. */
export function gateConfig(opts: { profileFile: string; tenantId: string; subscriptionId: string; clientIds: readonly string[] }): string {
  const lines = [
    `cloud: ${opts.profileFile}`,
    `tenantId: ${opts.tenantId}`,
    `subscriptions: [${opts.subscriptionId}]`,
    `cluster: { subscription: ${opts.subscriptionId}, resourceGroup: app-rg, name: aks-prod }`,
    "targets:",
  ];
  opts.clientIds.forEach((clientId, i) => {
    const app = appName(i);
    lines.push(
      `  - workload: ${NAMESPACE}/ServiceAccount/${app}`,
      `    serviceAccount: ${app}`,
      `    clientId: ${clientId}`,
      `    blob: [{ account: ${STORAGE_ACCOUNT}, container: ${CONTAINER} }]`,
      `    keyVault: [{ vault: ${VAULT}, secrets: [${SECRET_NAME}] }]`,
    );
  });
  return `${lines.join("\n")}\n`;
}

/** Identities per resource group in the sweep estate (each group has its own storage account and vault). */
export const IDENTITIES_PER_GROUP = 100;
/** Clusters the estate's identities are bound to (round robin). */
export const SWEEP_CLUSTERS = 4;

/**
 * An estate of `identities` user-assigned identities: each has a federated credential for a
 * ServiceAccount on one of the clusters, every third a second one (a GitHub deployment subject), and
 * three role assignments (Blob container reader, vault secrets user, resource-group reader).
 */
export function sweepScenario(identities: number, latencyMs: number): ScenarioInput {
  const groups = Math.max(1, Math.ceil(identities / IDENTITIES_PER_GROUP));
  const resourceGroups: NonNullable<NonNullable<ScenarioInput["subscriptions"]>[number]["resourceGroups"]> = [];
  const roleAssignments: NonNullable<ScenarioInput["roleAssignments"]> = [];
  for (let g = 0; g < groups; g++) {
    const rg = `estate-rg-${String(g).padStart(3, "0")}`;
    const account = `estatesa${String(g).padStart(4, "0")}`;
    const vault = `estate-kv-${String(g).padStart(4, "0")}`;
    const members: { name: string; federatedCredentials: { name: string; issuer: string; subject: string }[] }[] = [];
    const first = g * IDENTITIES_PER_GROUP;
    for (let i = first; i < Math.min(identities, first + IDENTITIES_PER_GROUP); i++) {
      const name = `wl${String(i).padStart(5, "0")}-id`;
      const cluster = `aks-${i % SWEEP_CLUSTERS}`;
      const fics = [{ name: `aks-wl${i}`, issuer: `cluster:${cluster}`, subject: `system:serviceaccount:ns-${g}:wl${i}` }];
      if (i % 3 === 0) fics.push({ name: `github-wl${i}`, issuer: "github", subject: `repo:${REPOSITORY}:environment:wl${i}` });
      members.push({ name, federatedCredentials: fics });
      roleAssignments.push(
        { principal: `identity:${name}`, role: "Storage Blob Data Reader", scope: `storage:${account}/containers/data` },
        { principal: `identity:${name}`, role: "Key Vault Secrets User", scope: `vault:${vault}` },
        { principal: `identity:${name}`, role: "Reader", scope: `rg:prod/${rg}` },
      );
    }
    resourceGroups.push({
      name: rg,
      ...(g === 0 ? { clusters: Array.from({ length: SWEEP_CLUSTERS }, (_, c) => ({ name: `aks-${c}` })) } : {}),
      identities: members,
      storageAccounts: [{ name: account, containers: ["data"] }],
      keyVaults: [{ name: vault }],
    });
  }
  roleAssignments.push({ principal: `app:${SWEEP_APP}`, role: "Reader", scope: "subscription:prod" });
  return {
    description: `benchmark: sweep over ${identities} identities`,
    tenant: { name: "contoso" },
    latencyMs,
    subscriptions: [{ name: "prod", resourceGroups }],
    roleAssignments,
    applications: [
      { name: SWEEP_APP, graphPermissions: ["Application.Read.All"], secrets: [{ displayName: "bench", value: SWEEP_APP_SECRET }] },
    ],
    github: { repository: REPOSITORY },
  };
}
