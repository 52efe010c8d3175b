/** AG101 (shared/static/rules/ag101.ts): credential literal in container env. */
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
    expect(found[2]?.evidence).toBe(
      "env THUMBNAIL_SAS_URL in container api of Deployment media/media-api has a literal value holding a SAS token signature (110 characters, redacted)",
    );
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
