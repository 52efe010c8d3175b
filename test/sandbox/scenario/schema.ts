/**
 * The sandbox scenario file: a tenant described with human names. IDs and GUIDs are derived from the
 * names (deterministically), so scenarios stay readable and tests stay reproducible.
 *
 * Reference syntax used across the file ("refs"):
 *   principals: `identity:<name>` (user-assigned managed identity), `app:<name>` (app registration's service principal)
 *   scopes:     `subscription:<sub>`, `rg:<sub>/<rg>`, `storage:<account>`, `storage:<account>/containers/<c>`,
 *               `vault:<name>`, `vault:<name>/secrets/<secret>`, `cluster:<name>`, `identity:<name>`,
 *               or a literal ARM id starting with `/`
 *   issuers:    `cluster:<name>` (the cluster's issuer URL, with its trailing slash), `github`, or a literal URL
 *   roles:      a built-in role name (`Storage Blob Data Reader`) or a role definition GUID
 */
import { z } from "zod";

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only");

export const federatedCredentialSchema = z
  .object({
    name: name,
    issuer: z.string().min(1),
    subject: z.string().min(1),
    audiences: z.array(z.string()).default(["api://AzureADTokenExchange"]),
  })
  .strict();

export const clusterSchema = z
  .object({
    name,
    /** false → no oidcIssuerProfile (AG202). */
    oidcIssuer: z.boolean().default(true),
    workloadIdentity: z.boolean().default(true),
    /** Subnet resource name the node pool egresses from (for storage/vault virtual-network rules). */
    subnet: z.string().optional(),
    /** Egress IP of the cluster (for IP firewall rules). */
    egressIp: z.string().default("20.50.60.70"),
    /** Kubernetes objects served by this cluster's API (ServiceAccounts, Deployments, …), as plain objects. */
    objects: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .strict();

export const identitySchema = z
  .object({
    name,
    federatedCredentials: z.array(federatedCredentialSchema).default([]),
    /** Assigned to the cluster's nodes (IMDS on the node issues tokens for it). */
    assignedToNodes: z.boolean().default(false),
  })
  .strict();

const networkSchema = {
  publicNetworkAccess: z.enum(["Enabled", "Disabled"]).default("Enabled"),
  defaultAction: z.enum(["Allow", "Deny"]).default("Allow"),
  /** Subnet names allowed through the firewall. */
  virtualNetworkRules: z.array(z.string()).default([]),
  ipRules: z.array(z.string()).default([]),
  bypassAzureServices: z.boolean().default(true),
  privateEndpoint: z.boolean().default(false),
};

export const storageAccountSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]{3,24}$/, "storage account names are 3-24 lowercase letters and digits"),
    containers: z.array(z.string()).default([]),
    /** Blobs to create at start: `container/path` → text content. */
    blobs: z.record(z.string(), z.string()).default({}),
    ...networkSchema,
  })
  .strict();

export const vaultSecretSchema = z
  .object({
    name,
    value: z.string(),
    enabled: z.boolean().default(true),
    /** ISO date or relative like "-1d" / "+30d" from sandbox start. */
    expires: z.string().optional(),
    contentType: z.string().optional(),
    tags: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const accessPolicySchema = z
  .object({
    principal: z.string(),
    secrets: z.array(z.enum(["get", "list", "set", "delete", "backup", "restore", "recover", "purge", "all"])).default([]),
  })
  .strict();

export const keyVaultSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{2,23}$/, "vault names are 3-24 letters, digits and '-'"),
    rbac: z.boolean().default(true),
    accessPolicies: z.array(accessPolicySchema).default([]),
    secrets: z.array(vaultSecretSchema).default([]),
    softDelete: z.boolean().default(true),
    ...networkSchema,
  })
  .strict();

export const resourceGroupSchema = z
  .object({
    name,
    location: z.string().default("westeurope"),
    clusters: z.array(clusterSchema).default([]),
    identities: z.array(identitySchema).default([]),
    storageAccounts: z.array(storageAccountSchema).default([]),
    keyVaults: z.array(keyVaultSchema).default([]),
  })
  .strict();

export const subscriptionSchema = z.object({ name, resourceGroups: z.array(resourceGroupSchema).default([]) }).strict();

