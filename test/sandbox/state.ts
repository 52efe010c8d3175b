/**
 * The sandbox tenant's live state: what Entra ID, ARM, Graph, Key Vault, Blob and the Kubernetes API
 * serve, and what their handlers mutate (Graph addPassword, Key Vault setSecret, K8s Job creation…).
 * Built from a Scenario by `resolveScenario` (scenario/resolve.ts). Every service reads and writes
 * this one object, so a change made through one API is seen by the others, as in Azure.
 *
 * This file and everything under test/sandbox/ is the sandbox's own code: it never imports from
 * shared/ (the product), so a bug in the gate cannot agree with itself.
 */
import type { KeyObject } from "node:crypto";
import type { FaultSpec } from "./scenario/schema.js";

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface SubscriptionState {
  subscriptionId: string;
  name: string;
}

export interface ResourceGroupState {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
}

export interface FederatedCredentialState {
  /** ARM id (UAMI) or Graph id (app). */
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    resourceVersion?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface ClusterState {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** Trailing slash included, as AKS serves it; undefined when the OIDC issuer is disabled. */
  issuerUrl: string | undefined;
  oidcIssuerEnabled: boolean;
  workloadIdentityEnabled: boolean;
  /** Service-account token signing key (what the cluster's issuer JWKS publishes). */
  signingKey: SigningKey;
  subnetId: string | undefined;
  egressIp: string;
  /** The cluster's Kubernetes objects (namespaced store). Mutated by the Kubernetes API emulator. */
  objects: K8sObject[];
}

export interface IdentityState {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  clientId: string;
  /** Object id of the identity's service principal (what role assignments name). */
  principalId: string;
  tenantId: string;
  federatedCredentials: FederatedCredentialState[];
  assignedToNodes: boolean;
}

export interface NetworkState {
  publicNetworkAccess: "Enabled" | "Disabled";
  defaultAction: "Allow" | "Deny";
  /** Subnet resource ids. */
  virtualNetworkRules: string[];
  ipRules: string[];
  bypassAzureServices: boolean;
  privateEndpoint: boolean;
}

export interface StorageAccountState {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  containers: string[];
  network: NetworkState;
  /** Blobs created in Azurite at start: `container/path` → text content (scenario `blobs`). Optional: added by the DATA helper. */
  blobs?: Record<string, string>;
}

export interface SecretVersionState {
  version: string;
  value: string;
  enabled: boolean;
  /** Epoch seconds. */
  expires?: number;
  notBefore?: number;
  created: number;
  updated: number;
  contentType?: string;
  tags: Record<string, string>;
}

export interface VaultSecretState {
  name: string;
  /** Oldest first; the last one is the current version. */
  versions: SecretVersionState[];
  /** Set when soft-deleted (epoch seconds). */
  deletedOn?: number;
}

export interface AccessPolicyState {
  objectId: string;
  tenantId: string;
  permissions: { secrets: string[]; keys: string[]; certificates: string[] };
}

export interface KeyVaultState {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  enableRbacAuthorization: boolean;
  softDelete: boolean;
  accessPolicies: AccessPolicyState[];
  secrets: VaultSecretState[];
  network: NetworkState;
}

export interface RoleDefinitionState {
  id: string; // /providers/Microsoft.Authorization/roleDefinitions/{guid}
  name: string; // guid
  roleName: string;
  description: string;
  type: "BuiltInRole" | "CustomRole";
  permissions: { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }[];
  assignableScopes: string[];
}

export interface RoleAssignmentState {
  id: string; // {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}
  name: string; // guid
  scope: string;
  roleDefinitionId: string; // /subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}
  principalId: string;
  principalType: "ServicePrincipal" | "User" | "Group";
  condition?: string;
  conditionVersion?: string;
  createdOn: string; // ISO
}

export interface DenyAssignmentState {
  id: string;
  name: string;
  denyAssignmentName: string;
  scope: string;
  principals: string[]; // object ids ("00000000-0000-0000-0000-000000000000" = everyone)
  excludePrincipals: string[];
  permissions: { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }[];
}

export interface PasswordCredentialState {
  keyId: string;
  displayName: string;
  hint: string;
  startDateTime: string;
  endDateTime: string;
  /** Never returned by Graph after addPassword; used by the token endpoint to check client secrets. */
  secretText: string;
}

export interface ApplicationState {
  /** Graph object id of the application. */
  id: string;
  appId: string;
  displayName: string;
  passwordCredentials: PasswordCredentialState[];
  federatedIdentityCredentials: FederatedCredentialState[];
  /** Object ids of owners. */
  owners: string[];
  /** Object id of the service principal. */
  servicePrincipalId: string;
  graphPermissions: string[];
  tags: string[];
}

export interface GitHubState {
  repository: string;
  ownerId: number;
  repoId: number;
  ref: string;
  environment?: string;
  pullRequest?: number;
  fork: boolean;
  immutableSubject: boolean;
  workflow: string;
  signingKey: SigningKey;
  /** Issue/PR comments and issues, as the GitHub REST API stores them. */
  comments: { id: number; issueNumber: number; body: string; user: GitHubAuthor; created_at: string; updated_at: string }[];
  issues: { number: number; title: string; body: string; state: "open" | "closed"; labels: string[] }[];
  reviews: {
    id: number;
    pullNumber: number;
    body: string;
    comments: { path: string; line: number; body: string }[];
    commitId?: string;
    state?: ReviewStateName;
    submittedAt?: string;
    user?: GitHubAuthor;
  }[];
  /** The pull request's head commit (`head.sha`); default derived from the repository and PR number. */
  headSha?: string;
  /** The pull request's changed files as `GET /pulls/{n}/files` lists them; none when unset. */
  pullFiles?: PullFileState[];
  /** Review comments (threads) on the pull request: created with a review, edited or deleted one by one. */
  reviewComments?: ReviewCommentState[];
  /** The repository's commits and branches, as the contents and git trees APIs serve them (github-app.ts). */
  git?: GitRepoState;
  /** A GitHub App installed on the repository (deployment protection rules). */
  app?: GitHubAppState;
  /** Custom deployment protection rules GitHub asked the App to review, one per workflow run and environment. */
  protectionRules?: ProtectionRuleState[];
}

export interface GitRepoState {
  defaultBranch: string;
  /** Branch name → commit sha. */
  branches: Record<string, string>;
  /** Commit sha → the commit's files (path → text). */
  commits: Record<string, Record<string, string>>;
}

export interface GitHubAppState {
  appId: number;
  clientId: string;
  slug: string;
  /** What the App registration publishes; GitHub keeps only the public half of the App's key. */
  publicKey: KeyObject;
  webhookSecret: string;
  installationId: number;
  /** What the installation granted (repository permissions). */
  permissions: Record<string, "read" | "write">;
  events: string[];
  /** Installation access tokens issued so far. */
  tokens: { token: string; expiresAt: number; repositories: string[]; permissions: Record<string, "read" | "write"> }[];
}

export interface ProtectionRuleState {
  runId: number;
  environment: string;
  appId: number;
  sha: string;
  ref: string;
  state: "pending" | "approved" | "rejected";
  /** Every review GitHub accepted (one at most: a reviewed rule is no longer pending). */
  reviews: { state: "approved" | "rejected"; comment: string; at: string }[];
}

export type ReviewStateName = "PENDING" | "COMMENTED" | "APPROVED" | "CHANGES_REQUESTED";

export interface PullFileState {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  /** The unified-diff hunks GitHub shows (no ---/+++ headers); absent for binary or very large files. */
  patch?: string;
  previousFilename?: string;
}

/** Who wrote a comment or review: absent `type` (and absent author) means the workflow's own `github-actions[bot]`. */
export interface GitHubAuthor {
  login: string;
  type?: "User" | "Bot";
}

export interface ReviewCommentState {
  /** Absent: written by the workflow's token (`github-actions[bot]`). */
  user?: GitHubAuthor;
  id: number;
  reviewId: number;
  pullNumber: number;
  path: string;
  /** Last line of the commented range, on `side`, at `commitId`. */
  line: number;
  startLine?: number;
  side: "LEFT" | "RIGHT";
  startSide?: "LEFT" | "RIGHT";
  body: string;
  /** Head commit the comment was made on. */
  commitId: string;
  created_at: string;
  updated_at: string;
}

export interface TenantState {
  tenantId: string;
  tenantName: string;
  /** Sandbox clock origin (relative dates in the scenario are computed from it). */
  startedAt: Date;
  subscriptions: SubscriptionState[];
  resourceGroups: ResourceGroupState[];
  clusters: ClusterState[];
  identities: IdentityState[];
  storageAccounts: StorageAccountState[];
  keyVaults: KeyVaultState[];
  roleDefinitions: RoleDefinitionState[];
  roleAssignments: RoleAssignmentState[];
  denyAssignments: DenyAssignmentState[];
  applications: ApplicationState[];
  github: GitHubState | undefined;
  /** Key that signs the sandbox Entra ID's access tokens. */
  entraSigningKey: SigningKey;
  latencyMs: number;
  faults: FaultSpec[];
}
