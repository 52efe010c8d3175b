/** AG104 (shared/static/rules/ag104.ts): pod template lacks the Workload Identity label. */
import { describe, expect, it } from "vitest";
import { ANNOTATED_SERVICE_ACCOUNT as SA, check, CLIENT_ID as CID, only } from "../helpers.js";

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
    expect(f).toMatchObject({
      severity: "error",
      location: { file: "manifests.yaml", line: 19 },
      target: { kind: "Deployment", namespace: "production", name: "backend" },
    });
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
    expect(f?.fix).toContain(
      [
        "spec:",
        "  jobTemplate:",
        "    spec:",
        "      template:",
        "        metadata:",
        "          labels:",
        '            azure.workload.identity/use: "true"',
      ].join("\n"),
    );
  });

  it('treats a label value other than "true" as missing, and stays quiet when the label is right', () => {
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
