// A tiny Node "app" for simulated pods: what a Node service does at start-up with the real Azure SDK —
// DefaultAzureCredential, a SecretClient for its settings and a BlobServiceClient for its media —
// printing ONE JSON line describing what the SDK experienced (the JS twin of django_app.py).
//
// Environment (the pod's own, as its manifest declares it):
//   APP_KEYVAULT_URL, APP_SECRET_NAMES (comma separated), APP_BLOB_ACCOUNT_URL, APP_BLOB_CONTAINER
// The identity comes from wherever DefaultAzureCredential finds it (Workload Identity injection,
// leftover AZURE_* variables, IMDS…). Never prints a secret value: only its length.
import { DefaultAzureCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { BlobServiceClient } from "@azure/storage-blob";

const out = { credential: "DefaultAzureCredential", token: null, secrets: {}, blob: null };
// A custom cloud's authority is not in Entra's public instance list: skip discovery, as apps pointed at
// a sovereign or private cloud do.
const credential = new DefaultAzureCredential({ disableInstanceDiscovery: true });

async function main() {
  try {
    const token = await credential.getToken("https://vault.azure.net/.default");
    out.token = { ok: true, expiresOnTimestamp: token.expiresOnTimestamp };
  } catch (err) {
    out.token = { ok: false, name: err.name, message: err.message };
    return 1;
  }

  const vaultUrl = process.env.APP_KEYVAULT_URL;
  if (vaultUrl) {
    const secrets = new SecretClient(vaultUrl, credential, { disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } });
    for (const name of (process.env.APP_SECRET_NAMES ?? "").split(",").filter(Boolean)) {
      try {
        const value = (await secrets.getSecret(name)).value ?? "";
        out.secrets[name] = { ok: true, length: value.length };
      } catch (err) {
        out.secrets[name] = { ok: false, status: err.statusCode, code: err.code };
      }
    }
  }

  const accountUrl = process.env.APP_BLOB_ACCOUNT_URL;
  const container = process.env.APP_BLOB_CONTAINER;
  if (accountUrl && container) {
    const blobs = new BlobServiceClient(accountUrl, credential, { retryOptions: { maxTries: 1 } });
    try {
      let count = 0;
      for await (const _ of blobs.getContainerClient(container).listBlobsFlat()) count += 1;
      out.blob = { ok: true, count };
    } catch (err) {
      out.blob = { ok: false, status: err.statusCode, code: err.code };
    }
  }
  const failed = Object.values(out.secrets).some((s) => !s.ok) || (out.blob !== null && !out.blob.ok);
  return failed ? 2 : 0;
}

const code = await main();
console.log(JSON.stringify(out));
process.exitCode = code;
