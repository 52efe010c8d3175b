/**
 * The shipped examples (the demo runs the gate on them) and the gate adapter: django-broken fails with
 * the seed-000 shape (AG102, AG104, AG110), django-fixed passes with no findings at all.
 */
import { describe, expect, it } from "vitest";
import { staticLayer } from "../../shared/gate/static-layer.js";
import { verdictOf } from "../../shared/findings/model.js";
import { checkPaths, EXAMPLES, ids, loadSet } from "./helpers.js";

const CID = "3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60";

describe("examples/django-broken", () => {
  it("fails with AG102 + AG110 on the migrate hook and AG104 on the worker, at the exact keys", async () => {
    const dir = `${EXAMPLES}/django-broken`;
    const findings = await checkPaths(dir);
    expect(verdictOf(findings)).toBe("fail");
    expect(findings.map((f) => [f.id, f.target.name, f.location])).toEqual([
      ["AG102", "mysite-migrate", { file: `${dir}/job-migrate.yaml`, line: 37 }],
      ["AG104", "worker", { file: `${dir}/deployment-worker.yaml`, line: 21 }],
      ["AG110", "mysite-migrate", { file: `${dir}/job-migrate.yaml`, line: 23 }],
    ]);
    const ag102 = findings[0];
    // A migration borrows the app's identity instead of getting a new ServiceAccount.
    expect(ag102?.fix).toContain(
      `Run Job production/mysite-migrate with the identity of Deployment production/web (ServiceAccount web, client id ${CID})`,
    );
    expect(findings[2]?.fix).toContain("serviceAccountName: web");
  });
});

describe("examples/django-fixed", () => {
  it("passes with no findings", async () => {
    const findings = await checkPaths(`${EXAMPLES}/django-fixed`);
    expect(findings).toEqual([]);
    expect(verdictOf(findings)).toBe("pass");
  });
});

describe("staticLayer (gate adapter)", () => {
  it("returns findings, inputs and the workloads as WorkloadIdentityView for target discovery", async () => {
    const dir = `${EXAMPLES}/django-fixed`;
    const set = await loadSet(dir);
    const result = staticLayer(set);
    expect(result.findings).toEqual([]);
    expect(result.inputs).toEqual(
      ["configmap.yaml", "deployment-web.yaml", "deployment-worker.yaml", "job-migrate.yaml", "serviceaccount.yaml"].map(
        (f) => `${dir}/${f}`,
      ),
    );
    const sa = { file: `${dir}/serviceaccount.yaml`, line: 9 };
    expect(result.workloads).toMatchObject([
      { namespace: "production", kind: "Deployment", name: "web", serviceAccountName: "web", clientId: CID, isApp: true, location: sa },
      { namespace: "production", kind: "Deployment", name: "worker", serviceAccountName: "web", clientId: CID, isApp: true, location: sa },
      {
        namespace: "production",
        kind: "Job",
        name: "mysite-migrate",
        serviceAccountName: "web",
        clientId: CID,
        isApp: false,
        location: sa,
      },
    ]);
    // What the live probe needs: the image being deployed and the pod-template labels (not the owner's).
    for (const w of result.workloads) {
      expect(w.image).toBe("acrmysite.azurecr.io/mysite:2024.06.1");
      expect(w.podLabels?.["azure.workload.identity/use"]).toBe("true");
    }
  });

  it("points a workload without a client id at the workload itself", async () => {
    const dir = `${EXAMPLES}/django-broken`;
    const job = staticLayer(await loadSet(dir)).workloads.find((w) => w.kind === "Job");
    expect(job).toMatchObject({
      namespace: "production",
      kind: "Job",
      name: "mysite-migrate",
      serviceAccountName: "default",
      isApp: false,
      location: { file: `${dir}/job-migrate.yaml`, line: 7 },
    });
    expect(job?.clientId).toBeUndefined();
    expect(job?.podLabels?.["azure.workload.identity/use"]).toBeUndefined();
    expect(ids(staticLayer(await loadSet(dir)).findings)).toEqual(["AG102", "AG104", "AG110"]);
  });
});
