/**
 * What the gate knows about Azure credentials in manifests, as data: the environment variables that the
 * Azure SDKs, django-storages, the storage and messaging clients and common charts read for each part of
 * a credential, and the shapes a credential value has whatever it is called. AG101, AG108 and AG111
 * (credentials in env, from Secrets, in ConfigMaps) and AG102 and AG112 (EnvironmentCredential half set,
 * or overriding Workload Identity) all read this one table; adding a name or a shape here is the change.
 */

/** The part of a credential a variable carries. Only the secret roles are credentials by themselves. */
export type CredentialRole =
  | "tenant"
  | "clientId"
  | "clientSecret"
  | "certificatePath"
  | "certificatePassword"
  | "privateKey"
  | "username"
  | "password"
  | "accountName"
  | "accountKey"
  | "connectionString"
  | "sas";

/** Who reads the variable (evidence and fix wording; EnvironmentCredential is what AG102/AG112 model). */
export type CredentialReader =
  "environment-credential" | "storage-client" | "django-storages" | "messaging" | "cosmos" | "pod-identity-sp" | "terraform";

export interface CredentialVariable {
  name: string;
  role: CredentialRole;
  reader: CredentialReader;
  /** Where the name comes from, for whoever extends the table. */
  source: string;
}

const ENV_CREDENTIAL = "azure-identity EnvironmentCredential (.NET, Java, JavaScript, Python, Go, C++) and the Azure CLI";

export const CREDENTIAL_VARIABLES: readonly CredentialVariable[] = [
  // DefaultAzureCredential's first link, the same names in every language SDK.
  { name: "AZURE_TENANT_ID", role: "tenant", reader: "environment-credential", source: ENV_CREDENTIAL },
  { name: "AZURE_CLIENT_ID", role: "clientId", reader: "environment-credential", source: ENV_CREDENTIAL },
  { name: "AZURE_CLIENT_SECRET", role: "clientSecret", reader: "environment-credential", source: ENV_CREDENTIAL },
  { name: "AZURE_CLIENT_CERTIFICATE_PATH", role: "certificatePath", reader: "environment-credential", source: ENV_CREDENTIAL },
  { name: "AZURE_CLIENT_CERTIFICATE_PASSWORD", role: "certificatePassword", reader: "environment-credential", source: ENV_CREDENTIAL },
  { name: "AZURE_USERNAME", role: "username", reader: "environment-credential", source: ENV_CREDENTIAL },
  { name: "AZURE_PASSWORD", role: "password", reader: "environment-credential", source: ENV_CREDENTIAL },
  // Storage: the Azure CLI / azcopy-style names the storage samples and charts use.
  { name: "AZURE_STORAGE_ACCOUNT", role: "accountName", reader: "storage-client", source: "Azure CLI az storage, storage samples" },
  { name: "AZURE_STORAGE_ACCOUNT_NAME", role: "accountName", reader: "storage-client", source: "azure-storage samples, charts" },
  { name: "AZURE_STORAGE_KEY", role: "accountKey", reader: "storage-client", source: "Azure CLI az storage" },
  { name: "AZURE_STORAGE_ACCESS_KEY", role: "accountKey", reader: "storage-client", source: "azure-storage (legacy Node/Python clients)" },
  {
    name: "AZURE_STORAGE_ACCOUNT_KEY",
    role: "accountKey",
    reader: "storage-client",
    source: "azure-storage samples, charts (Velero, Loki, Thanos)",
  },
  {
    name: "AZURE_STORAGE_CONNECTION_STRING",
    role: "connectionString",
    reader: "storage-client",
    source: "Azure CLI az storage, azure-storage-blob samples, Functions",
  },
  { name: "AZURE_STORAGE_SAS_TOKEN", role: "sas", reader: "storage-client", source: "Azure CLI az storage" },
  { name: "AzureWebJobsStorage", role: "connectionString", reader: "storage-client", source: "Azure Functions host" },
  // django-storages' AzureStorage reads these settings; Django apps set them from env of the same name.
  { name: "AZURE_ACCOUNT_NAME", role: "accountName", reader: "django-storages", source: "django-storages AzureStorage" },
  { name: "AZURE_ACCOUNT_KEY", role: "accountKey", reader: "django-storages", source: "django-storages AzureStorage" },
  { name: "AZURE_CONNECTION_STRING", role: "connectionString", reader: "django-storages", source: "django-storages AzureStorage" },
  { name: "AZURE_SAS_TOKEN", role: "sas", reader: "django-storages", source: "django-storages AzureStorage" },
  // Service Bus / Event Hubs clients as their samples and the common charts (KEDA, Dapr) name them.
  { name: "SERVICEBUS_CONNECTION_STRING", role: "connectionString", reader: "messaging", source: "azure-servicebus samples" },
  { name: "SERVICE_BUS_CONNECTION_STRING", role: "connectionString", reader: "messaging", source: "azure-servicebus samples" },
  { name: "AZURE_SERVICEBUS_CONNECTION_STRING", role: "connectionString", reader: "messaging", source: "Spring Cloud Azure, samples" },
  { name: "EVENTHUB_CONNECTION_STRING", role: "connectionString", reader: "messaging", source: "azure-eventhub samples" },
  { name: "EVENT_HUB_CONNECTION_STRING", role: "connectionString", reader: "messaging", source: "azure-eventhub samples" },
  { name: "AZURE_EVENTHUB_CONNECTION_STRING", role: "connectionString", reader: "messaging", source: "Spring Cloud Azure, samples" },
  { name: "AZURE_COSMOS_KEY", role: "accountKey", reader: "cosmos", source: "azure-cosmos samples" },
  { name: "COSMOS_KEY", role: "accountKey", reader: "cosmos", source: "azure-cosmos samples" },
  { name: "AZURE_COSMOS_CONNECTION_STRING", role: "connectionString", reader: "cosmos", source: "azure-cosmos samples" },
  // A service principal without the AZURE_ prefix, from a Secret: AAD Pod Identity's MIC (its chart's
  // aadpodidentity-admin-secret) and many in-house charts. Not EnvironmentCredential, still a secret in the pod.
  { name: "TENANT_ID", role: "tenant", reader: "pod-identity-sp", source: "AAD Pod Identity MIC chart" },
  { name: "CLIENT_ID", role: "clientId", reader: "pod-identity-sp", source: "AAD Pod Identity MIC chart" },
  { name: "CLIENT_SECRET", role: "clientSecret", reader: "pod-identity-sp", source: "AAD Pod Identity MIC chart" },
  // Pods that run Terraform (Atlantis, runners) sign in with the azurerm provider's names.
  { name: "ARM_TENANT_ID", role: "tenant", reader: "terraform", source: "Terraform azurerm provider" },
  { name: "ARM_CLIENT_ID", role: "clientId", reader: "terraform", source: "Terraform azurerm provider" },
  { name: "ARM_CLIENT_SECRET", role: "clientSecret", reader: "terraform", source: "Terraform azurerm provider" },
  { name: "ARM_CLIENT_CERTIFICATE_PASSWORD", role: "certificatePassword", reader: "terraform", source: "Terraform azurerm provider" },
  { name: "ARM_ACCESS_KEY", role: "accountKey", reader: "terraform", source: "Terraform azurerm backend" },
  { name: "ARM_SAS_TOKEN", role: "sas", reader: "terraform", source: "Terraform azurerm backend" },
];

