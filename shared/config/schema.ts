/**
 * The gate's configuration file, `azure-auth-gate.yml` (also loaded by the Action and the Function).
 * Every object is strict: an unknown key is an error naming its path, so a typo never silently turns
 * a check off. Anything the gate can discover (ServiceAccount, client id, identity resource id,
 * resource groups of accounts and vaults) is discovered, not asked for; the keys below that mirror
 * discoverable facts are optional overrides. docs/config.md documents the same keys for users.
 *
 * ```yaml
 * cloud: AzureCloud                    # or AzureChinaCloud, AzureUSGovernment, or ./my-cloud.json
 * tenantId: 00000000-0000-0000-0000-000000000000
 * subscriptions: [11111111-1111-1111-1111-111111111111]
 * cluster: { subscription: 1111…, resourceGroup: rg-aks, name: aks-prod }   # or { issuerUrl: https://… }
 * targets:
 *   - workload: production/Deployment/backend
 *     blob: [{ account: stmedia, container: media, access: write }]
 *     keyVault: [{ vault: kv-app, secrets: [django-secret-key], access: get }]
 * network: { subnetId: /subscriptions/…/subnets/aks-nodes, egressIps: [20.50.60.70] }
 * failOpen: false
 * concurrency: 8
 * severity: { AG211: error }
 * waivers: [{ id: AG209, target: { kind: azure }, reason: "platform team owns this identity" }]
 * ```
 */
import { z } from "zod";
import { isRuleId } from "../findings/catalogue.js";
import { invalidName } from "../k8s-names.js";

/** Tenant, subscription, client and app ids (any case). The sweep and rotation configs use the same. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const guid = (what: string) => z.string().regex(GUID, `${what} must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
const nonEmpty = z.string().trim().min(1, "must not be empty");
const findingId = z.string().refine((id: string): boolean => isRuleId(id), { message: "unknown finding id (see `azure-auth-gate rules`)" });
/**
 * Findings the config (the repository's own file) may not waive or re-rate: they record that the gate
 * refused something the repository is not trusted to decide.
 */
export const NOT_WAIVABLE: ReadonlySet<string> = new Set(["AG503"]);
const policyFindingId = findingId.refine((id) => !NOT_WAIVABLE.has(id), {
  message: "this finding records a refusal the workflow decides (input probe-on-pull-request): the config cannot waive or re-rate it",
});

/** The AKS cluster by its ARM coordinates: the gate reads its OIDC issuer, Workload Identity flag and node subnet. */
export const clusterByNameSchema = z
  .object({
    /** Subscription id of the cluster. */
    subscription: guid("cluster.subscription"),
    /** Resource group of the cluster (not the MC_ node resource group). */
    resourceGroup: nonEmpty,
    /** Cluster name. */
    name: nonEmpty,
  })
  .strict();

/** A cluster known only by its OIDC issuer URL (no ARM read access to the cluster): AG202 is then not checked. */
export const clusterByIssuerSchema = z
  .object({
    /** The issuer exactly as `az aks show --query oidcIssuerProfile.issuerUrl -o tsv` prints it (AKS: trailing `/`). */
    issuerUrl: z
      .string()
      .url()
      .refine((u) => u.startsWith("https://"), "must be an https:// URL"),
  })
  .strict();

/** A Blob container the workload needs. */
export const blobNeedSchema = z
  .object({
    /** Storage account name (e.g. `stmedia`) or its full ARM resource id. */
    account: nonEmpty,
    /** Container name. */
    container: nonEmpty,
    /** `read` needs …/blobs/read; `write` needs …/blobs/read and …/blobs/write. */
    access: z.enum(["read", "write"]).default("read"),
  })
  .strict();

/** Key Vault secrets the workload needs. */
export const keyVaultNeedSchema = z
  .object({
    /** Vault name (e.g. `kv-app`) or its full ARM resource id. */
    vault: nonEmpty,
    /** Secret names the app reads; each must exist, be enabled and unexpired (AG213). */
    secrets: z.array(nonEmpty).default([]),
    /** `get` reads the named secrets; `list` also enumerates the vault's secrets. */
    access: z.enum(["get", "list"]).default("get"),
  })
  .strict();

