/** AG107 (shared/static/rules/ag107.ts): Workload Identity on the default ServiceAccount. */
import { describe, expect, it } from "vitest";
import { check, checkPaths, CLIENT_ID as CID, FIXTURES, only } from "../helpers.js";

describe("AG107 Workload Identity on the default ServiceAccount", () => {
  it("fires on an annotated default ServiceAccount, at the annotation", () => {
    const found = check(`
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: default
        namespace: production
        annotations:
          azure.workload.identity/client-id: "${CID}"
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: production}
      spec:
        template:
          metadata:
            labels: {azure.workload.identity/use: "true"}
          spec:
            containers: [{name: web, image: web:1}]
    `);
    expect(found.map((f) => [f.id, f.target.kind, f.location?.line])).toEqual([["AG107", "ServiceAccount", 7]]);
    expect(found[0]?.fix).toContain("serviceAccountName: web");
    expect(found[0]?.fix).toContain("--subject system:serviceaccount:production:web");
  });

  it("fires on a labelled pod that runs as an unseen default ServiceAccount", () => {
    const found = check(`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: production}
      spec:
        template:
          metadata:
            labels: {azure.workload.identity/use: "true"}
          spec:
            containers: [{name: web, image: web:1}]
    `);
    expect(found.map((f) => [f.id, f.target.name, f.location?.line])).toEqual([["AG107", "web", 7]]);
    expect(found[0]?.evidence).toContain("runs as the namespace's default ServiceAccount (no serviceAccountName set)");
  });

  it("stays quiet for a dedicated ServiceAccount", async () => {
    expect(only(await checkPaths(`${FIXTURES}/aks-docs`), "AG107")).toEqual([]);
  });
});
