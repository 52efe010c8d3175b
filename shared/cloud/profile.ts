/**
 * Cloud profiles: every endpoint the product talks to. The same mechanism serves Azure Public, Azure
 * China, Azure US Government, Azure Stack-like private clouds, and the project's local sandbox (which
 * writes its profile to a file on start). Product code never branches on "test": it only reads a profile.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { InputError } from "../errors.js";

export interface CloudProfile {
  name: string;
  /** Entra ID authority host, https only (e.g. https://login.microsoftonline.com). */
  authorityHost: string;
  /** MSAL instance discovery only knows the public clouds' authorities; private ones must skip it. */
  disableInstanceDiscovery: boolean;
  /** Azure Resource Manager endpoint and the token audience for it. */
  resourceManagerEndpoint: string;
  resourceManagerAudience: string;
  /** Microsoft Graph endpoint (v1.0 is appended by the client) and its token audience. */
  graphEndpoint: string;
  graphAudience: string;
  /** Key Vault data plane: `{name}` is replaced by the vault name. */
  keyVaultUrlTemplate: string;
  keyVaultAudience: string;
  /** Blob service: `{account}` is replaced by the storage account name. */
  blobUrlTemplate: string;
  queueUrlTemplate: string;
  storageAudience: string;
  /** Audience GitHub's ID token must carry for Entra's token exchange in this cloud. */
  tokenExchangeAudience: string;
  /** Key Vault challenge resources outside `*.vault.azure.net`-style domains need this to be accepted. */
  disableChallengeResourceVerification: boolean;
  /** Extra CA certificate (PEM file) to trust for this profile's own hosts only (tls.ts), for private clouds and the sandbox. */
  caCertificateFile?: string;
}

const PUBLIC: CloudProfile = {
  name: "AzureCloud",
  authorityHost: "https://login.microsoftonline.com",
  disableInstanceDiscovery: false,
  resourceManagerEndpoint: "https://management.azure.com",
  resourceManagerAudience: "https://management.azure.com",
  graphEndpoint: "https://graph.microsoft.com",
  graphAudience: "https://graph.microsoft.com",
  keyVaultUrlTemplate: "https://{name}.vault.azure.net",
  keyVaultAudience: "https://vault.azure.net",
  blobUrlTemplate: "https://{account}.blob.core.windows.net",
  queueUrlTemplate: "https://{account}.queue.core.windows.net",
  storageAudience: "https://storage.azure.com",
  tokenExchangeAudience: "api://AzureADTokenExchange",
  disableChallengeResourceVerification: false,
};

const CHINA: CloudProfile = {
  name: "AzureChinaCloud",
  authorityHost: "https://login.chinacloudapi.cn",
  disableInstanceDiscovery: false,
  resourceManagerEndpoint: "https://management.chinacloudapi.cn",
  resourceManagerAudience: "https://management.chinacloudapi.cn",
  graphEndpoint: "https://microsoftgraph.chinacloudapi.cn",
  graphAudience: "https://microsoftgraph.chinacloudapi.cn",
  keyVaultUrlTemplate: "https://{name}.vault.azure.cn",
  keyVaultAudience: "https://vault.azure.cn",
  blobUrlTemplate: "https://{account}.blob.core.chinacloudapi.cn",
  queueUrlTemplate: "https://{account}.queue.core.chinacloudapi.cn",
  storageAudience: "https://storage.azure.com",
  tokenExchangeAudience: "api://AzureADTokenExchangeChina",
  disableChallengeResourceVerification: false,
};

const US_GOV: CloudProfile = {
  name: "AzureUSGovernment",
  authorityHost: "https://login.microsoftonline.us",
  disableInstanceDiscovery: false,
  resourceManagerEndpoint: "https://management.usgovcloudapi.net",
  resourceManagerAudience: "https://management.usgovcloudapi.net",
  graphEndpoint: "https://graph.microsoft.us",
  graphAudience: "https://graph.microsoft.us",
  keyVaultUrlTemplate: "https://{name}.vault.usgovcloudapi.net",
  keyVaultAudience: "https://vault.usgovcloudapi.net",
  blobUrlTemplate: "https://{account}.blob.core.usgovcloudapi.net",
  queueUrlTemplate: "https://{account}.queue.core.usgovcloudapi.net",
  storageAudience: "https://storage.azure.com",
  tokenExchangeAudience: "api://AzureADTokenExchangeUSGov",
  disableChallengeResourceVerification: false,
};