const WORKLOAD = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[A-Za-z]+\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

/** One workload whose Azure access the gate proves. */
export const targetSchema = z
  .object({
    /** `namespace/kind/name`, e.g. `production/Deployment/backend`. Defaults to the manifests' only app workload. */
    workload: z.string().regex(WORKLOAD, "must be namespace/kind/name, e.g. production/Deployment/backend").optional(),
    /** Override the ServiceAccount the pod runs as (default: from the manifests). */
    serviceAccount: nonEmpty
      .refine(
        (v) => invalidName(v, "subdomain") === undefined,
        "must be a Kubernetes ServiceAccount name (RFC 1123 subdomain: lowercase letters, digits, '-' and '.')",
      )
      .optional(),
    /** Override the identity's client id (default: the ServiceAccount's `azure.workload.identity/client-id`). */
    clientId: guid("clientId").optional(),
    /** Blob containers the workload reads or writes. */
    blob: z.array(blobNeedSchema).default([]),
    /** Key Vault secrets the workload reads. */
    keyVault: z.array(keyVaultNeedSchema).default([]),
  })
  .strict();

/**
 * The live probe (AG3xx, opt-in): a short-lived Job that runs as the pod. It runs only when the person
 * running the gate asks for it (the CLI's `--probe`, the Action's `mode: probe`), never because a file in
 * the repository says so, and it always runs the gate's own probe program: the repository may choose the
 * interpreter (runtime, image) but never the command, nor the kubeconfig (see REMOVED_KEYS in load.ts).
 */
export const probeSchema = z
  .object({
    /** Image of the probe Job; default: the image of the workload being deployed. */
    image: nonEmpty.optional(),
    /** How long to wait for the Job before reporting AG304. */
    timeoutSeconds: z.number().int().positive().max(3600).default(120),
    /** Which built-in probe program to run (default: guessed from the image name; Python otherwise). */
    runtime: z.enum(["python", "node"]).optional(),
    /** kubeconfig context to use (default: the current context of KUBECONFIG / ~/.kube/config / --kubeconfig). */
    context: nonEmpty.optional(),
  })
  .strict();

/**
 * One GitHub environment guarded by the deployment protection rule (docs/protection-rule.md): which
 * manifests of the deployed commit to read, which targets to prove, which layers to run, and whether
 * the live probe may run. Only the copy of this section on the repository's default branch counts.
 */
export const environmentSchema = z
  .object({
    /** Files or directories of the repository (at the deployment's commit) holding the manifests deployed to this environment. */
    manifests: z.array(z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$)).+$/, "must be a path inside the repository")).default([]),
    /** Which `targets` (by `workload`, namespace/kind/name) to prove; default: all of them. */
    targets: z.array(z.string().regex(WORKLOAD, "must be namespace/kind/name, e.g. production/Deployment/backend")).default([]),
    /** Layers to run: `static` (needs `manifests`) and `control-plane`. */
    layers: z
      .array(z.enum(["static", "control-plane"]))
      .min(1)
      .default(["static", "control-plane"]),
    /** Run the live probe too (only where the Function's operator gave it a cluster to run it in). */
    probe: z.boolean().default(false),
  })
  .strict()
  .refine((e) => !e.layers.includes("static") || e.manifests.length > 0, {
    message: "the static layer needs `manifests` (or leave `static` out of `layers`)",
    path: ["manifests"],
  });
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `helm template` settings for charts found in the manifest directories (the CLI's --helm-* flags win). */
export const helmSchema = z
  .object({
    /** Release name (default: `release-name`, as helm itself). */
    releaseName: z.string().max(53).regex(DNS_LABEL, "must be a lowercase DNS label of at most 53 characters").optional(),
    /** Namespace the chart is rendered for (`--namespace`). */
    namespace: z.string().max(63).regex(DNS_LABEL, "must be a Kubernetes namespace name").optional(),
    /** Values files, relative to this file and inside its directory (never a URL: helm would fetch it). */
    values: z
      .array(
        nonEmpty
          .refine((v) => !/^[a-z][a-z0-9+.-]*:/i.test(v), "must be a local file, not a URL")
          .refine((v) => !v.startsWith("/") && !v.split(/[\\/]/).includes(".."), "must be a relative path inside the config's directory"),
      )
      .default([]),
  })
  .strict();

/** Where the cluster's pods egress from, for the firewall check (AG211). */
export const networkSchema = z
  .object({
    /** Subnet resource id of the node pool (default: read from the cluster). */
    subnetId: z
      .string()
      .regex(
        /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i,
        "must be a subnet resource id",
      )
      .optional(),
    /** Public egress IPs of the cluster (IPv4 addresses or CIDR ranges). */
    egressIps: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/, "must be an IPv4 address or CIDR range")).default([]),
  })
  .strict();

