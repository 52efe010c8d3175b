/** AG101 (literal credential in env), AG108 (SP secret from a Kubernetes Secret), AG111 (credential in a ConfigMap). */
import { describe, expect, it } from "vitest";
import { check, checkPaths, FIXTURES, only } from "../helpers.js";

const FILE = `${FIXTURES}/literal-secrets.yaml`;

describe("AG101 credential literal in container env", () => {
  it("fires on each literal credential, pointing at its `value` key", async () => {
    const found = only(await checkPaths(FILE), "AG101");
    expect(found.map((f) => f.location)).toEqual([
      { file: FILE, line: 51 },
      { file: FILE, line: 53 },
      { file: FILE, line: 55 },
    ]);
    expect(found[0]).toMatchObject({
      severity: "error",
      target: { kind: "Deployment", namespace: "media", name: "media-api" },
      evidence: "env AZURE_CLIENT_SECRET in container api of Deployment media/media-api has a literal value (42 characters, redacted)",
    });
    expect(found[1]?.evidence).toContain("env AZURE_STORAGE_CONNECTION_STRING in container api");
    expect(found[2]?.evidence).toBe("env THUMBNAIL_SAS_URL in container api of Deployment media/media-api has a literal value holding a SAS token signature (110 characters, redacted)");
    expect(found[0]?.fix).toContain("Delete the `value:` of env AZURE_CLIENT_SECRET from container api in Deployment media/media-api");
    expect(found[0]?.fix).toContain('azure.workload.identity/use: "true"');
    // The app id to rotate is the container's own AZURE_CLIENT_ID.
    expect(found[0]?.fix).toContain("az ad app credential reset --id e2b4c6d8-1a3f-4e5b-9c7d-8f6e5d4c3b2a");
  });

  it("recognises AccountKey= and SharedAccessSignature= in any variable, and every named credential variable", () => {
    const found = only(
      check(`
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: c
              env:
                - name: DATABASE_BLOB
                  value: "BlobEndpoint=https://x.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=abc"
                - name: MEDIA
                  value: "DefaultEndpointsProtocol=https;AccountName=a;accountkey=Zm9v"
                - name: AZURE_CLIENT_CERTIFICATE_PASSWORD
                  value: hunter2
                - name: AZURE_STORAGE_KEY
                  value: Zm9vYmFy
      `),
      "AG101",
    );
    expect(found.map((f) => f.location?.line)).toEqual([9, 11, 13, 15]);
    expect(found[0]?.evidence).toContain("holding a shared access signature");
    expect(found[1]?.evidence).toContain("holding a storage account key");
  });

  it("stays quiet on the correct setup: non-secret literals, empty values, secretKeyRef", () => {
    const found = check(`
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        containers:
          - name: c
            env:
              - name: AZURE_STORAGE_ACCOUNT_NAME
                value: stmedia
              - name: AZURE_CLIENT_SECRET
                value: ""
              - name: DESIGN=X
                value: "design=blue"
              - name: BLOB_URL
                value: "https://stmedia.blob.core.windows.net/media"
    `);
    expect(only(found, "AG101")).toEqual([]);
  });
});

describe("AG108 service-principal secret from a Kubernetes Secret", () => {
  it("fires for secretKeyRef, pointing at the env entry's name", async () => {
    const found = only(await checkPaths(FILE), "AG108");
    expect(found.map((f) => [f.location?.line, f.evidence])).toEqual([
      [59, "env AZURE_CLIENT_SECRET in container uploader comes from Secret sp-credentials (key client-secret) via secretKeyRef; Kubernetes Secrets are base64-encoded, not encrypted, and this one must be rotated by hand"],
      [64, expect.stringContaining("env AZURE_CLIENT_CERTIFICATE_PASSWORD in container uploader comes from Secret sp-credentials")],
    ]);
    expect(found[0]?.severity).toBe("warning");
    expect(found[0]?.fix).toContain("Secrets Store CSI driver");
  });

  it("fires for envFrom secretRef when the manifests define the Secret (seed-000 solution 2)", () => {
    const found = only(
      check(`
        apiVersion: v1
        kind: Secret
        metadata: {name: azure-credentials, namespace: production}
        stringData:
          AZURE_CLIENT_SECRET: s3cr3t-value
          AZURE_TENANT_ID: 1bb287c4-8e33-476f-bf7b-a5e274c5b0e6
          AZURE_CLIENT_ID: 155e997f-5471-4fab-b75c-280a807716da
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: backend, namespace: production}
        spec:
          template:
            spec:
              containers:
                - name: backend
                  envFrom:
                    - secretRef:
                        name: azure-credentials
      `),
      "AG108",
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ location: { line: 19 }, evidence: expect.stringContaining("envFrom secretRef azure-credentials gives container backend AZURE_CLIENT_SECRET") });
  });

  it("does not guess about a Secret the manifests do not define", () => {
    const found = check(`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: backend, namespace: production}
      spec:
        template:
          spec:
            containers:
              - name: backend
                envFrom:
                  - secretRef:
                      name: azure-credentials
    `);
    expect(found).toEqual([]);
  });
});

describe("AG111 credential in a ConfigMap", () => {
  it("fires on credential keys and credential-shaped values, at the data key's line", async () => {
    const found = only(await checkPaths(FILE), "AG111");
    expect(found.map((f) => [f.location?.line, f.target])).toEqual([
      [10, { kind: "ConfigMap", namespace: "media", name: "legacy-settings" }],
      [11, { kind: "ConfigMap", namespace: "media", name: "legacy-settings" }],
    ]);
    expect(found[0]?.evidence).toBe("ConfigMap media/legacy-settings data key AZURE_STORAGE_KEY holds a credential (90 characters, redacted)");
    expect(found[1]?.evidence).toContain("data key BACKUP_URL holds a SAS token signature");
    expect(found[0]?.fix).toContain("kubectl -n media edit configmap legacy-settings");
  });

  it("stays quiet on ordinary settings", () => {
    expect(
      check(`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: django-settings}
        data:
          AZURE_STORAGE_ACCOUNT_NAME: stmedia
          AZURE_STORAGE_CONTAINER: media
          MEDIA_URL: https://stmedia.blob.core.windows.net/media/
      `),
    ).toEqual([]);
  });
});
