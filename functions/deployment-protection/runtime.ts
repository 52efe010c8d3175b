/**
 * What the deployment protection rule's two functions share, built once per worker from the App
 * Settings: the Function's own Azure identity and cloud, the App's secrets (read from Key Vault, kept
 * in memory only and masked in every log line), the delivery log and the review queue in the
 * Function's storage. Tests build the same runtime against the sandbox by passing a credential; there
 * is no test branch in here.
 */
import type { TokenCredential } from "@azure/core-auth";
import { resolveCloudProfile, type CloudProfile } from "../../shared/cloud/profile.js";
import { gateCredential } from "../../shared/cli/credential.js";
import type { RetrySettings } from "../../shared/azure/clients.js";
import { SecretMask } from "../../shared/rotation/mask.js";
import { RunStore, WorkQueues } from "../../shared/sweep/run-state.js";
import { keyVaultSecretClient, storageClients, vaultUrl } from "../sweep-runtime.js";
import { readProtectionSettings, type ProtectionSettings } from "./settings.js";

export interface ProtectionRuntimeOptions {
  env?: NodeJS.ProcessEnv;
  /** The Function's identity (default: DefaultAzureCredential → the app's managed identity). */
  credential?: TokenCredential;
  now?: () => Date;
  retry?: Partial<RetrySettings>;
}

export interface ProtectionRuntime {
  settings: ProtectionSettings;
  profile: CloudProfile;
  credential: TokenCredential;
  /** The App's webhook secret; `fresh` re-reads Key Vault (after a rotation the cached one no longer verifies), at most once a minute. */
  webhookSecret(fresh?: boolean): Promise<string>;
  /** The App's private key (PEM). */
  privateKey(): Promise<string>;
  /** Delivery ids seen (`deliveries/<id>`), run state of the Function's storage. */
  store: RunStore;
  queues: WorkQueues;
  mask: SecretMask;
  now(): Date;
  retry?: Partial<RetrySettings>;
}

const FRESH_READ_INTERVAL_MS = 60_000;

export function createProtectionRuntime(options: ProtectionRuntimeOptions = {}): ProtectionRuntime {
  const settings = readProtectionSettings(options.env ?? process.env);
  // The operator's cloud: a built-in name or a profile file of the Function app itself (App Settings, not a
  // repository under check, so a custom profile is the operator's own say-so). Its CA is trusted for its hosts only.
  const profile = resolveCloudProfile(settings.cloud, { allowCustomCloud: true });
  const credential =
    options.credential ?? gateCredential(profile, settings.tenantId, { managedIdentityClientId: settings.managedIdentityClientId });
  const { blob, queue } = storageClients(settings, profile, credential);
  const mask = new SecretMask();
  const vault = keyVaultSecretClient(vaultUrl(profile, settings.keyVault), profile, credential, options.retry);
  const clock = options.now ?? (() => new Date());
  const cache = new Map<string, Promise<string>>();
  const freshReads = new Map<string, number>();
  const read = (name: string, fresh = false): Promise<string> => {
    // A fresh read at most once a minute: a stream of badly signed deliveries must not become a stream of Key Vault reads.
    const now = clock().getTime();
    const wantFresh = fresh && now - (freshReads.get(name) ?? 0) >= FRESH_READ_INTERVAL_MS;
    if (wantFresh) freshReads.set(name, now);
    let got = wantFresh ? undefined : cache.get(name);
    if (!got) {
      got = vault.getSecret(name).then((s) => {
        if (!s.value) throw new Error(`Key Vault secret '${name}' has no value`);
        mask.add(s.value);
        return s.value;
      });
      // A failed read is not cached: the next delivery tries again.
      got.catch(() => cache.delete(name));
      cache.set(name, got);
    }
    return got;
  };
  return {
    settings,
    profile,
    credential,
    webhookSecret: (fresh) => read(settings.webhookSecretName, fresh),
    privateKey: () => read(settings.privateKeyName),
    store: new RunStore(blob.getContainerClient(settings.stateContainer)),
    queues: new WorkQueues(queue),
    mask,
    now: clock,
    ...(options.retry ? { retry: options.retry } : {}),
  };
}