/** Roles whose value is a secret by itself (a tenant id, client id, account name or certificate path is not). */
const SECRET_ROLES: ReadonlySet<CredentialRole> = new Set([
  "clientSecret",
  "certificatePassword",
  "privateKey",
  "password",
  "accountKey",
  "connectionString",
  "sas",
]);

const BY_NAME = new Map(CREDENTIAL_VARIABLES.map((v) => [v.name.toUpperCase(), v]));

/** The table's entry for a variable (names compared case-insensitively, as env on Windows pods and Django settings are). */
export function credentialVariable(name: string): CredentialVariable | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/** A variable whose value is a credential by definition (a secret role in the table). */
export function isSecretVariable(name: string): boolean {
  const v = credentialVariable(name);
  return v !== undefined && SECRET_ROLES.has(v.role);
}

/** A storage, messaging or database key, connection string or SAS (not a service principal's secret). */
export function isKeyRole(role: CredentialRole): boolean {
  return role === "accountKey" || role === "connectionString" || role === "sas";
}

/** The variables EnvironmentCredential reads for one role (AG102 and AG112 model exactly that credential). */
export function environmentCredentialNames(role: CredentialRole): string[] {
  return CREDENTIAL_VARIABLES.filter((v) => v.reader === "environment-credential" && v.role === role).map((v) => v.name);
}

/** Value shapes that are credentials whatever the variable or key is called. Order: most specific first. */
export const VALUE_SHAPES: ReadonlyArray<{ pattern: RegExp; what: string; role: CredentialRole }> = [
  { pattern: /-----BEGIN (?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/, what: "a PEM private key", role: "privateKey" },
  { pattern: /(?:^|;)\s*AccountKey=/i, what: "a storage account key", role: "accountKey" },
  { pattern: /(?:^|;)\s*SharedAccessKey=/i, what: "a Service Bus / Event Hubs shared access key", role: "connectionString" },
  { pattern: /(?:^|;)\s*SharedAccessSignature=/i, what: "a shared access signature", role: "sas" },
  { pattern: /(?:^|[?&])sig=[A-Za-z0-9%+/=]{16,}/i, what: "a SAS token signature", role: "sas" },
  // Entra ID client secrets since 2021: three characters, a digit, "Q~", then 31–34 more (40 in all).
  {
    pattern: /(?:^|[^A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?:$|[^A-Za-z0-9_~.-])/,
    what: "an Entra ID client secret",
    role: "clientSecret",
  },
  // A bare storage or Cosmos DB account key: 64 random bytes in base64.
  { pattern: /^[A-Za-z0-9+/]{86}==$/, what: "an account key (88-character base64)", role: "accountKey" },
];

/** The shape a value has, when it is a credential whatever it is called. */
export function valueShape(value: string): { what: string; role: CredentialRole } | undefined {
  const text = value.trim();
  if (text === "") return undefined;
  return VALUE_SHAPES.find((s) => s.pattern.test(text));
}
