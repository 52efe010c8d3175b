/**
 * Secret properties (AG213) come from ARM's listing of the vault's secrets, so the gate needs nothing
 * but Reader: not a data-plane role, not an access policy, and not a network path to the vault. The
 * usual production vault (access policies, firewall closed to everything but the cluster's subnet) is
 * fully checked from a runner outside that network, and the data plane never sees the gate.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ids, runGateOn, sandboxFor } from "../../gate/sandbox-harness.js";
import { correctScenario, NAMESPACE, rg, SECRET_VALUE } from "../../gate/sandbox-scenario.js";
import type { Sandbox } from "../../sandbox/index.js";

const TARGET = `targets:
  - workload: ${NAMESPACE}/Deployment/backend
    keyVault: [{ vault: contoso-app-kv, secrets: [django-secret-key] }]
`;

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

/** The correct scenario with its vault on access policies and a firewall that admits the cluster's subnet only. */
function closedVault(expires?: string) {
  const s = correctScenario();
  const vault = rg(s).keyVaults![0]!;
  Object.assign(vault, {
    rbac: false,
    accessPolicies: [{ principal: "identity:backend-id", secrets: ["get"] }],
    defaultAction: "Deny",
    virtualNetworkRules: ["aks-nodes"],
    bypassAzureServices: false,
  });
  if (expires) vault.secrets![0]!.expires = expires;
  // The gate holds Reader on the subscription and nothing on the vault.
  expect(s.roleAssignments!.filter((a) => a.principal === "app:azure-auth-gate").map((a) => a.role)).toEqual(["Reader"]);
  return s;
}

describe("secret properties through ARM", () => {
  it("a vault closed to the runner's network, on access policies, with no policy for the gate: verified, not 'could not verify'", async () => {
    sb = await sandboxFor(closedVault(), { azurite: false });
    const before = sb.log.entries.length;
    const { report } = await runGateOn(sb, { config: TARGET });
    expect(report.findings.map((f) => [f.id, f.evidence])).toEqual([]);
    expect(report.verdict).toBe("pass");
    const calls = sb.log.entries.slice(before);
    expect(calls.filter((e) => e.service === "arm" && /\/vaults\/contoso-app-kv\/secrets$/.test(e.path)).map((e) => e.status)).toEqual([
      200,
    ]);
    expect(calls.filter((e) => e.service === "keyvault")).toEqual([]);
  }, 90_000);

  it("finds an expired secret in that vault with the exact date, and no value reaches the report", async () => {
    sb = await sandboxFor(closedVault("-1d"), { azurite: false });
    const { report } = await runGateOn(sb, { config: TARGET });
    expect(ids(report)).toEqual(["AG213"]);
    const expired = report.findings.find((f) => f.id === "AG213")!;
    const expiresOn = new Date(Math.floor((sb.state.startedAt.getTime() - 86_400_000) / 1000) * 1000).toISOString();
    expect(expired.evidence).toContain(`secret 'django-secret-key' in vault 'contoso-app-kv' expired at ${expiresOn}`);
    expect(JSON.stringify(report)).not.toContain(SECRET_VALUE);
  }, 90_000);

  it("a deny assignment on the vault's secrets for the gate: AG213 fails closed and names the read to grant", async () => {
    const s = closedVault();
    s.denyAssignments = [
      {
        name: "no-secret-metadata",
        scope: "vault:contoso-app-kv",
        principals: ["app:azure-auth-gate"],
        actions: ["Microsoft.KeyVault/vaults/secrets/read"],
      },
    ];
    sb = await sandboxFor(s, { azurite: false });
    const { report } = await runGateOn(sb, { config: TARGET });
    expect(report.verdict).toBe("fail");
    const ag213 = report.findings.find((f) => f.id === "AG213")!;
    expect(ag213.evidence).toMatch(/^could not verify: HTTP 403/);
    expect(ag213.fix).toContain("Microsoft.KeyVault/vaults/secrets/read");
  }, 90_000);
});
