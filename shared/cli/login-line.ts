/** The one line a user sees when no credential in DefaultAzureCredential's chain could sign in (see credential.ts). */
import type { AzureLoginError } from "../azure/login-error.js";

/** DefaultAzureCredential's members, recognised by how their errors read (not all name themselves). */
const MEMBERS: { name: string; pattern: RegExp }[] = [
  { name: "environment variables", pattern: /EnvironmentCredential/ },
  { name: "Workload Identity", pattern: /WorkloadIdentityCredential/ },
  { name: "managed identity", pattern: /ManagedIdentityCredential|managed identity|IMDS/i },
  { name: "VS Code", pattern: /Visual Studio Code|VisualStudioCode/ },
  // AzureCliCredential's "not signed in" error names only the command: "Please run 'az login' …".
  { name: "Azure CLI", pattern: /AzureCliCredential|Azure CLI\b|'az login'/ },
  { name: "Azure PowerShell", pattern: /PowerShell/ },
  { name: "Azure Developer CLI", pattern: /Azure Developer CLI|AzureDeveloperCliCredential/ },
];

/** Why one member gave up, in a few words (its full message is long and full of links). */
function shortReason(message: string): string {
  if (/could not be found|couldn't be found|Unable to execute|not installed|ENOENT/i.test(message)) return "not installed";
  if (/az login|azd auth login|Connect-AzAccount|not logged in|Please run/i.test(message)) return "not signed in";
  if (/EnvironmentCredential is unavailable|not fully configured/i.test(message)) return "AZURE_* variables not set";
  if (/Network unreachable|ECONNREFUSED|ETIMEDOUT|network_error|timed? ?out/i.test(message)) return "no endpoint reachable";
  if (/Identity not found|has not been assigned|not assigned/i.test(message)) return "no identity assigned";
  if (/WorkloadIdentityCredential/.test(message)) return "AZURE_FEDERATED_TOKEN_FILE not set";
  if (/not available|unavailable/i.test(message)) return "not available";
  const aadsts = /AADSTS\d+/.exec(message)?.[0];
  return aadsts ?? "refused";
}

const DEFAULT_CHAIN = "environment variables, Workload Identity, managed identity, Azure CLI, Azure PowerShell, Azure Developer CLI";

/** "environment variables (AZURE_* variables not set), managed identity (no endpoint reachable), …" from the login error's cause. */
export function triedCredentials(err: AzureLoginError): string {
  const cause = err.cause as { errors?: unknown; message?: unknown } | undefined;
  const errors = Array.isArray(cause?.errors) ? cause.errors : cause ? [cause] : [];
  const tried = errors.flatMap((e) => {
    const message = e instanceof Error ? e.message : String(e);
    const member = MEMBERS.find((m) => m.pattern.test(message));
    return member ? [`${member.name} (${shortReason(message)})`] : [];
  });
  return tried.length > 0 ? [...new Set(tried)].join(", ") : DEFAULT_CHAIN;
}

/** How much of the login error's own first line the user sees: the fix after it must never be cut off. */
const HEAD_CHARS = 240;

export function loginFailureLine(err: AzureLoginError): string {
  const head = (err.message.split("\n")[0] ?? "").replace(/\.$/, "");
  return (
    `${head.length > HEAD_CHARS ? `${head.slice(0, HEAD_CHARS)}…` : head}. ` +
    `Tried: ${triedCredentials(err)}. ` +
    "Fix: run `az login` (after `az cloud set` for a sovereign cloud), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET " +
    "(or use Workload Identity / a managed identity where the gate runs); the identity needs Reader on the subscriptions (docs/config.md)."
  );
}
