/**
 * Builds the engine's SweepRuntime for the Function host: the cloud profile from the sweep config, the
 * Function's own identity, its storage (run state, audit reports, queues, rotation locks), Key Vault
 * and Entra adapters. Tests build the same runtime against the local sandbox by passing a credential
 * and a clock; there is no test branch in here.
 */
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { SecretClient } from "@azure/keyvault-secrets";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";
import { AzureClients, type RetrySettings } from "../shared/azure/clients.js";
import { bridgeAzureSdkLog } from "../shared/azure/sdk-log.js";
import { blobServiceUrl, keyVaultUrl, queueServiceUrl, scopeFor, type CloudProfile } from "../shared/cloud/profile.js";
import { profileClientOptions } from "../shared/cloud/tls.js";
import { gateCredential } from "../shared/cli/credential.js";
import { resolveConfigCloud } from "../shared/config/load.js";
import { EntraCredentialVerifier, KeyVaultSecretStore } from "../shared/rotation/adapters.js";
import { SecretMask } from "../shared/rotation/mask.js";
import type { StepHook } from "../shared/rotation/rotate.js";
import { loadSweepConfig, type SweepConfig } from "../shared/sweep/sweep-config.js";
import type { SweepRuntime } from "../shared/sweep/pipeline.js";
import { BlobLeaseLock, RunStore, WorkQueues } from "../shared/sweep/run-state.js";
import { readSettings, type FunctionSettings } from "./sweep-settings.js";

export interface RuntimeOptions {
  env?: NodeJS.ProcessEnv;
  /** The Function's identity (default: DefaultAzureCredential → the app's managed identity). */
  credential?: TokenCredential;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  beforeStep?: StepHook;
  retry?: Partial<RetrySettings>;
  /** Key Vault long-running-operation poll interval (recovering a soft-deleted secret). */
  pollIntervalMs?: number;
  /** How often a held rotation lock's 60 s Blob lease is renewed (default 30 s). */
  lockRenewMs?: number;
}

export interface FunctionRuntime extends SweepRuntime {
  settings: FunctionSettings;
}

/** A vault's URL: a full `https://` URL as given (without trailing slashes), or a vault name in the profile's cloud. */
export function vaultUrl(profile: CloudProfile, vault: string): string {
  return vault.startsWith("https://") ? vault.replace(/\/+$/, "") : keyVaultUrl(profile, vault);
}

/** A Key Vault secrets client for `url` in the profile's cloud (its TLS trust), with the run's retry settings if any. */
export function keyVaultSecretClient(
  url: string,
  profile: CloudProfile,
  credential: TokenCredential,
  retry?: Partial<RetrySettings>,
): SecretClient {
  return new SecretClient(url, credential, {
    disableChallengeResourceVerification: profile.disableChallengeResourceVerification,
    ...profileClientOptions(profile),
    ...(retry
      ? {
          retryOptions: {
            maxRetries: retry.maxRetries,
            retryDelayInMs: retry.retryDelayInMs,
            maxRetryDelayInMs: retry.maxRetryDelayInMs,
          },
        }
      : {}),
  });
}

export function storageClients(
  settings: Pick<FunctionSettings, "storage">,
  profile: CloudProfile,
  credential: TokenCredential,
): { blob: BlobServiceClient; queue: QueueServiceClient } {
  if ("connectionString" in settings.storage) {
    return {
      blob: BlobServiceClient.fromConnectionString(settings.storage.connectionString),
      queue: QueueServiceClient.fromConnectionString(settings.storage.connectionString),
    };
  }
  const audience = scopeFor(profile.storageAudience);
  return {
    blob: new BlobServiceClient(blobServiceUrl(profile, settings.storage.account), credential, { audience }),
    queue: new QueueServiceClient(queueServiceUrl(profile, settings.storage.account), credential, { audience }),
  };
}

export function createRuntime(options: RuntimeOptions = {}): FunctionRuntime {
  // The SDK's lines (AZURE_LOG_LEVEL) reach each invocation's masked context.log, not the worker's stderr.
  bridgeAzureSdkLog();
  const settings = readSettings(options.env ?? process.env);
  const configFile = resolve(process.cwd(), settings.sweepConfigFile);
  const config: SweepConfig = loadSweepConfig(configFile);
  // The sweep config is the operator's own deployment (App Settings name it), not a repository under check:
  // a custom profile there is the operator's say-so. Its CA is trusted for the profile's own hosts only.
  const profile = resolveConfigCloud(config.cloud, dirname(configFile), configFile, true);
  const credential =
    options.credential ?? gateCredential(profile, config.tenantId, { managedIdentityClientId: settings.managedIdentityClientId });
  const { blob, queue } = storageClients(settings, profile, credential);
  const store = new RunStore(blob.getContainerClient(settings.stateContainer));
  const mask = new SecretMask();
  const secretClients = new Map<string, SecretClient>();
  const secretClient = (vault: string) => {
    const url = vaultUrl(profile, vault);
    let client = secretClients.get(url);
    if (!client) {
      client = keyVaultSecretClient(url, profile, credential, options.retry);
      secretClients.set(url, client);
    }
    return client;
  };
  return {
    settings,
    config,
    profile,
    credential,
    clients: () => new AzureClients(profile, credential, { retry: { budgetMs: config.retryBudgetSeconds * 1000, ...options.retry } }),
    store,
    queues: new WorkQueues(queue),
    lock: new BlobLeaseLock(store, undefined, options.lockRenewMs),
    // The Function app's name (Azure sets WEBSITE_SITE_NAME): the managed-secret marker says which deployment made it.
    deployment: process.env.WEBSITE_SITE_NAME || settings.stateContainer,
    verifier: new EntraCredentialVerifier(profile, config.tenantId),
    secretStore: (vault) => new KeyVaultSecretStore(secretClient(vault), vault, options.pollIntervalMs),
    readSecret: async (ref) => {
      const secret = await secretClient(ref.vault).getSecret(ref.secret);
      if (!secret.value) throw new Error(`Key Vault secret '${ref.secret}' in '${ref.vault}' has no value`);
      mask.add(secret.value);
      return secret.value;
    },
    mask,
    now: options.now ?? (() => new Date()),
    random: () => randomBytes(8).toString("hex"),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.beforeStep ? { beforeStep: options.beforeStep } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  };
}
