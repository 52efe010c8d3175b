/**
 * The rotation's ports implemented with the real clients: Microsoft Graph (GraphClient), Key Vault
 * (@azure/keyvault-secrets SecretClient) and Entra ID (@azure/identity ClientSecretCredential against
 * the cloud profile's authority). Nothing here logs; values pass through untouched to the protocol.
 */
import { isRestError } from "@azure/core-rest-pipeline";
import { ClientSecretCredential } from "@azure/identity";
import type { SecretClient, SecretProperties } from "@azure/keyvault-secrets";
import { scopeFor, type CloudProfile } from "../cloud/profile.js";
import { profileClientOptions } from "../cloud/tls.js";
import { firstLine, isNotFound } from "../azure/fetch-failure.js";
import type { GraphClient, GraphPasswordCredential } from "../azure/graph.js";
import type { CredentialVerifier, NewPassword, PasswordDirectory, PasswordInfo, SecretStore, VaultVersion, VerifyResult } from "./ports.js";

function date(iso: string | null | undefined): Date | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function passwordInfo(p: GraphPasswordCredential): PasswordInfo {
  const start = date(p.startDateTime);
  const end = date(p.endDateTime);
  return {
    keyId: p.keyId,
    displayName: p.displayName ?? "",
    ...(start ? { start } : {}),
    ...(end ? { end } : {}),
    ...(p.hint ? { hint: p.hint } : {}),
  };
}

export class GraphPasswordDirectory implements PasswordDirectory {
  constructor(private readonly graph: GraphClient) {}

  async list(appObjectId: string): Promise<PasswordInfo[]> {
    return (await this.graph.applicationSecrets(appObjectId)).map(passwordInfo);
  }

  async add(appObjectId: string, credential: { displayName: string; endDateTime: string }): Promise<NewPassword> {
    const created = await this.graph.addPassword(appObjectId, credential);
    return { ...passwordInfo(created), secretText: created.secretText };
  }

  async remove(appObjectId: string, keyId: string): Promise<void> {
    await this.graph.removePassword(appObjectId, keyId);
  }
}

function version(p: SecretProperties): VaultVersion {
  return {
    version: p.version ?? "",
    enabled: p.enabled !== false,
    tags: { ...(p.tags ?? {}) },
    ...(p.createdOn ? { createdOn: p.createdOn } : {}),
    ...(p.expiresOn ? { expiresOn: p.expiresOn } : {}),
  };
}

export class KeyVaultSecretStore implements SecretStore {
  constructor(
    private readonly client: SecretClient,
    readonly vault: string,
    private readonly pollIntervalMs = 2000,
  ) {}

  async versions(name: string): Promise<VaultVersion[]> {
    const out: VaultVersion[] = [];
    try {
      for await (const p of this.client.listPropertiesOfSecretVersions(name)) out.push(version(p));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return out;
  }

  async current(name: string) {
    try {
      const secret = await this.client.getSecret(name);
      if (secret.value === undefined) return undefined;
      return { ...version(secret.properties), value: secret.value };
    } catch (err) {
      // Missing, or the current version is disabled (403 SecretDisabled): either way it cannot be the working one.
      if (isNotFound(err) || (isRestError(err) && err.statusCode === 403 && /disabled/i.test(err.message))) return undefined;
      throw err;
    }
  }

  async recoverIfDeleted(name: string): Promise<boolean> {
    try {
      await this.client.getDeletedSecret(name);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    const poller = await this.client.beginRecoverDeletedSecret(name, { intervalInMs: this.pollIntervalMs });
    await poller.pollUntilDone();
    return true;
  }

  async store(
    name: string,
    value: string,
    options: { contentType: string; expiresOn: Date; tags: Record<string, string> },
  ): Promise<VaultVersion> {
    const saved = await this.client.setSecret(name, value, options);
    return version(saved.properties);
  }

  async tag(name: string, v: string, tags: Record<string, string>): Promise<void> {
    await this.client.updateSecretProperties(name, v, { tags });
  }
}

/** Tries the candidate secret at the cloud's Entra ID token endpoint (client credentials, ARM scope). */
export class EntraCredentialVerifier implements CredentialVerifier {
  constructor(
    private readonly profile: CloudProfile,
    private readonly tenantId: string,
  ) {}

  async verify(appId: string, secret: string): Promise<VerifyResult> {
    const credential = new ClientSecretCredential(this.tenantId, appId, secret, {
      authorityHost: this.profile.authorityHost,
      disableInstanceDiscovery: this.profile.disableInstanceDiscovery,
      retryOptions: { maxRetries: 1 },
      ...profileClientOptions(this.profile),
    });
    try {
      const token = await credential.getToken(scopeFor(this.profile.resourceManagerAudience));
      return token ? { ok: true } : { ok: false, message: "Entra ID returned no token" };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const code = /AADSTS\d+/.exec(message)?.[0];
      return { ok: false, ...(code ? { code } : {}), message: firstLine(message) };
    }
  }
}
