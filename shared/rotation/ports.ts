/**
 * What the rotation protocol needs from the outside world, as narrow interfaces: the app's client
 * secrets (Graph), the mapped Key Vault secret, a token attempt with a candidate secret (Entra), and a
 * per-app lock. adapters.ts implements them with the real SDKs; the protocol (rotate.ts) only sees these.
 */

/** A client secret's metadata (never its value). */
export interface PasswordInfo {
  keyId: string;
  displayName: string;
  start?: Date;
  end?: Date;
  /** Graph's `hint`: the value's first characters (to tell which password a pre-existing vault value is). */
  hint?: string;
}

export interface NewPassword extends PasswordInfo {
  /** The value: handled only by the protocol, registered with the mask before anything else happens. */
  secretText: string;
}

export interface PasswordDirectory {
  list(appObjectId: string): Promise<PasswordInfo[]>;
  add(appObjectId: string, credential: { displayName: string; endDateTime: string }): Promise<NewPassword>;
  remove(appObjectId: string, keyId: string): Promise<void>;
}

/** One version of the mapped Key Vault secret (properties only). */
export interface VaultVersion {
  version: string;
  enabled: boolean;
  tags: Record<string, string>;
  createdOn?: Date;
  expiresOn?: Date;
}

/** The current version, with its value (needed to verify it; never leaves the protocol). */
export interface VaultCurrent extends VaultVersion {
  value: string;
}

export interface SecretStore {
  /** Human name for evidence: the vault (name or URL). */
  readonly vault: string;
  /** Every version's properties (oldest first is not required); [] when the secret does not exist. */
  versions(name: string): Promise<VaultVersion[]>;
  /** The current version with its value; undefined when missing or disabled. */
  current(name: string): Promise<VaultCurrent | undefined>;
  /** Recovers a soft-deleted secret (its name cannot be reused otherwise); true when it did. */
  recoverIfDeleted(name: string): Promise<boolean>;
  store(
    name: string,
    value: string,
    options: { contentType: string; expiresOn: Date; tags: Record<string, string> },
  ): Promise<VaultVersion>;
  /** Replaces the tags of one version (the protocol's progress marks). */
  tag(name: string, version: string, tags: Record<string, string>): Promise<void>;
}

export type VerifyResult = { ok: true } | { ok: false; code?: string; message: string };

/** Client-credentials token attempt with a candidate secret against Entra ID. */
export interface CredentialVerifier {
  verify(appId: string, secret: string): Promise<VerifyResult>;
}

/** Serialises rotations of one app across concurrent runs (timer + on-demand). */
export interface RotationLock {
  /**
   * Runs `work` holding the lock for `key`, or returns `ran: false` when another run holds it. `held()`
   * turns false for good once the lock may have been lost (a renewal failed): the work stops before its next write.
   */
  withLock<T>(key: string, work: (lease: { held(): boolean }) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}
