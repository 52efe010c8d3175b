/** AG106 (shared/static/rules/ag106.ts): ServiceAccount not in the manifests. */
import { describe, expect, it } from "vitest";
import { check, checkPaths, FIXTURES, only } from "../helpers.js";

describe("AG106 ServiceAccount not in the manifests", () => {
  it("fires at serviceAccountName when no manifest defines it", () => {
    const found = check(`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate, namespace: production}
      spec:
        template:
          spec:
            serviceAccountName: migrator
            containers: [{name: m, image: i}]
    `);
    expect(found.map((f) => [f.id, f.severity, f.location?.line])).toEqual([["AG106", "warning", 7]]);
    expect(found[0]?.fix).toContain("kubectl -n production get serviceaccount migrator -o yaml");
  });

  it("stays quiet for a defined ServiceAccount, an implicit default, and the explicit default", async () => {
    expect(
      check(`
        apiVersion: v1
        kind: Pod
        metadata: {name: a}
        spec:
          serviceAccountName: default
          containers: [{name: c, image: i}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b}
        spec:
          containers: [{name: c, image: i}]
      `),
    ).toEqual([]);
    expect(only(await checkPaths(`${FIXTURES}/aks-docs`), "AG106")).toEqual([]);
  });
});
