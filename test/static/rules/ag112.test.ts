/** AG112 (shared/static/rules/ag112.ts): service-principal secret overrides Workload Identity. */
import { describe, expect, it } from "vitest";
import { ANNOTATED_SERVICE_ACCOUNT as SA, check, only } from "../helpers.js";

describe("AG112 service-principal secret overrides Workload Identity", () => {
  it("fires when a WI pod also gets AZURE_CLIENT_SECRET, at the secret's entry", () => {
    const found = check(`${SA}
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: backend, namespace: production}
      spec:
        template:
          metadata:
            labels:
              azure.workload.identity/use: "true"
          spec:
            serviceAccountName: backend
            containers:
              - name: backend
                env:
                  - name: AZURE_TENANT_ID
                    value: 1bb287c4-8e33-476f-bf7b-a5e274c5b0e6
                  - name: AZURE_CLIENT_SECRET
                    valueFrom:
                      secretKeyRef: {name: azure-credentials, key: AZURE_CLIENT_SECRET}
    `);
    const [f] = only(found, "AG112");
    expect(f).toMatchObject({
      severity: "warning",
      location: { line: 24 },
      target: { kind: "Deployment", namespace: "production", name: "backend" },
    });
    expect(f?.evidence).toContain(
      "container backend also gets AZURE_CLIENT_SECRET (Secret azure-credentials, line 24) with AZURE_TENANT_ID from the container's value and AZURE_CLIENT_ID injected by the webhook",
    );
    expect(f?.fix).toContain("Remove AZURE_CLIENT_SECRET from container backend in Deployment production/backend");
    expect(only(found, "AG102")).toEqual([]);
  });

  it("stays quiet without Workload Identity or without a secret", () => {
    const found = check(`${SA}
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: wi-only, namespace: production}
      spec:
        template:
          metadata:
            labels: {azure.workload.identity/use: "true"}
          spec:
            serviceAccountName: backend
            containers: [{name: app, image: app:1}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: secret-only, namespace: production}
      spec:
        template:
          spec:
            serviceAccountName: backend
            containers:
              - name: app
                env:
                  - {name: AZURE_TENANT_ID, value: 1bb287c4-8e33-476f-bf7b-a5e274c5b0e6}
                  - {name: AZURE_CLIENT_ID, value: 3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60}
                  - name: AZURE_CLIENT_SECRET
                    valueFrom: {secretKeyRef: {name: sp, key: secret}}
    `);
    expect(only(found, "AG112")).toEqual([]);
  });
});