export const roleAssignmentSchema = z
  .object({
    principal: z.string(),
    role: z.string(),
    scope: z.string(),
    condition: z.string().optional(),
    /** ISO date or relative ("-5m"): for the "created in the last 10 minutes" rule. Default: a day before start. */
    createdOn: z.string().optional(),
  })
  .strict();

export const denyAssignmentSchema = z
  .object({
    name,
    scope: z.string(),
    principals: z.array(z.string()),
    excludePrincipals: z.array(z.string()).default([]),
    actions: z.array(z.string()).default([]),
    notActions: z.array(z.string()).default([]),
    dataActions: z.array(z.string()).default([]),
    notDataActions: z.array(z.string()).default([]),
  })
  .strict();

export const appSecretSchema = z
  .object({
    displayName: z.string().default("client secret"),
    /** The secret text (sandbox only: real Graph never returns it after creation). */
    value: z.string(),
    /** ISO date or relative ("+20d", "-1d"). Default: +365d. */
    expires: z.string().optional(),
    /** ISO date or relative. Default: -30d. */
    created: z.string().optional(),
  })
  .strict();

export const applicationSchema = z
  .object({
    name,
    secrets: z.array(appSecretSchema).default([]),
    federatedCredentials: z.array(federatedCredentialSchema).default([]),
    /** Principals (refs) that own the app (Application.ReadWrite.OwnedBy). */
    owners: z.array(z.string()).default([]),
    /** Graph application permissions granted to this app's service principal, e.g. Application.ReadWrite.OwnedBy. */
    graphPermissions: z.array(z.string()).default([]),
    tags: z.array(z.string()).default([]),
  })
  .strict();

/** One changed file of the pull request, as `GET /repos/{o}/{r}/pulls/{n}/files` lists it. */
export const pullRequestFileSchema = z
  .object({
    /** Repository-relative path at the head commit. */
    filename: z.string().min(1),
    status: z.enum(["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]).default("modified"),
    /** Unified-diff hunks (`@@ -a,b +c,d @@` and their lines, no ---/+++ headers); omit for a binary or too-large file. */
    patch: z.string().optional(),
    previousFilename: z.string().optional(),
  })
  .strict();

export const githubSchema = z
  .object({
    /** owner/repo */
    repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
    ref: z.string().default("refs/heads/main"),
    environment: z.string().optional(),
    /** When set, the run is a pull_request event for this number. */
    pullRequest: z.number().int().positive().optional(),
    /** Fork PRs get no id-token. */
    fork: z.boolean().default(false),
    /** Immutable subject form `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`. */
    immutableSubject: z.boolean().default(false),
    workflow: z.string().default("deploy.yml"),
    /** The pull request's head commit (40 hex digits); default derived from the repository and number. */
    headSha: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .optional(),
    /** The pull request's changed files with their patches (review comments must land on these diffs). */
    pullRequestFiles: z.array(pullRequestFileSchema).default([]),
  })
  .strict();

export const faultSchema = z
  .object({
    /** Which service: entra, arm, graph, keyvault, blob, queue, kubernetes, github, imds, actions. */
    service: z.string(),
    /** Optional regex on the request path. */
    path: z.string().optional(),
    method: z.string().optional(),
    latencyMs: z.number().int().nonnegative().optional(),
    status: z.number().int().optional(),
    retryAfterSeconds: z.number().int().optional(),
    drop: z.boolean().optional(),
    /** Apply only to the Nth matching call (1-based); with `times`, to calls N..N+times-1. */
    nth: z.number().int().positive().optional(),
    times: z.number().int().positive().optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    description: z.string().default(""),
    tenant: z
      .object({ name: name.default("contoso") })
      .strict()
      .default({ name: "contoso" }),
    subscriptions: z.array(subscriptionSchema).default([]),
    roleAssignments: z.array(roleAssignmentSchema).default([]),
    denyAssignments: z.array(denyAssignmentSchema).default([]),
    applications: z.array(applicationSchema).default([]),
    github: githubSchema.optional(),
    /** Default latency added to every ARM and Graph call (benchmarks). */
    latencyMs: z.number().int().nonnegative().default(0),
    faults: z.array(faultSchema).default([]),
  })
  .strict();

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type FaultSpec = z.output<typeof faultSchema>;
