/** The users' own manifests from the field reports (/work/shared/seeds), as fixtures. */
import { describe, expect, it } from "vitest";
import { checkPaths, FIXTURES } from "./helpers.js";

describe("field-report manifests", () => {
  it("seed-001's secretless guide (annotated ServiceAccount + labelled Pod) is clean", async () => {
    expect(await checkPaths(`${FIXTURES}/seed-001-secretless.yaml`)).toEqual([]);
  });

  it("seed-000's Key Vault CSI variant: a synced secret alone is half an EnvironmentCredential and a Kubernetes Secret", async () => {
    const file = `${FIXTURES}/seed-000-keyvault-csi.yaml`;
    const found = await checkPaths(file);
    expect(found.map((f) => [f.id, f.location?.line])).toEqual([
      ["AG108", 23],
      ["AG102", 23],
    ]);
    expect(found[1]?.evidence).toContain(
      "container backend sets AZURE_CLIENT_SECRET (Secret azure-credentials, line 23) but not AZURE_TENANT_ID, AZURE_CLIENT_ID",
    );
  });

  it("seed-000's outage and seed-003's pod identity fire exactly their rules", async () => {
    expect((await checkPaths(`${FIXTURES}/seed-000-outage.yaml`)).map((f) => f.id)).toEqual(["AG102"]);
    expect((await checkPaths(`${FIXTURES}/seed-003-pod-identity.yaml`)).map((f) => f.id)).toEqual(["AG103", "AG103", "AG103"]);
  });
});
