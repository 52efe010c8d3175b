/** AG109 (shared/static/rules/ag109.ts): AZURE_CLIENT_ID differs from the ServiceAccount's. */
import { describe, expect, it } from "vitest";
import { ANNOTATED_SERVICE_ACCOUNT as SA, check, CLIENT_ID as CID } from "../helpers.js";

describe("AG109 AZURE_CLIENT_ID differs from the ServiceAccount's", () => {
  it("fires at the container's AZURE_CLIENT_ID value, showing both ids", () => {
    const found = check(`${SA}
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: backend, namespace: production}
      spec:
        template:
          metadata:
            labels: {azure.workload.identity/use: "true"}
          spec:
            serviceAccountName: backend
            containers:
              - name: backend
                env:
                  - name: AZURE_CLIENT_ID
                    value: "155e997f-5471-4fab-b75c-280a807716da"
    `);
    expect(found.map((f) => [f.id, f.location?.line])).toEqual([["AG109", 22]]);
    expect(found[0]?.evidence).toContain(
      `sets AZURE_CLIENT_ID=155e997f-5471-4fab-b75c-280a807716da, but ServiceAccount backend names ${CID} (manifests.yaml:7)`,
    );
    expect(found[0]?.fix).toContain(`value: "${CID}"`);
  });

  it("stays quiet when they match (case-insensitively) or the container leaves it to the webhook", () => {
    const found = check(`${SA}
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: backend, namespace: production}
      spec:
        template:
          metadata:
            labels: {azure.workload.identity/use: "true"}
          spec:
            serviceAccountName: backend
            containers:
              - name: backend
                env: [{name: AZURE_CLIENT_ID, value: "${CID.toUpperCase()}"}]
              - name: sidecar
                image: sidecar:1
    `);
    expect(found).toEqual([]);
  });
});
