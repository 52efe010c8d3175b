/**
 * Real Azure SDK clients built from a CloudProfile and a TokenCredential, for one run. Every client
 * talks to the profile's endpoints with the profile's token audiences (never a hard-coded public
 * host), shares the run's call-counting / retry-budget policy, and is created once per subscription
 * (or vault / account).
 */
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { StorageManagementClient } from "@azure/arm-storage";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy, PipelineRetryOptions } from "@azure/core-rest-pipeline";
import { scopeFor, type CloudProfile } from "../cloud/profile.js";
import { profileClientOptions } from "../cloud/tls.js";
import { AzureCallLog, callPolicy, serviceClassifier } from "./call-policy.js";
import { GraphClient } from "./graph.js";
import { shareTokens } from "./token-cache.js";
import { bridgeAzureSdkLog } from "./sdk-log.js";

/** What every client's `additionalPolicies` option accepts. */
interface AdditionalPolicyConfig {
  policy: PipelinePolicy;
  position: "perCall" | "perRetry";
}

export interface RetrySettings {
  /** SDK retries per request (default 3). */
  maxRetries: number;
  /** First backoff for 5xx without Retry-After (default 800 ms; doubles per retry). */
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
  /** Total time the run may spend waiting on retries (default 60 s). */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxRetries: 3, retryDelayInMs: 800, maxRetryDelayInMs: 8000, budgetMs: 60_000 };

export interface AzureClientsOptions {
  retry?: Partial<RetrySettings>;
  /** Clock for the retry budget (tests). */
  now?: () => number;
}

export class AzureClients {
  readonly calls = new AzureCallLog();
  readonly retry: RetrySettings;
  readonly graph: GraphClient;
  /** The run's credential, shared by all its clients: one token request per scope (see token-cache.ts). */
  readonly credential: TokenCredential;
  private readonly armScope: string;
  private readonly policies: AdditionalPolicyConfig[];
  private readonly retryOptions: PipelineRetryOptions;
  private readonly cache = new Map<string, unknown>();

  constructor(
    readonly profile: CloudProfile,
    credential: TokenCredential,
    options: AzureClientsOptions = {},
  ) {
    // The SDK's request lines (AZURE_LOG_LEVEL, --verbose, step debug) go where the host sends the gate's lines.
    bridgeAzureSdkLog();
    this.credential = shareTokens(credential);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    const now = options.now ?? Date.now;
    const deadline = now() + this.retry.budgetMs;
    this.armScope = scopeFor(profile.resourceManagerAudience);
    this.retryOptions = {
      maxRetries: this.retry.maxRetries,
      retryDelayInMs: this.retry.retryDelayInMs,
      maxRetryDelayInMs: this.retry.maxRetryDelayInMs,
    };
    const policyOptions = { log: this.calls, classify: serviceClassifier(profile), deadline, minBackoffMs: this.retry.retryDelayInMs, now };
    const policy = callPolicy(policyOptions);
    this.policies = [{ policy, position: "perRetry" }];
    this.graph = new GraphClient(profile, this.credential, {
      callPolicy: policy,
      countingPolicy: callPolicy({ ...policyOptions, retries: false }),
      maxRetries: this.retry.maxRetries,
      retryDelayInMs: this.retry.retryDelayInMs,
      maxRetryDelayInMs: this.retry.maxRetryDelayInMs,
    });
  }

  private once<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  /** Options of the older (core-client) ARM clients: `$host` builds URLs, `credentialScopes` the token scope. */
  private classicArmOptions() {
    const endpoint = this.profile.resourceManagerEndpoint.replace(/\/+$/, "");
    return {
      endpoint,
      $host: endpoint,
      credentialScopes: [this.armScope],
      additionalPolicies: this.policies,
      retryOptions: this.retryOptions,
      ...profileClientOptions(this.profile),
    };
  }

  /** Options of the newer (TypeSpec, core-client-rest) ARM clients. */
  private modernArmOptions() {
    const endpoint = this.profile.resourceManagerEndpoint.replace(/\/+$/, "");
    return {
      endpoint,
      credentials: { scopes: [this.armScope] },
      additionalPolicies: this.policies,
      retryOptions: this.retryOptions,
      ...profileClientOptions(this.profile),
    };
  }

  containerService(subscriptionId: string): ContainerServiceClient {
    return this.once(`aks/${subscriptionId}`, () => new ContainerServiceClient(this.credential, subscriptionId, this.modernArmOptions()));
  }

  managedIdentity(subscriptionId: string): ManagedServiceIdentityClient {
    return this.once(
      `msi/${subscriptionId}`,
      () => new ManagedServiceIdentityClient(this.credential, subscriptionId, this.classicArmOptions()),
    );
  }

  authorization(subscriptionId: string): AuthorizationManagementClient {
    return this.once(
      `authz/${subscriptionId}`,
      () => new AuthorizationManagementClient(this.credential, subscriptionId, this.classicArmOptions()),
    );
  }

  /**
   * Azure Resource Graph (tenant-level; the query names its subscriptions). Used by the sweep only, never the
   * gate: loaded on first use, so the gate's bundle chunk does not carry (and parse) it.
   */
  resourceGraph(): Promise<ResourceGraphClient> {
    return this.once(
      "arg",
      async () => new (await import("@azure/arm-resourcegraph")).ResourceGraphClient(this.credential, this.modernArmOptions()),
    );
  }

  storage(subscriptionId: string): StorageManagementClient {
    return this.once(
      `storage/${subscriptionId}`,
      () => new StorageManagementClient(this.credential, subscriptionId, this.modernArmOptions()),
    );
  }

  keyVaultManagement(subscriptionId: string): KeyVaultManagementClient {
    return this.once(`kvm/${subscriptionId}`, () => new KeyVaultManagementClient(this.credential, subscriptionId, this.modernArmOptions()));
  }
}
