/**
 * App Settings of the deployment protection rule (docs/protection-rule.md). They are the operator's:
 * the GitHub App's id, the Key Vault holding its webhook secret and private key, the GitHub API, the
 * cloud and tenant the gate checks. Nothing here comes from the repository under check — the
 * repository's own config can only narrow what is checked, never where the Function's tokens go.
 */
import { InputError } from "../../shared/errors.js";
import { storageSettingsOf, type FunctionSettings } from "../sweep-settings.js";

export interface ProtectionSettings extends Pick<FunctionSettings, "storage" | "stateContainer" | "managedIdentityClientId"> {
  /** The GitHub App's numeric id (the JWT's `iss`). */
  appId: string;
  /** Key Vault (name or https URL) holding the App's webhook secret and private key. */
  keyVault: string;
  webhookSecretName: string;
  privateKeyName: string;
  /** GitHub REST API base (GitHub Enterprise: https://HOST/api/v3). */
  githubApiUrl: string;
  /** The gate config's path in the repository, read from the default branch. */
  configPath: string;
  /** Built-in cloud name, or a cloud profile file shipped with the Function app (never one from the repository). */
  cloud: string;
  tenantId?: string;
  /** kubeconfig (a file of the Function app) for environments whose config asks for the live probe; unset: the probe never runs. */
  probeKubeconfig?: string;
}

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

function secretName(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!SECRET_NAME.test(value)) throw new InputError("Key Vault secret names are 1-127 letters, digits and dashes", { field: name });
  return value;
}

export function readProtectionSettings(env: NodeJS.ProcessEnv): ProtectionSettings {
  const appId = env.AAG_GITHUB_APP_ID ?? "";
  if (!/^\d+$/.test(appId))
    throw new InputError("set it to the GitHub App's numeric App ID (the App's settings page)", { field: "AAG_GITHUB_APP_ID" });
  const keyVault = env.AAG_GITHUB_KEY_VAULT ?? "";
  if (!keyVault)
    throw new InputError("set it to the Key Vault (name or URL) that holds the App's webhook secret and private key", {
      field: "AAG_GITHUB_KEY_VAULT",
    });
  const githubApiUrl = (env.AAG_GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");
  if (!/^https:\/\/[^/]+/.test(githubApiUrl)) throw new InputError("must be an https:// URL", { field: "AAG_GITHUB_API_URL" });
  const configPath = env.AAG_PROTECTION_CONFIG || "azure-auth-gate.yml";
  if (configPath.startsWith("/") || configPath.split("/").includes(".."))
    throw new InputError("must be a path inside the repository, e.g. azure-auth-gate.yml", { field: "AAG_PROTECTION_CONFIG" });
  const tenantId = env.AAG_PROTECTION_TENANT_ID;
  if (tenantId !== undefined && tenantId !== "" && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantId))
    throw new InputError("must be a GUID", { field: "AAG_PROTECTION_TENANT_ID" });
  return {
    ...storageSettingsOf(env),
    appId,
    keyVault,
    webhookSecretName: secretName(env, "AAG_GITHUB_WEBHOOK_SECRET_NAME", "github-webhook-secret"),
    privateKeyName: secretName(env, "AAG_GITHUB_PRIVATE_KEY_NAME", "github-app-private-key"),
    githubApiUrl,
    configPath,
    cloud: env.AAG_PROTECTION_CLOUD || "AzureCloud",
    ...(tenantId ? { tenantId } : {}),
    ...(env.AAG_PROTECTION_KUBECONFIG ? { probeKubeconfig: env.AAG_PROTECTION_KUBECONFIG } : {}),
    ...(env.AZURE_CLIENT_ID ? { managedIdentityClientId: env.AZURE_CLIENT_ID } : {}),
  };
}
