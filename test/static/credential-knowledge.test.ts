/**
 * The credential table (shared/static/credential-knowledge.ts) on manifests as real projects ship them
 * (test/fixtures/manifests/real-world/): the false positive on Azure's own webhook installer, and each
 * shape the gate used to miss — unprefixed service-principal names from a Secret, django-storages' names,
 * Service Bus / Event Hubs keys, PEM keys, Entra client secrets under any name. No value ever reaches a finding.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_VARIABLES, valueShape } from "../../shared/static/credential-knowledge.js";
import { check, checkPaths, FIXTURES, only } from "./helpers.js";

const REAL = `${FIXTURES}/real-world`;
const at = (fs: { id: string; location?: { line: number } }[]) => fs.map((f) => `${f.id}:${f.location?.line}`);

/** Every value in a fixture that is a credential (quoted values and PEM bodies): none may appear in a finding. */
function secretsIn(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const quoted = [...text.matchAll(/"([^"]{20,})"/g)].map((m) => m[1]!).filter((v) => valueShape(v) || /^[A-Za-z0-9+/=]{40,}$/.test(v));
  const pem = [...text.matchAll(/^\s+(MII[A-Za-z0-9+/]+)$/gm)].map((m) => m[1]!);
  return [...quoted, ...pem, ...quoted.flatMap((v) => [...v.matchAll(/(?:AccountKey|SharedAccessKey|sig)=([^;&"]+)/g)].map((m) => m[1]!))];
}

function expectNoSecrets(findings: { evidence: string; fix: string }[], file: string): void {
  const out = JSON.stringify(findings);
  const secrets = secretsIn(file);
  expect(secrets.length).toBeGreaterThan(0);
  for (const s of secrets) expect(out, s).not.toContain(s);
}

describe("credential knowledge on real manifests", () => {
  it("the Workload Identity webhook's installer (AZURE_TENANT_ID alone, from a ConfigMap) is configuration: no AG102, no finding", async () => {
    expect(await checkPaths(`${REAL}/azure-wi-webhook.yaml`)).toEqual([]);
  });

  it("a tenant id with a client id but no secret is still half a service principal (the seed-000 outage shape)", () => {
    const container = (env: string) =>
      check(`
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          template:
            spec:
              containers:
                - name: web
                  env:
${env}
      `);
    const tenant = "                    - {name: AZURE_TENANT_ID, value: 72f988bf-86f1-41af-91ab-2d7cd011db47}";
    const client = "                    - {name: AZURE_CLIENT_ID, value: 0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b}";
    const secret = "                    - {name: AZURE_CLIENT_SECRET, valueFrom: {secretKeyRef: {name: sp, key: secret}}}";
    expect(only(container(tenant), "AG102")).toEqual([]);
    expect(only(container(`${tenant}\n${client}`), "AG102")).toHaveLength(1);
    expect(only(container(`${tenant}\n${secret}`), "AG102")).toHaveLength(1);
  });

  it("AAD Pod Identity's MIC: CLIENT_SECRET from a Secret under the unprefixed names is AG108, naming its CLIENT_ID and TENANT_ID", async () => {
    const file = `${REAL}/aad-pod-identity-mic.yaml`;
    const found = only(await checkPaths(file), "AG108");
    expect(at(found)).toEqual(["AG108:77"]);
    expect(found[0]?.evidence).toContain(
      "env CLIENT_SECRET in container mic comes from Secret aadpodidentity-admin-secret (key ClientSecret) via secretKeyRef together with TENANT_ID and CLIENT_ID: a service principal's full sign-in",
    );
    expect(found[0]?.fix).toContain("delete the secret from the app registration");
  });

  it("django-storages: a literal AZURE_ACCOUNT_KEY is AG101; AZURE_CONNECTION_STRING and AZURE_SAS_TOKEN from a Secret are AG108 with a storage fix", async () => {
    const file = `${REAL}/django-storages.yaml`;
    const found = await checkPaths(file);
    expect(at(only(found, "AG101"))).toEqual(["AG101:32"]);
    expect(only(found, "AG101")[0]?.evidence).toBe(
      "env AZURE_ACCOUNT_KEY in container django of Deployment shop/shop-web has a literal value (88 characters, redacted)",
    );
    expect(only(found, "AG101")[0]?.fix).toContain("az storage account keys renew --account-name <account> --key key1");
    const fromSecret = only(found, "AG108");
    expect(fromSecret.map((f) => f.evidence.split(" (Secret key")[0])).toEqual([
      "envFrom secretRef media-storage gives container thumbnailer AZURE_CONNECTION_STRING",
      "envFrom secretRef media-storage gives container thumbnailer AZURE_SAS_TOKEN",
    ]);
    for (const f of fromSecret) {
      expect(f.fix).toContain("Storage Blob Data Contributor");
      expect(f.fix).not.toContain("app registration");
    }
    expectNoSecrets(found, file);
  });

  it("Service Bus / Event Hubs SharedAccessKey, a PEM key and a SAS URL in a ConfigMap, and an Entra client secret under any env name", async () => {
    const file = `${REAL}/servicebus-worker.yaml`;
    const found = await checkPaths(file);
    expect(only(found, "AG111").map((f) => f.evidence.replace(/ \(\d+ characters, redacted\)$/, ""))).toEqual([
      "ConfigMap shop/worker-settings data key BROKER_URL holds a Service Bus / Event Hubs shared access key",
      "ConfigMap shop/worker-settings data key SIGNING_KEY_PEM holds a PEM private key",
      "ConfigMap shop/worker-settings data key EXPORT_URL holds a SAS token signature",
    ]);
    const literals = only(found, "AG101");
    expect(literals.map((f) => f.evidence.replace(/ \(\d+ characters, redacted\)$/, ""))).toEqual([
      "env EVENTS_CONN in container celery of Deployment shop/worker has a literal value holding a Service Bus / Event Hubs shared access key",
      "env OAUTH_CLIENT in container celery of Deployment shop/worker has a literal value holding an Entra ID client secret",
    ]);
    expect(literals[0]?.fix).toContain(
      "az servicebus namespace authorization-rule keys renew --resource-group <resource-group> --namespace-name <namespace> --name <rule> --key PrimaryKey",
    );
    expect(literals[1]?.fix).toContain("az ad app credential reset --id '<app-id>'");
    // The tenant id and the SAS-less blob URL in the same ConfigMap are not credentials.
    expect(found.map((f) => f.evidence).join("\n")).not.toMatch(/AZURE_TENANT_ID|PUBLIC_URL/);
    expectNoSecrets(found, file);
  });

  it("value shapes: what is a credential, and what only looks close", () => {
    const shape = (v: string) => valueShape(v)?.what;
    expect(shape("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey=abc=")).toBe(
      "a Service Bus / Event Hubs shared access key",
    );
    expect(shape("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;EndpointSuffix=core.windows.net")).toBe(
      "a storage account key",
    );
    expect(shape("BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=abc")).toBe(
      "a shared access signature",
    );
    expect(shape("https://a.blob.core.windows.net/c?sv=2022-11-02&sig=Hk2mP9qR4tV7wX0zA3cE6g%3D")).toBe("a SAS token signature");
    expect(shape("-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----")).toBe("a PEM private key");
    expect(shape("abc8Q~0123456789abcdefghijklmnopqrstuvwx")).toBe("an Entra ID client secret");
    expect(shape("2p0fFDT4DhTcit4BSu3YaeKyC4Oq6a+niKBgfxKF31g4J7kITaY9xe3tXXkRewcCIUBjZkk51/ds5tSSd3h+zQ==")).toBe(
      "an account key (88-character base64)",
    );
    // Not credentials: ids, a public certificate, an account name alone, a URL without a signature, prose.
    for (const v of [
      "72f988bf-86f1-41af-91ab-2d7cd011db47",
      "-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----",
      "DefaultEndpointsProtocol=https;AccountName=stmedia;EndpointSuffix=core.windows.net",
      "https://stmedia.blob.core.windows.net/media/logo.png",
      "the signature= field is documented elsewhere",
    ]) {
      expect(shape(v), v).toBeUndefined();
    }
  });

  it("the table names each variable once and covers every reader the issue lists", () => {
    const names = CREDENTIAL_VARIABLES.map((v) => v.name.toUpperCase());
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      "AZURE_CLIENT_SECRET",
      "AZURE_ACCOUNT_KEY",
      "AZURE_ACCOUNT_NAME",
      "AZURE_CONNECTION_STRING",
      "AZURE_SAS_TOKEN",
      "AZURE_STORAGE_CONNECTION_STRING",
      "CLIENT_SECRET",
      "CLIENT_ID",
      "TENANT_ID",
    ]) {
      expect(names).toContain(name);
    }
    expect(new Set(CREDENTIAL_VARIABLES.map((v) => v.reader))).toEqual(
      new Set(["environment-credential", "storage-client", "django-storages", "messaging", "cosmos", "pod-identity-sp", "terraform"]),
    );
  });
});
