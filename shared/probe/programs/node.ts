/**
 * The Node probe (`node --input-type=module -e …`), for Node images: the app already ships
 * @azure/identity, @azure/storage-blob and @azure/keyvault-secrets in its working directory, so the probe
 * exercises the very SDK the app uses. It authenticates with WorkloadIdentityCredential only (the
 * identity under test, not whatever a credential chain would fall back to), lists/reads each Blob
 * container (and, for `access: write`, creates and deletes one marker blob under `.azure-auth-gate/`), reads each needed secret and keeps only its properties, and prints ONE JSON line.
 *
 * Secret values: `getSecret` is the call `migrate` makes, so it is the only faithful test of the `get`
 * permission (a properties-only read needs `list`/readMetadata instead); the value is dropped on the
 * spot and never printed. Blob names are not printed either, only counts.
 */
export const NODE_PROBE = String.raw`
import { readFileSync } from "node:fs";
const plan = JSON.parse(process.env.AAG_PROBE_PLAN || "{}");
const out = { azureAuthGateProbe: 1, runtime: "node", identity: null, token: null, blob: [], keyVault: [] };
const short = (s) => String(s ?? "").replace(/\s+/g, " ").trim().slice(0, 500);
function assertionClaims(file) {
  try {
    const p = JSON.parse(Buffer.from(readFileSync(file, "utf8").trim().split(".")[1], "base64url").toString());
    return { iss: p.iss, sub: p.sub, aud: p.aud };
  } catch (e) {
    return null;
  }
}
function failure(e) {
  const inner = e?.details?.error?.innererror?.code ?? e?.details?.error?.innerError?.code;
  return { ok: false, status: e?.statusCode ?? null, code: e?.code ?? e?.details?.errorCode ?? null, innerCode: inner ?? null, name: e?.name ?? null, message: short(e?.message) };
}
async function main() {
  let sdk;
  try {
    sdk = { identity: await import("@azure/identity"), blob: await import("@azure/storage-blob"), secrets: await import("@azure/keyvault-secrets") };
  } catch (e) {
    out.setup = { ok: false, message: "cannot load the Azure SDK for JavaScript (@azure/identity, @azure/storage-blob, @azure/keyvault-secrets): " + short(e?.message) };
    return;
  }
  const env = process.env;
  const missing = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"].filter((k) => !env[k]);
  out.identity = { clientId: env.AZURE_CLIENT_ID || null, tenantId: env.AZURE_TENANT_ID || null, authorityHost: env.AZURE_AUTHORITY_HOST || null, missing, assertion: env.AZURE_FEDERATED_TOKEN_FILE ? assertionClaims(env.AZURE_FEDERATED_TOKEN_FILE) : null };
  if (missing.length > 0) {
    out.token = { ok: false, name: "NotInjected", message: "Workload Identity was not injected into the pod: " + missing.join(", ") + " not set" };
    return;
  }
  const credential = new sdk.identity.WorkloadIdentityCredential({ disableInstanceDiscovery: plan.disableInstanceDiscovery === true });
  try {
    await credential.getToken(plan.tokenScope);
    out.token = { ok: true };
  } catch (e) {
    out.token = { ok: false, name: e?.name ?? null, message: short(e?.message) };
    return;
  }
  for (const b of plan.blob ?? []) {
    const entry = { account: b.account, container: b.container };
    const container = new sdk.blob.BlobServiceClient(b.url, credential, { retryOptions: { maxTries: 2 } }).getContainerClient(b.container);
    try {
      const page = (await container.listBlobsFlat().byPage({ maxPageSize: 5 }).next()).value;
      const items = page?.segment?.blobItems ?? [];
      entry.listed = items.length;
      if (items[0]) {
        await container.getBlobClient(items[0].name).getProperties();
        entry.read = true;
      }
      entry.ok = true;
    } catch (e) {
      Object.assign(entry, failure(e));
    }
    out.blob.push(entry);
    if (b.write) {
      // As the app writes: one small blob under the gate's reserved prefix, deleted again straight away.
      const w = { account: b.account, container: b.container, operation: "write", marker: b.write };
      const blob = container.getBlockBlobClient(b.write);
      const body = "azure-auth-gate probe marker: safe to delete\n";
      try {
        await blob.upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: "text/plain" } });
        w.ok = true;
        try {
          await blob.delete();
          w.cleaned = true;
        } catch (e) {
          w.cleaned = false;
          w.cleanup = failure(e);
        }
      } catch (e) {
        Object.assign(w, failure(e));
      }
      out.blob.push(w);
    }
  }
  for (const v of plan.keyVault ?? []) {
    const client = new sdk.secrets.SecretClient(v.url, credential, { disableChallengeResourceVerification: plan.disableChallengeResourceVerification === true, retryOptions: { maxRetries: 1 } });
    for (const name of v.secrets ?? []) {
      const entry = { vault: v.vault, secret: name };
      try {
        const props = (await client.getSecret(name)).properties;
        Object.assign(entry, { ok: true, enabled: props.enabled ?? null, expiresOn: props.expiresOn ? props.expiresOn.toISOString() : null });
      } catch (e) {
        Object.assign(entry, failure(e));
      }
      out.keyVault.push(entry);
    }
    if (v.list) {
      const entry = { vault: v.vault, secret: null, operation: "list" };
      try {
        const page = (await client.listPropertiesOfSecrets().byPage({ maxPageSize: 5 }).next()).value ?? [];
        Object.assign(entry, { ok: true, listed: page.length });
      } catch (e) {
        Object.assign(entry, failure(e));
      }
      out.keyVault.push(entry);
    }
  }
}
try {
  await main();
} catch (e) {
  out.setup = { ok: false, message: "the probe crashed: " + short(e?.message) };
}
console.log(JSON.stringify(out));
`;
