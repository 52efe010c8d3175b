/**
 * The control-plane facts the rules read: plain data, already fetched. Collectors (facts/*.ts) turn
 * SDK answers into these; rules (rules/*.ts) never do I/O. A fact that could not be read is kept as
 * a `FetchFailure` so the rules can fail closed instead of guessing.
 */
import type { V1Affinity, V1Toleration } from "@kubernetes/client-node";
import type { SourceLocation } from "../../findings/model.js";
import type { BlobNeed, KeyVaultNeed } from "../../config/schema.js";

/** Why a fact could not be read (after retries): HTTP status and Azure error code when known. */
export interface FetchFailure {
  status?: number;
  code?: string;
  message: string;
}

export type Fetched<T> = { ok: true; value: T } | { ok: false; error: FetchFailure };

export interface ClusterFact {
  /** "arm": read from the managed cluster; "config": only the issuer URL from the config. */
  source: "arm" | "config";
  id?: string;
  name?: string;
  resourceGroup?: string;
  subscriptionId?: string;
  /** Exactly as AKS serves it (trailing `/`), or undefined when the OIDC issuer is off. */
  issuerUrl?: string;
  oidcIssuerEnabled?: boolean;
  workloadIdentityEnabled?: boolean;
  /** Node pool subnets (vnetSubnetID). */
  subnetIds: string[];
}

export interface IdentityFact {
  kind: "managedIdentity" | "application";
  clientId: string;
  /** Object id of the service principal: what role assignments and access policies name. */
  principalId: string;
  tenantId?: string;
  /** UAMI name, or the app registration's display name. */
  name: string;
  /** ARM id (UAMI) or Graph object id (application). */
  id: string;
  subscriptionId?: string;
  resourceGroup?: string;
}

export interface Unreadable {
  /** What could not be read, e.g. "user-assigned identities in subscription 1111…". */
  what: string;
  error: FetchFailure;
}

export interface IdentityLookup {
  clientId: string | undefined;
  identity?: IdentityFact;
  /** An identity whose principalId (object id) equals the configured client id: the usual paste mistake. */
  principalIdMatch?: IdentityFact;
  searchedSubscriptions: string[];
  /** Places that could not be searched; with no identity found, the result is "could not verify". */
  unreadable: Unreadable[];
}

export interface FederatedCredentialFact {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface PermissionBlock {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleAssignmentFact {
  id: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  condition?: string;
  /** ISO timestamp. */
  createdOn?: string;
  /** Lower-cased subscription id whose listing returned it (management-group assignments apply there). */
  listedIn: string;
}

export interface RoleDefinitionFact {
  id: string;
  /** GUID. */
  name: string;
  roleName: string;
  permissions: PermissionBlock[];
}

export interface DenyAssignmentFact {
  id: string;
  name: string;
  scope: string;
  /** Object ids; the all-zero GUID means everyone. */
  principals: string[];
  excludePrincipals: string[];
  permissions: PermissionBlock[];
  doNotApplyToChildScopes: boolean;
  listedIn: string;
}

export interface PrincipalRbacFacts {
  principalId: string;
  /** Per lower-cased subscription id: one `assignedTo()` listing each. */
  assignments: Map<string, Fetched<RoleAssignmentFact[]>>;
  /** Per lower-cased role definition GUID. */
  definitions: Map<string, Fetched<RoleDefinitionFact>>;
  denies: Map<string, Fetched<DenyAssignmentFact[]>>;
}

export interface NetworkAclFact {
  /** "Enabled", "Disabled", "SecuredByPerimeter", or undefined (= Enabled). */
  publicNetworkAccess?: string;
  defaultAction: "Allow" | "Deny";
  /** "AzureServices", "None", … */
  bypass?: string;
  virtualNetworkRules: string[];
  ipRules: string[];
  /** Approved private endpoint connections. */
  privateEndpoints: string[];
}

export interface StorageAccountFact {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  network: NetworkAclFact;
}

export interface AccessPolicyFact {
  tenantId: string;
  objectId: string;
  /** Compound identity: the policy applies only to this app acting for the object. */
  applicationId?: string;
  /** Lower-cased secret permissions (get, list, all, …). */
  secrets: string[];
}

export interface VaultFact {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  vaultUri?: string;
  enableRbacAuthorization: boolean;
  accessPolicies: AccessPolicyFact[];
  network: NetworkAclFact;
}

export interface SecretFact {
  name: string;
  enabled: boolean;
  /** ISO timestamps. */
  expiresOn?: string;
  notBefore?: string;
}

export interface ResourceLookup<T> {
  /** The name or id from the config. */
  wanted: string;
  resource?: T;
  searchedSubscriptions: string[];
  unreadable: Unreadable[];
}

export interface BlobNeedFacts {
  need: BlobNeed;
  account: ResourceLookup<StorageAccountFact>;
  /** Whether the container exists; undefined when the account was not found. */
  container?: Fetched<boolean>;
}

export interface KeyVaultNeedFacts {
  need: KeyVaultNeed;
  vault: ResourceLookup<VaultFact>;
  /** Current-version properties of the vault's secrets (never values); undefined when the vault was not found. */
  secrets?: Fetched<SecretFact[]>;
}

/**
 * Where the workload's pods may be scheduled, as its pod spec says. The probe Job copies it so it runs
 * on the app's node pool (same subnet, same firewall path to Storage / Key Vault) and tolerates the same
 * taints. `priorityClassName` is deliberately not here: a short probe must not preempt anything.
 */
export interface WorkloadScheduling {
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  affinity?: V1Affinity;
}

/** A config target resolved against the manifests: who the pod runs as and what it needs. */
export interface ResolvedTarget {
  namespace: string;
  kind: string;
  name: string;
  serviceAccount: string;
  clientId?: string;
  blob: BlobNeed[];
  keyVault: KeyVaultNeed[];
  /** Where the ServiceAccount's client id is declared (manifest), when known. */
  location?: SourceLocation;
  /** The workload's main container image (the code that will run `migrate`): the live probe's default image. */
  image?: string;
  /** The pod template's own labels: the probe pod carries them so network policies treat it like the app. */
  podLabels?: Record<string, string>;
  /** The pod template's imagePullSecrets, so the probe can pull the same private image. */
  imagePullSecrets?: string[];
  /** The pod spec's nodeSelector / tolerations / affinity, when it sets any. */
  scheduling?: WorkloadScheduling;
}

/** Everything the AG2xx rules need about one target. */
export interface TargetFacts {
  target: ResolvedTarget;
  now: Date;
  /** Audience the projected token carries (api://AzureADTokenExchange in public Azure). */
  expectedAudience: string;
  tenantId?: string;
  /** Undefined when the config names no cluster. */
  cluster?: Fetched<ClusterFact>;
  /** The cluster's ARM id from the config (the finding target even when the cluster could not be read). */
  clusterId?: string;
  identity: IdentityLookup;
  /** Undefined when no identity was found. */
  federatedCredentials?: Fetched<FederatedCredentialFact[]>;
  rbac?: PrincipalRbacFacts;
  blob: BlobNeedFacts[];
  keyVault: KeyVaultNeedFacts[];
  /** Where the pods egress from: cluster subnets + config. */
  network: { subnetIds: string[]; egressIps: string[] };
}