export const BUILT_IN_CLOUDS: Readonly<Record<string, CloudProfile>> = {
  AzureCloud: PUBLIC,
  AzureChinaCloud: CHINA,
  AzureUSGovernment: US_GOV,
};

const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith("https://"), "must be an https:// URL");

export const cloudProfileSchema = z
  .object({
    name: z.string().min(1),
    authorityHost: httpsUrl,
    disableInstanceDiscovery: z.boolean().default(true),
    resourceManagerEndpoint: httpsUrl,
    resourceManagerAudience: z.string().min(1),
    graphEndpoint: httpsUrl,
    graphAudience: z.string().min(1),
    keyVaultUrlTemplate: z.string().includes("{name}"),
    keyVaultAudience: z.string().min(1),
    blobUrlTemplate: z.string().includes("{account}"),
    queueUrlTemplate: z.string().includes("{account}"),
    storageAudience: z.string().min(1),
    tokenExchangeAudience: z.string().min(1),
    disableChallengeResourceVerification: z.boolean().default(true),
    caCertificateFile: z.string().optional(),
  })
  .strict();

/** Reads a cloud profile file (JSON), naming the field that is wrong when it does not validate. */
export function loadCloudProfile(file: string): CloudProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new InputError(`cannot read cloud profile: ${(err as Error).message}`, { file });
  }
  const parsed = cloudProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue?.message ?? "invalid cloud profile", { file, field: issue?.path.join(".") });
  }
  return parsed.data;
}

export function isBuiltInCloud(name: string): boolean {
  return Object.hasOwn(BUILT_IN_CLOUDS, name);
}

/** The one line a refused custom profile gets: what was named and how the user allows it. */
export function customCloudRefusal(what: string): string {
  return (
    `${what} is a custom cloud profile: every token and request would go to the endpoints it names, so the gate uses one only when the user running it says so — ` +
    `pass --allow-custom-cloud (CLI) or set the Action input allow-custom-cloud: true; otherwise name a built-in cloud (${Object.keys(BUILT_IN_CLOUDS).join(", ")})`
  );
}

/**
 * A built-in cloud by name, or — only when the user allowed custom clouds — a profile file path. Built-in
 * clouds are constants: nothing a file says changes their endpoints or their token-exchange audience.
 */
export function resolveCloudProfile(nameOrFile: string | undefined, options: { allowCustomCloud?: boolean } = {}): CloudProfile {
  if (!nameOrFile) return PUBLIC;
  const builtIn = isBuiltInCloud(nameOrFile) ? BUILT_IN_CLOUDS[nameOrFile] : undefined;
  if (builtIn) return builtIn;
  if (!options.allowCustomCloud) throw new InputError(customCloudRefusal(`'${nameOrFile}'`));
  return loadCloudProfile(nameOrFile);
}

export function isCustomCloud(profile: CloudProfile): boolean {
  return !Object.values(BUILT_IN_CLOUDS).includes(profile);
}

/**
 * The lines a user reads before a custom profile gets any token: where every request and the GitHub ID token
 * will go, the token-exchange audience, and which CA is trusted (for these hosts only, see tls.ts).
 */
export function describeCustomCloud(profile: CloudProfile): string[] {
  return [
    `custom cloud profile '${profile.name}' (allowed by the user): tokens and requests go to these endpoints only`,
    `  Entra ID authority: ${profile.authorityHost}`,
    `  Resource Manager: ${profile.resourceManagerEndpoint} (audience ${profile.resourceManagerAudience})`,
    `  Microsoft Graph: ${profile.graphEndpoint}`,
    `  Key Vault: ${profile.keyVaultUrlTemplate}; Blob: ${profile.blobUrlTemplate}; Queue: ${profile.queueUrlTemplate}`,
    `  GitHub ID token audience (token exchange): ${profile.tokenExchangeAudience}`,
    `  CA certificate: ${profile.caCertificateFile ? `${profile.caCertificateFile}, trusted for the hosts above only` : "none (the system's trust store)"}`,
  ];
}

export function keyVaultUrl(profile: CloudProfile, vault: string): string {
  return profile.keyVaultUrlTemplate.replace("{name}", vault);
}

export function blobServiceUrl(profile: CloudProfile, account: string): string {
  return profile.blobUrlTemplate.replace("{account}", account);
}

export function queueServiceUrl(profile: CloudProfile, account: string): string {
  return profile.queueUrlTemplate.replace("{account}", account);
}

export function scopeFor(audience: string): string {
  return `${audience.replace(/\/$/, "")}/.default`;
}
