/** The fix text AG101 and AG108 share: revoke the exposed credential, then move to Workload Identity. */
import type { CredentialFamily } from "../credentials.js";
import { podIdentityYaml, serviceAccountFor, serviceAccountYaml } from "../fix-text.js";
import type { WorkloadView } from "../workloads.js";

/** How to stop needing the exposed credential and revoke it, by whose credential it is. Unknowns are <placeholders>. */
export function revokeStep(family: CredentialFamily | undefined, appId: string): string {
  switch (family) {
    case "identity":
      return `Rotate it: \`az ad app credential reset --id ${appId}\` (or delete the secret in the app registration's Certificates & secrets).`;
    case "messaging":
      return `For Service Bus / Event Hubs, drop the shared access key: connect to \`<namespace>.servicebus.windows.net\` with DefaultAzureCredential, give the pod's identity "Azure Service Bus Data Sender" / "Receiver" (or "Azure Event Hubs Data Sender" / "Receiver") on the namespace, then regenerate the exposed key: \`az servicebus namespace authorization-rule keys renew --resource-group <resource-group> --namespace-name <namespace> --name <rule> --key PrimaryKey\`.`;
    case "cosmos":
      return `For Cosmos DB, drop the account key: give the pod's identity a Cosmos DB data-plane role and sign in with DefaultAzureCredential, then regenerate the exposed key: \`az cosmosdb keys regenerate --resource-group <resource-group> --name <account> --key-kind primary\`.`;
    default:
      return `For Blob Storage, drop keys and connection strings: set AZURE_STORAGE_ACCOUNT_NAME, give the pod's identity "Storage Blob Data Contributor" on the account, and let DefaultAzureCredential sign in (then \`az storage account keys renew --account-name <account> --key key1\` to revoke the exposed key).`;
  }
}

export function workloadIdentityFix(w: WorkloadView): string {
  const sa = serviceAccountFor(w);
  const saReady = w.serviceAccount?.clientId && w.serviceAccount.name === sa;
  return [
    `Use Workload Identity instead (no secret in the pod): label the pod template${saReady ? "" : " and run it as an annotated ServiceAccount"}:`,
    podIdentityYaml(w, sa),
    ...(saReady ? [] : ["", serviceAccountYaml(w.namespace, sa, w.serviceAccount?.clientId)]),
  ].join("\n");
}
