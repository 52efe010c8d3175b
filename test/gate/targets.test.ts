/** Target resolution: discover the ServiceAccount and client id from the manifests' workloads. */
import { describe, expect, it } from "vitest";
import { gateConfigSchema } from "../../shared/config/schema.js";
import { InputError } from "../../shared/errors.js";
import { resolveTargets, type WorkloadIdentityView } from "../../shared/gate/targets.js";

const SUB = "11111111-1111-1111-1111-111111111111";
const CID = "aaaaaaaa-0000-0000-0000-000000000001";
const config = (targets: unknown[]) => gateConfigSchema.parse({ subscriptions: [SUB], targets });

const backend: WorkloadIdentityView = {
  namespace: "production",
  kind: "Deployment",
  name: "backend",
  serviceAccountName: "backend",
  clientId: CID,
  isApp: true,
  location: { file: "k8s/sa.yaml", line: 6 },
};
const migrate: WorkloadIdentityView = {
  namespace: "production",
  kind: "Job",
  name: "migrate",
  serviceAccountName: "backend",
  clientId: CID,
  isApp: false,
};

describe("resolveTargets", () => {
  it("defaults the workload to the only app workload and discovers SA and client id", () => {
    const [t] = resolveTargets(config([{ blob: [{ account: "stmedia", container: "media" }] }]), [backend, migrate]);
    expect(t).toMatchObject({
      namespace: "production",
      kind: "Deployment",
      name: "backend",
      serviceAccount: "backend",
      clientId: CID,
      location: { file: "k8s/sa.yaml", line: 6 },
    });
    expect(t?.blob).toEqual([{ account: "stmedia", container: "media", access: "read" }]);
  });

  it("with no targets, proves every app workload that uses Workload Identity", () => {
    expect(resolveTargets(config([]), [backend, migrate]).map((t) => t.name)).toEqual(["backend"]);
  });

  it("names the field when the workload cannot be defaulted or found", () => {
    const two = [backend, { ...backend, name: "worker" }];
    expect(() => resolveTargets(config([{}]), two, "gate.yml")).toThrow(InputError);
    expect(() => resolveTargets(config([{}, { workload: "production/Deployment/nope" }]), [backend], "gate.yml")).toThrow(
      "workload 'production/Deployment/nope' is not in the manifests (they have: production/Deployment/backend)",
    );
    const err = (() => {
      try {
        resolveTargets(config([{}, { workload: "production/Deployment/nope" }]), [backend], "gate.yml");
      } catch (e) {
        return e as InputError;
      }
      return undefined;
    })();
    expect(err?.oneLine()).toMatch(/^gate\.yml: targets\[1\]\.workload: /);
  });

  it("without manifests needs the ServiceAccount; an overridden ServiceAccount does not inherit another's client id", () => {
    expect(() => resolveTargets(config([{ workload: "production/Deployment/backend" }]), [])).toThrow(/serviceAccount/);
    const [t] = resolveTargets(config([{ workload: "production/Deployment/backend", serviceAccount: "other" }]), [backend]);
    expect(t?.serviceAccount).toBe("other");
    expect(t?.clientId).toBeUndefined();
  });
});
