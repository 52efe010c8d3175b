/** AG108 (shared/static/rules/ag108.ts): service-principal secret from a Kubernetes Secret. */
import { describe, expect, it } from "vitest";
import { check, checkPaths, FIXTURES, only } from "../helpers.js";

const FILE = `${FIXTURES}/literal-secrets.yaml`;

describe("AG108 service-principal secret from a Kubernetes Secret", () => {
  it("fires for secretKeyRef, pointing at the env entry's name", async () => {
    const found = only(await checkPaths(FILE), "AG108");
    expect(found.map((f) => [f.location?.line, f.evidence])).toEqual([
      [
        59,
        "env AZURE_CLIENT_SECRET in container uploader comes from Secret sp-credentials (key client-secret) via secretKeyRef; Kubernetes Secrets are base64-encoded, not encrypted, and this one must be rotated by hand",
      ],
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
    expect(found[0]).toMatchObject({
      location: { line: 19 },
      evidence: expect.stringContaining("envFrom secretRef azure-credentials gives container backend AZURE_CLIENT_SECRET"),
    });
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
