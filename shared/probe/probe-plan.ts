/**
 * The probe plan: what the probe program inside the pod must try, as plain JSON passed in the Job's
 * environment (AAG_PROBE_PLAN). Every URL comes from the cloud profile, so the pod reaches the sandbox
 * (or Azure China, or a private cloud) exactly as it reaches public Azure — no test branch anywhere.
 */
import { blobServiceUrl, keyVaultUrl, scopeFor, type CloudProfile } from "../cloud/profile.js";
import type { ResolvedTarget } from "../azure/facts/types.js";

export const PLAN_ENV = "AAG_PROBE_PLAN";

export interface BlobProbe {
  account: string;
  container: string;
  /** Blob service URL of the account (from the profile's template). */
  url: string;
  /**
   * `access: write`: the marker blob the probe creates and deletes again, as the app would write
   * (under the gate's reserved prefix, so it never touches the app's own blobs).
   */
  write?: string;
}

/** Blobs the probe writes live under this prefix only; `probe-<run>` names the Job that wrote it. */
export const MARKER_PREFIX = ".azure-auth-gate/";

export function markerBlobName(run: string): string {
  return `${MARKER_PREFIX}probe-${run}`;
}

export interface KeyVaultProbe {
  vault: string;
  url: string;
  secrets: string[];
  /** `access: list`: also list the vault's secret properties. */
  list: boolean;
}

export interface ProbePlan {
  version: 1;
  /** The first token the probe asks for: the token exchange is what AG301 is about. */
  tokenScope: string;
  storageScope: string;
  vaultScope: string;
  disableInstanceDiscovery: boolean;
  disableChallengeResourceVerification: boolean;
  blob: BlobProbe[];
  keyVault: KeyVaultProbe[];
}

/** `stmedia` from `stmedia` or from `/subscriptions/…/storageAccounts/stmedia`. */
export function resourceName(nameOrId: string): string {
  const trimmed = nameOrId.replace(/\/+$/, "");
  return nameOrId.startsWith("/") ? (trimmed.split("/").pop() ?? trimmed) : trimmed;
}

/** `run` names this probe run (the Job's name): the marker blob of a write check carries it. */
export function buildPlan(target: ResolvedTarget, profile: CloudProfile, run = "run"): ProbePlan {
  const storageScope = scopeFor(profile.storageAudience);
  const vaultScope = scopeFor(profile.keyVaultAudience);
  const blob = target.blob.map((b) => {
    const account = resourceName(b.account);
    return {
      account,
      container: b.container,
      url: blobServiceUrl(profile, account),
      ...(b.access === "write" ? { write: markerBlobName(run) } : {}),
    };
  });
  const keyVault = target.keyVault.map((k) => {
    const vault = resourceName(k.vault);
    return { vault, url: keyVaultUrl(profile, vault), secrets: [...k.secrets], list: k.access === "list" };
  });
  const tokenScope = blob.length > 0 ? storageScope : keyVault.length > 0 ? vaultScope : scopeFor(profile.resourceManagerAudience);
  return {
    version: 1,
    tokenScope,
    storageScope,
    vaultScope,
    disableInstanceDiscovery: profile.disableInstanceDiscovery,
    disableChallengeResourceVerification: profile.disableChallengeResourceVerification,
    blob,
    keyVault,
  };
}
