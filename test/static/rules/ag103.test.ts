/** AG103 (shared/static/rules/ag103.ts): AAD Pod Identity. */
import { describe, expect, it } from "vitest";
import { check, checkPaths, FIXTURES, only } from "../helpers.js";

const FILE = `${FIXTURES}/seed-003-pod-identity.yaml`;

describe("AG103 AAD Pod Identity", () => {
  it("fires on the aadpodidbinding label and on each CRD, at the label / kind line", async () => {
    const found = only(await checkPaths(FILE), "AG103");
    expect(found.map((f) => [f.severity, f.target, f.location?.line])).toEqual([
      ["warning", { kind: "Deployment", namespace: "default", name: "my-app" }, 34],
      ["warning", { kind: "AzureIdentity", namespace: "default", name: "my-pod-identity" }, 3],
      ["warning", { kind: "AzureIdentityBinding", namespace: "default", name: "my-pod-identity-binding" }, 13],
    ]);
    const [label] = found;
    expect(label?.evidence).toContain(
      "carries the AAD Pod Identity label aadpodidbinding: my-app (AzureIdentityBinding my-pod-identity-binding)",
    );
    // The fix is the Workload Identity equivalent with the identity's real client id, name and resource group.
    expect(label?.fix).toContain('azure.workload.identity/client-id: "7a4f2c19-0b3e-4d58-9c61-2e8d5f1a3b70"');
    expect(label?.fix).toContain("--identity-name myPodIdentity --resource-group myResourceGroup");
    expect(label?.fix).toContain("--subject system:serviceaccount:default:my-app");
    expect(label?.fix).toContain('azure.workload.identity/use: "true"');
  });

  it("does not also call the pod-identity pod's AZURE_CLIENT_ID a half-configured EnvironmentCredential", async () => {
    expect(only(await checkPaths(FILE), "AG102")).toEqual([]);
  });

  it("fires on an AzurePodIdentityException too, and stays quiet without Pod Identity", () => {
    const found = check(`
      apiVersion: aadpodidentity.k8s.io/v1
      kind: AzurePodIdentityException
      metadata: {name: kube-proxy-exception, namespace: kube-system}
      spec:
        podLabels: {component: kube-proxy}
    `);
    expect(found.map((f) => [f.id, f.location?.line])).toEqual([["AG103", 2]]);
    expect(found[0]?.fix).toContain("kubectl -n kube-system delete azurepodidentityexception kube-proxy-exception");
    expect(
      check(`
      apiVersion: v1
      kind: Pod
      metadata: {name: p, labels: {app: web}}
      spec: {containers: [{name: c, image: i}]}
    `),
    ).toEqual([]);
  });
});