/** A waiver: one finding id, optionally for one target only, always with a reason (shown in the report). */
export const waiverSchema = z
  .object({
    id: policyFindingId,
    target: z.object({ kind: nonEmpty.optional(), namespace: nonEmpty.optional(), name: nonEmpty.optional() }).strict().optional(),
    reason: nonEmpty,
  })
  .strict();

/** Severity overrides per finding id. */
export const severityOverridesSchema = z.record(policyFindingId, z.enum(["error", "warning", "info"]));

/** How a run treats unreadable facts, its call budget and its findings: shared by the gate's and the sweep's configs. */
export const runPolicyFields = {
  /** false (default): a fact the gate could not read is an error finding. true: it is a warning. Never a silent pass. */
  failOpen: z.boolean().default(false),
  /** Maximum concurrent Azure calls. */
  concurrency: z.number().int().min(1).max(64).default(8),
  /** Total seconds the gate may spend waiting on retries (honouring Retry-After) before a fact counts as unreadable. */
  retryBudgetSeconds: z.number().positive().max(600).default(60),
  /** Severity overrides per finding id, e.g. `{ AG211: error }`. */
  severity: severityOverridesSchema.default({}),
  /** Waived findings (kept in the report with their reason, never counted). */
  waivers: z.array(waiverSchema).default([]),
};

export const gateConfigSchema = z
  .object({
    /** Built-in cloud name (AzureCloud, AzureChinaCloud, AzureUSGovernment) or a cloud profile JSON file, relative to this file. */
    cloud: nonEmpty.default("AzureCloud"),
    /** Entra tenant id of the identities (used in fixes and to pick the authority for the gate's own login). */
    tenantId: guid("tenantId").optional(),
    /** Subscriptions searched for identities, storage accounts and vaults (default: the cluster's subscription). */
    subscriptions: z.array(guid("subscription id")).default([]),
    /** The AKS cluster: ARM coordinates, or only its OIDC issuer URL. */
    cluster: z.union([clusterByNameSchema, clusterByIssuerSchema]).optional(),
    /** Workloads to prove; empty = every app workload in the manifests that uses Workload Identity. */
    targets: z.array(targetSchema).default([]),
    /** Live probe settings (used by `--probe`). */
    probe: probeSchema.default({ timeoutSeconds: 120 }),
    /** The cluster's egress, for AG211. */
    network: networkSchema.default({ egressIps: [] }),
    /** GitHub environments the deployment protection rule guards, by environment name. */
    environments: z.record(z.string().min(1).max(255), environmentSchema).default({}),
    /** How charts in the manifest directories are rendered. */
    helm: helmSchema.optional(),
    ...runPolicyFields,
  })
  .strict();

export type GateConfigInput = z.input<typeof gateConfigSchema>;
export type GateConfig = z.output<typeof gateConfigSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type BlobNeed = z.output<typeof blobNeedSchema>;
export type KeyVaultNeed = z.output<typeof keyVaultNeedSchema>;
export type ClusterConfig = z.output<typeof clusterByNameSchema> | z.output<typeof clusterByIssuerSchema>;
export type NetworkConfig = z.output<typeof networkSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
