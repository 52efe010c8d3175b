/** AG102 (shared/static/rules/ag102.ts): half-configured EnvironmentCredential. */
import { describe, expect, it } from "vitest";
import { ANNOTATED_SERVICE_ACCOUNT as SA, check, checkPaths, FIXTURES, only } from "../helpers.js";

describe("AG102 half-configured EnvironmentCredential", () => {
  it("fires on the seed-000 outage: leftover tenant + client id, no secret, no Workload Identity", async () => {
    const file = `${FIXTURES}/seed-000-outage.yaml`;
    const found = await checkPaths(file);
    expect(found.map((f) => f.id)).toEqual(["AG102"]);
    const [f] = found;
    expect(f).toMatchObject({
      severity: "error",
      target: { kind: "Deployment", namespace: "production", name: "backend-django" },
      location: { file, line: 22 },
    });
    expect(f?.evidence).toBe(
      'container backend sets AZURE_TENANT_ID (value, line 22), AZURE_CLIENT_ID (value, line 24) but not AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH; the pod template has no label azure.workload.identity/use: "true", so no federated token is injected. EnvironmentCredential is "not fully configured", WorkloadIdentityCredential has no token file, and DefaultAzureCredential fails with "failed to retrieve a token from the included credentials"',
    );
    // The fix wires WI with the user's names and says which leftovers to delete.
    expect(f?.fix).toContain("delete the leftover env AZURE_TENANT_ID, AZURE_CLIENT_ID from container backend");
    expect(f?.fix).toContain("serviceAccountName: backend-django");
    expect(f?.fix).toContain("--subject system:serviceaccount:production:backend-django");
  });

  it("counts envFrom ConfigMaps and valueFrom Secrets the manifests define", () => {
    const found = only(
      check(`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: azure, namespace: production}
        data:
          AZURE_TENANT_ID: 1bb287c4-8e33-476f-bf7b-a5e274c5b0e6
          AZURE_CLIENT_ID: 0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate, namespace: production}
        spec:
          template:
            spec:
              containers:
                - name: migrate
                  command: ["python", "manage.py", "migrate"]
                  envFrom:
                    - configMapRef:
                        name: azure
      `),
      "AG102",
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.location?.line).toBe(19);
    // A service principal's tenant + client id without its secret (a tenant id alone is configuration: see below).
    expect(found[0]?.evidence).toContain(
      "sets AZURE_TENANT_ID (ConfigMap azure, line 19), AZURE_CLIENT_ID (ConfigMap azure, line 19) but not AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH",
    );
  });

  it("says the label on the Deployment's own metadata does not count", () => {
    const [f] = only(
      check(`${SA}
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: backend
          namespace: production
          labels:
            azure.workload.identity/use: "true"
        spec:
          template:
            spec:
              serviceAccountName: backend
              containers:
                - name: backend
                  env:
                    - name: AZURE_TENANT_ID
                      value: 1bb287c4-8e33-476f-bf7b-a5e274c5b0e6
                    - name: AZURE_CLIENT_ID
                      value: 0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b
      `),
      "AG102",
    );
    expect(f?.evidence).toContain("it is on the Deployment's own metadata, which the webhook does not read");
    expect(f?.fix).toContain(
      "ServiceAccount backend already names client id 3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60; add the pod label under spec.template.metadata.labels",
    );
  });

  it("stays quiet with working Workload Identity, a full secret set, nothing set, or what it cannot see", () => {
    const found = check(`${SA}
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: wi, namespace: production}
      spec:
        template:
          metadata:
            labels: {azure.workload.identity/use: "true"}
          spec:
            serviceAccountName: backend
            containers:
              - name: app
                env:
                  - name: AZURE_TENANT_ID
                    value: 1bb287c4-8e33-476f-bf7b-a5e274c5b0e6
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: full, namespace: production}
      spec:
        template:
          spec:
            containers:
              - name: app
                env:
                  - {name: AZURE_TENANT_ID, value: 1bb287c4-8e33-476f-bf7b-a5e274c5b0e6}
                  - {name: AZURE_CLIENT_ID, value: 155e997f-5471-4fab-b75c-280a807716da}
                  - name: AZURE_CLIENT_CERTIFICATE_PATH
                    value: /certs/sp.pem
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: unseen, namespace: production}
      spec:
        template:
          spec:
            containers:
              - name: app
                envFrom:
                  - secretRef: {name: created-by-kubectl}
                env:
                  - {name: AZURE_TENANT_ID, value: 1bb287c4-8e33-476f-bf7b-a5e274c5b0e6}
                  - {name: AZURE_CLIENT_ID, value: 155e997f-5471-4fab-b75c-280a807716da}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: nothing, namespace: production}
      spec:
        template:
          spec:
            containers:
              - name: app
                env:
                  - {name: AZURE_STORAGE_ACCOUNT_NAME, value: stmedia}
    `);
    expect(only(found, "AG102")).toEqual([]);
  });
});
