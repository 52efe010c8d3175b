/** AG105 (shared/static/rules/ag105.ts): label without a client id. */
import { describe, expect, it } from "vitest";
import { check, CLIENT_ID as CID, only } from "../helpers.js";

describe("AG105 label without a client id", () => {
  const unannotated = `
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: backend, namespace: production}
    ---`;

  it("fires when the ServiceAccount has no client-id annotation and no container sets AZURE_CLIENT_ID", () => {
    const found = check(`${unannotated}
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
            containers: [{name: backend, image: backend:1}]
    `);
    expect(found.map((f) => f.id)).toEqual(["AG105"]);
    expect(found[0]?.location?.line).toBe(12);
    expect(found[0]?.fix).toContain("kubectl -n production annotate serviceaccount backend azure.workload.identity/client-id=");
  });

  it("stays quiet when a container names the client id itself", () => {
    const found = check(`${unannotated}
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
                env: [{name: AZURE_CLIENT_ID, value: "${CID}"}]
    `);
    expect(only(found, "AG105")).toEqual([]);
  });
});
