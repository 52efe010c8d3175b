/** AG104–AG107 and AG109: how the ServiceAccount, the pod label and the client ids fit together. */
import { describe, expect, it } from "vitest";
import { check, checkPaths, FIXTURES, only } from "../helpers.js";

const CID = "3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60";
const SA = `
  apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: backend
    namespace: production
    annotations:
      azure.workload.identity/client-id: "${CID}"
  ---`;

describe("correct setups stay quiet", () => {
  it("the AKS docs' ServiceAccount + Deployment give no findings", async () => {
    expect(await checkPaths(`${FIXTURES}/aks-docs`)).toEqual([]);
  });

  it("a rendered Django chart with its pre-upgrade migrate hook gives no findings", async () => {
    expect(await checkPaths(`${FIXTURES}/django-chart-rendered.yaml`)).toEqual([]);
  });
});

describe("AG104 pod template lacks the Workload Identity label", () => {
  it("fires at the pod template's labels and says the Deployment's own label does not count", () => {
    const found = check(`${SA}
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: backend
        namespace: production
        labels:
          azure.workload.identity/use: "true"
      spec:
        template:
          metadata:
            labels:
              app: backend
          spec:
            serviceAccountName: backend
            containers: [{name: backend, image: backend:1}]
    `);
    expect(found.map((f) => f.id)).toEqual(["AG104"]);
    const [f] = found;
    expect(f).toMatchObject({ severity: "error", location: { file: "manifests.yaml", line: 19 }, target: { kind: "Deployment", namespace: "production", name: "backend" } });
    expect(f?.evidence).toContain(`runs as ServiceAccount backend, annotated azure.workload.identity/client-id: ${CID} (manifests.yaml:7)`);
    expect(f?.evidence).toContain("the label is on the Deployment's own metadata.labels (line 15), which the webhook does not read");
    expect(f?.fix).toBe(
      [
        "Add the label to the pod template at spec.template.metadata.labels — a label on the Deployment's own metadata does not count: the webhook reads the pod's labels:",
        "spec:",
        "  template:",
        "    metadata:",
        "      labels:",
        '        azure.workload.identity/use: "true"',
        "The pods are recreated on the next rollout and get the token volume and AZURE_* variables then.",
      ].join("\n"),
    );
  });

  it("writes the CronJob's path, and points at the template when it has no labels at all", () => {
    const [f] = only(
      check(`${SA}
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: cleanup, namespace: production}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  serviceAccountName: backend
                  containers: [{name: cleanup, image: backend:1}]
      `),
      "AG104",
    );
    expect(f?.location?.line).toBe(16);
    expect(f?.fix).toContain("spec.jobTemplate.spec.template.metadata.labels");
    expect(f?.fix).toContain(["spec:", "  jobTemplate:", "    spec:", "      template:", "        metadata:", "          labels:", '            azure.workload.identity/use: "true"'].join("\n"));
  });

  it("treats a label value other than \"true\" as missing, and stays quiet when the label is right", () => {
    const found = check(`${SA}
      apiVersion: v1
      kind: Pod
      metadata:
        name: off
        namespace: production
        labels: {azure.workload.identity/use: "false"}
      spec:
        serviceAccountName: backend
        containers: [{name: c, image: i}]
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: on
        namespace: production
        labels: {azure.workload.identity/use: "true"}
      spec:
        serviceAccountName: backend
        containers: [{name: c, image: i}]
    `);
    expect(found.map((f) => [f.id, f.target.name, f.location?.line])).toEqual([["AG104", "off", 14]]);
    expect(found[0]?.fix).toContain("Recreate the Pod afterwards");
  });
});

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
    expect(found[0]?.evidence).toContain(`sets AZURE_CLIENT_ID=155e997f-5471-4fab-b75c-280a807716da, but ServiceAccount backend names ${CID} (manifests.yaml:7)`);
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
