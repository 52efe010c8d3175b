/**
 * The workload view carries the pod spec's nodeSelector, tolerations and affinity as plain JSON (the
 * live probe's Job copies them to run on the app's node pool); a wrong shape is an InputError naming
 * the field, never a silently dropped constraint.
 */
import { describe, expect, it } from "vitest";
import { toIdentityView } from "../../shared/gate/static-layer.js";
import { listWorkloads } from "../../shared/static/index.js";
import { inputError, parse } from "./helpers.js";

const POOL_TOLERATION = { key: "workload", operator: "Equal", value: "app", effect: "NoSchedule" };
const ZONE_AFFINITY = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["westeurope-1", "westeurope-2"] }] },
      ],
    },
  },
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "web" } } } },
    ],
  },
};

describe("scheduling in the workload view", () => {
  it("a Deployment: nodeSelector as strings, tolerations and affinity as plain JSON; the priority class stays out", () => {
    const [w] = listWorkloads(
      parse(`
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: production}
        spec:
          template:
            metadata: {labels: {app: web}}
            spec:
              priorityClassName: business-critical
              nodeSelector:
                agentpool: apppool
                tier: 2
              tolerations:
                - key: workload
                  operator: Equal
                  value: app
                  effect: NoSchedule
                - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms:
                      - matchExpressions:
                          - {key: topology.kubernetes.io/zone, operator: In, values: [westeurope-1, westeurope-2]}
                podAntiAffinity:
                  preferredDuringSchedulingIgnoredDuringExecution:
                    - weight: 100
                      podAffinityTerm:
                        topologyKey: kubernetes.io/hostname
                        labelSelector: {matchLabels: {app: web}}
              containers: [{name: web, image: "ghcr.io/acme/web:1"}]
      `),
    );
    // A bare number is read as its text, as the API server's map[string]string would need it quoted.
    expect(w?.nodeSelector).toEqual({ agentpool: "apppool", tier: "2" });
    expect(w?.tolerations).toEqual([
      POOL_TOLERATION,
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
    ]);
    expect(w?.affinity).toEqual(ZONE_AFFINITY);
    expect(JSON.stringify(w)).not.toContain("business-critical");
    // Plain JSON: it survives a round trip unchanged (no lines, no Maps).
    expect(JSON.parse(JSON.stringify(w?.affinity))).toEqual(ZONE_AFFINITY);
    // The gate's view of the workload groups them for the probe.
    expect(toIdentityView(w!).scheduling).toEqual({
      nodeSelector: { agentpool: "apppool", tier: "2" },
      tolerations: w?.tolerations,
      affinity: ZONE_AFFINITY,
    });
  });

  it("a CronJob: read from spec.jobTemplate.spec.template, with anchors and merge keys expanded", () => {
    const [w] = listWorkloads(
      parse(`
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly, namespace: production}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: Never
                  nodeSelector: &pool {agentpool: batchpool}
                  tolerations:
                    - &batch {key: workload, operator: Equal, value: batch, effect: NoSchedule}
                    - {<<: *batch, effect: PreferNoSchedule}
                  affinity:
                    nodeAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                        nodeSelectorTerms: [{matchExpressions: [{key: agentpool, operator: In, values: [batchpool]}]}]
                  containers: [{name: job, image: "ghcr.io/acme/web:1"}]
      `),
    );
    expect(w).toMatchObject({ kind: "CronJob", name: "nightly", isApp: false });
    expect(w?.nodeSelector).toEqual({ agentpool: "batchpool" });
    expect(w?.tolerations).toEqual([
      { key: "workload", operator: "Equal", value: "batch", effect: "NoSchedule" },
      { key: "workload", operator: "Equal", value: "batch", effect: "PreferNoSchedule" },
    ]);
    expect(w?.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "agentpool", operator: "In", values: ["batchpool"] }] }],
        },
      },
    });
  });

  it("absent when the pod spec sets none, sets them empty or null (the same as unset to the scheduler)", () => {
    const workloads = listWorkloads(
      parse(`
        apiVersion: v1
        kind: Pod
        metadata: {name: bare}
        spec:
          containers: [{name: c, image: "x:1"}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: empty}
        spec:
          template:
            spec:
              nodeSelector: {}
              tolerations: []
              affinity: {}
              containers: [{name: c, image: "x:1"}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: nulls}
        spec:
          template:
            spec:
              nodeSelector:
              tolerations: ~
              affinity: null
              containers: [{name: c, image: "x:1"}]
      `),
    );
    expect(workloads.map((w) => w.name)).toEqual(["bare", "empty", "nulls"]);
    for (const w of workloads) {
      for (const key of ["nodeSelector", "tolerations", "affinity"]) expect(w).not.toHaveProperty(key);
      expect(toIdentityView(w)).not.toHaveProperty("scheduling");
    }
  });

  it("a wrong shape is an InputError naming the file, line and field", async () => {
    const deployment = (spec: string) => `
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        template:
          spec:
            ${spec}
            containers: [{name: c, image: "x:1"}]
    `;
    const cases: Array<[string, string]> = [
      ["nodeSelector: [agentpool]", "manifests.yaml:7: spec.template.spec.nodeSelector: must be a map of node labels"],
      ["nodeSelector: {agentpool: [a, b]}", "manifests.yaml:7: spec.template.spec.nodeSelector.agentpool: must be a string, not a list"],
      ["tolerations: {key: workload}", "manifests.yaml:7: spec.template.spec.tolerations: must be a list"],
      ["tolerations: [workload]", "manifests.yaml:7: spec.template.spec.tolerations[0]: must be a map (key, operator, value, effect)"],
      ["affinity: [nodeAffinity]", "manifests.yaml:7: spec.template.spec.affinity: must be a map"],
    ];
    for (const [spec, message] of cases) {
      expect((await inputError(() => listWorkloads(parse(deployment(spec))))).oneLine()).toBe(message);
    }
    // A Pod's own spec: the field path starts at spec.
    const pod = parse(`
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        tolerations: yes
        containers: [{name: c, image: "x:1"}]
    `);
    expect((await inputError(() => listWorkloads(pod))).oneLine()).toBe("manifests.yaml:5: spec.tolerations: must be a list");
  });
});
