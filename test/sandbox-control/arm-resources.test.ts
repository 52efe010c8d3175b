import { ContainerServiceClient } from "@azure/arm-containerservice";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { StorageManagementClient } from "@azure/arm-storage";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUER, P, SUB, SUBNET, TENANT } from "./fixtures.js";
import { mintAccessToken } from "./control-plane-server.js";
import { collect, failure, startControlPlane, type ControlPlane } from "./setup.js";

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ pageSize: 2 });
});
afterAll(async () => {
  await cp.stop();
});

async function armFetch(
  path: string,
  init: RequestInit & { token?: string | null } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set("authorization", `Bearer ${init.token ?? cp.armToken(P.gate)}`);
  const res = await fetch(`${cp.arm.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe("authentication", () => {
  it("answers 401 AuthenticationFailed with WWW-Authenticate when the token is missing", async () => {
    const r = await armFetch(`/subscriptions/${SUB}?api-version=2022-12-01`, { token: null });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("AuthenticationFailed");
    expect(r.body.error.message).toContain("'Authorization' header is missing");
    expect(r.headers.get("www-authenticate")).toMatch(new RegExp(`^Bearer authorization_uri=".*/${TENANT}", error="invalid_token"`));
    expect(r.headers.get("x-ms-request-id")).toBeTruthy();
  });

  it("refuses a token for another audience, an expired one and a forged one", async () => {
    const graphToken = cp.graphToken(P.gate, []);
    const wrongAud = await armFetch(`/subscriptions/${SUB}?api-version=2022-12-01`, { token: graphToken });
    expect(wrongAud.status).toBe(401);
    expect(wrongAud.body.error.code).toBe("InvalidAuthenticationTokenAudience");
    const expired = await armFetch(`/subscriptions/${SUB}?api-version=2022-12-01`, {
      token: mintAccessToken(cp.state, { oid: P.gate, aud: "https://management.azure.com", expiresIn: -60 }),
    });
    expect(expired.body.error.code).toBe("ExpiredAuthenticationToken");
    const forged = cp.armToken(P.gate).replace(/\.[^.]+$/, ".AAAA");
    const bad = await armFetch(`/subscriptions/${SUB}?api-version=2022-12-01`, { token: forged });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("InvalidAuthenticationToken");
  });

  it("accepts the sandbox ARM URL itself as audience (older SDKs derive the scope from the endpoint)", async () => {
    const r = await armFetch(`/subscriptions/${SUB}?api-version=2022-12-01`, {
      token: mintAccessToken(cp.state, { oid: P.gate, aud: cp.arm.url }),
    });
    expect(r.status).toBe(200);
  });
});

describe("ARM conventions", () => {
  it("puts throttling and correlation headers on every response, errors included", async () => {
    const ok = await armFetch(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`, {
      headers: { "x-ms-correlation-request-id": "corr-1" },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-ms-correlation-request-id")).toBe("corr-1");
    expect(Number(ok.headers.get("x-ms-ratelimit-remaining-subscription-reads"))).toBeGreaterThan(0);
    const missing = await armFetch(`/subscriptions/${SUB}/resourcegroups/nope?api-version=2021-04-01`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-ms-ratelimit-remaining-subscription-reads")).toBeTruthy();
    expect(missing.headers.get("x-ms-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("rejects missing and unknown api-versions like ARM", async () => {
    const none = await armFetch(`/subscriptions/${SUB}`);
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe("MissingApiVersionParameter");
    const rg = await armFetch(`/subscriptions/${SUB}/resourcegroups?api-version=2099-01-01`);
    expect(rg.body.error.code).toBe("InvalidApiVersionParameter");
    const aks = await armFetch(
      `/subscriptions/${SUB}/resourceGroups/app-rg/providers/Microsoft.ContainerService/managedClusters/aks-prod?api-version=2021-05-01`,
    );
    expect(aks.status).toBe(400);
    expect(aks.body.error.code).toBe("NoRegisteredProviderFound");
    expect(aks.body.error.message).toContain("'2026-06-01'");
  });

  it("answers the documented 404 bodies", async () => {
    const sub = await armFetch(`/subscriptions/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}?api-version=2022-12-01`);
    expect(sub).toMatchObject({ status: 404, body: { error: { code: "SubscriptionNotFound" } } });
    const rg = await armFetch(
      `/subscriptions/${SUB}/resourceGroups/ghost-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x?api-version=2023-01-31`,
    );
    expect(rg.body.error).toEqual({ code: "ResourceGroupNotFound", message: "Resource group 'ghost-rg' could not be found." });
    const res = await armFetch(
      `/subscriptions/${SUB}/resourceGroups/app-rg/providers/Microsoft.ContainerService/managedClusters/ghost?api-version=2026-06-01`,
    );
    expect(res.body.error.code).toBe("ResourceNotFound");
    expect(res.body.error.message).toBe(
      "The Resource 'Microsoft.ContainerService/managedClusters/ghost' under resource group 'app-rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    );
  });

  it("answers 403 AuthorizationFailed in Azure's words to an identity without Reader, before revealing existence", async () => {
    const scope = `/subscriptions/${SUB}/resourceGroups/app-rg/providers/Microsoft.ContainerService/managedClusters/ghost`;
    const r = await armFetch(`${scope}?api-version=2026-06-01`, { token: cp.armToken(P.nobody) });
    expect(r.status).toBe(403);
    expect(r.body.error).toEqual({
      code: "AuthorizationFailed",
      message: `The client '${P.nobody}' with object id '${P.nobody}' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/read' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    });
  });

  it("lists only the subscriptions and resource groups the caller can see, paging with nextLink", async () => {
    const subs = await armFetch(`/subscriptions?api-version=2022-12-01`);
    expect(subs.body.value.map((s: any) => s.subscriptionId)).toEqual([SUB]);
    expect((await armFetch(`/subscriptions?api-version=2022-12-01`, { token: cp.armToken(P.nobody) })).body.value).toEqual([]);
    expect((await armFetch(`/tenants?api-version=2022-12-01`)).body.value[0].tenantId).toBe(TENANT);
    const page1 = await armFetch(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`);
    expect(page1.body.value).toHaveLength(2);
    expect(page1.body.nextLink).toMatch(
      new RegExp(`^${cp.arm.url}/subscriptions/${SUB}/resourcegroups\\?api-version=2021-04-01&%24skipToken=`),
    );
    const page2 = await armFetch(page1.body.nextLink.slice(cp.arm.url.length));
    expect(page2.body.value.map((g: any) => g.name)).toEqual(["other-rg"]);
    expect(page2.body.nextLink).toBeUndefined();
    expect((await armFetch(`/subscriptions/${SUB}/resourcegroups/app-rg?api-version=2021-04-01`, { method: "HEAD" })).status).toBe(204);
    expect((await armFetch(`/subscriptions/${SUB}/resourcegroups/ghost?api-version=2021-04-01`, { method: "HEAD" })).status).toBe(404);
    const narrow = await armFetch(`/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`, { token: cp.armToken(P.rgReader) });
    expect(narrow.body.value.map((g: any) => g.name)).toEqual(["app-rg"]);
  });
});

describe("managed clusters (@azure/arm-containerservice)", () => {
  it("gets a cluster with its OIDC issuer, Workload Identity and node subnet", async () => {
    const client = new ContainerServiceClient(cp.credential(P.gate), SUB, cp.clientOptions());
    const mc = await client.managedClusters.get("app-rg", "aks-prod");
    expect(mc.oidcIssuerProfile).toEqual({ enabled: true, issuerURL: ISSUER });
    expect(mc.securityProfile?.workloadIdentity?.enabled).toBe(true);
    expect(mc.agentPoolProfiles?.[0]?.vnetSubnetID).toBe(SUBNET);
    expect(mc.networkProfile?.networkPlugin).toBe("azure");
    const legacy = await client.managedClusters.get("app-rg", "aks-legacy");
    expect(legacy.oidcIssuerProfile?.enabled).toBe(false);
    expect(legacy.oidcIssuerProfile?.issuerURL).toBeUndefined();
    expect(legacy.securityProfile?.workloadIdentity).toBeUndefined();
  });

  it("lists by resource group and subscription across pages", async () => {
    const client = new ContainerServiceClient(cp.credential(P.gate), SUB, cp.clientOptions());
    expect((await collect(client.managedClusters.listByResourceGroup("app-rg"))).map((c) => c.name)).toEqual(["aks-prod", "aks-legacy"]);
    expect(await collect(client.managedClusters.list())).toHaveLength(2);
  });

  it("hands out a kubeconfig pointing at the sandbox Kubernetes API, with token auth for the AKS server app", async () => {
    const client = new ContainerServiceClient(cp.credential(P.gate), SUB, cp.clientOptions());
    // Reader may not list user credentials.
    expect((await failure(client.managedClusters.listClusterUserCredentials("app-rg", "aks-prod"))).statusCode).toBe(403);
    cp.state.roleAssignments.push({
      ...cp.state.roleAssignments[0]!,
      name: "uc",
      principalId: P.gate,
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`,
    });
    try {
      const creds = await client.managedClusters.listClusterUserCredentials("app-rg", "aks-prod");
      const kubeconfig = parse(Buffer.from(creds.kubeconfigs![0]!.value!).toString("utf8"));
      expect(kubeconfig.clusters[0].cluster.server).toBe("https://127.0.0.1:9444/clusters/aks-prod");
      expect(kubeconfig.users[0].user.token).toContain("6dae42f8-4368-4678-94ff-3960e28e3630");
      expect(kubeconfig.users[0].user.exec).toBeUndefined();
    } finally {
      cp.state.roleAssignments = cp.state.roleAssignments.filter((a) => a.name !== "uc");
    }
  });

  it("denies a caller with no role at all", async () => {
    const client = new ContainerServiceClient(cp.credential(P.nobody), SUB, cp.clientOptions());
    const err = await failure(client.managedClusters.get("app-rg", "aks-prod"));
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe("AuthorizationFailed");
  });
});

describe("storage accounts (@azure/arm-storage)", () => {
  it("shows the network rule set, public access and private endpoints", async () => {
    const client = new StorageManagementClient(cp.credential(P.gate), SUB, cp.clientOptions());
    const acct = await client.storageAccounts.getProperties("app-rg", "appstore");
    expect(acct.publicNetworkAccess).toBe("Enabled");
    expect(acct.networkRuleSet?.defaultAction).toBe("Deny");
    expect(acct.networkRuleSet?.bypass).toBe("AzureServices");
    expect(acct.networkRuleSet?.virtualNetworkRules?.map((r) => r.virtualNetworkResourceId)).toEqual([SUBNET]);
    expect(acct.networkRuleSet?.ipRules?.map((r) => r.iPAddressOrRange)).toEqual(["20.50.60.70"]);
    expect(acct.privateEndpointConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe("Approved");
    expect(acct.primaryEndpoints?.blob).toBe("https://127.0.0.1:9445/blob/appstore/");
    expect((await collect(client.storageAccounts.list())).map((a) => a.name)).toEqual(["appstore"]);
  });

  it("lists and gets blob containers; a missing one is a 404", async () => {
    const client = new StorageManagementClient(cp.credential(P.gate), SUB, cp.clientOptions());
    expect((await collect(client.blobContainers.list("app-rg", "appstore"))).map((c) => c.name)).toEqual(["uploads", "media"]);
    const c = await client.blobContainers.get("app-rg", "appstore", "media");
    expect(c.id).toMatch(/\/blobServices\/default\/containers\/media$/);
    expect((await failure(client.blobContainers.get("app-rg", "appstore", "nope"))).statusCode).toBe(404);
  });

  it("lets a container-scoped role read that container only", async () => {
    const client = new StorageManagementClient(cp.credential(P.backend), SUB, cp.clientOptions());
    expect((await client.blobContainers.get("app-rg", "appstore", "uploads")).name).toBe("uploads");
    expect((await failure(client.blobContainers.get("app-rg", "appstore", "media"))).statusCode).toBe(403);
  });
});

describe("key vaults (@azure/arm-keyvault)", () => {
  it("gets RBAC and access-policy vaults with their network rules and URI", async () => {
    const client = new KeyVaultManagementClient(cp.credential(P.gate), SUB, cp.clientOptions());
    const rbac = await client.vaults.get("app-rg", "app-kv");
    expect(rbac.properties.enableRbacAuthorization).toBe(true);
    expect(rbac.properties.vaultUri).toBe("https://127.0.0.1:9443/vaults/app-kv/");
    const legacy = await client.vaults.get("app-rg", "legacy-kv");
    expect(legacy.properties.enableRbacAuthorization).toBe(false);
    expect(legacy.properties.publicNetworkAccess).toBe("Disabled");
    expect(legacy.properties.accessPolicies?.[0]).toMatchObject({ objectId: P.worker, permissions: { secrets: ["get", "list"] } });
    expect((await collect(client.vaults.listByResourceGroup("app-rg"))).map((v) => v.name)).toEqual(["app-kv", "legacy-kv"]);
    expect((await collect(client.vaults.list())).map((v) => v.type)).toEqual(["Microsoft.KeyVault/vaults", "Microsoft.KeyVault/vaults"]);
  });

  it("lists secret properties through ARM for a Reader — never a value, whatever the vault's network and permission model", async () => {
    const vault = cp.state.keyVaults.find((v) => v.name === "legacy-kv")!; // access policies, public network disabled
    const version = (v: string, over: Record<string, unknown> = {}) => ({
      version: v,
      value: `value-${v}-must-not-leave`,
      enabled: true,
      created: 1_764_000_000,
      updated: 1_764_000_100,
      tags: {},
      ...over,
    });
    const saved = vault.secrets;
    vault.secrets = [
      { name: "db-password", versions: [version("1"), version("2", { expires: 1_800_000_000, notBefore: 1_760_000_000 })] },
      { name: "api-key", versions: [version("3", { enabled: false })] },
      { name: "old-key", versions: [version("4")], deletedOn: 1_764_000_200 },
      { name: "smtp", versions: [version("5", { contentType: "text/plain" })] },
    ];
    try {
      const gate = new KeyVaultManagementClient(cp.credential(P.gate), SUB, cp.clientOptions());
      const page = await gate.secrets.list("app-rg", "legacy-kv").byPage().next();
      expect(page.value).toHaveLength(2); // pageSize 2: the SDK follows nextLink for the rest
      const all = await collect(gate.secrets.list("app-rg", "legacy-kv"));
      expect(all.map((x) => x.name)).toEqual(["db-password", "api-key", "smtp"]); // the soft-deleted one is gone
      const db = all[0]!;
      expect(db.type).toBe("Microsoft.KeyVault/vaults/secrets");
      expect(db.properties.attributes?.expires?.toISOString()).toBe("2027-01-15T08:00:00.000Z");
      expect(db.properties.attributes?.notBefore?.toISOString()).toBe("2025-10-09T08:53:20.000Z");
      expect(db.properties.secretUriWithVersion).toMatch(/\/secrets\/db-password\/2$/);
      expect(all[1]!.properties.attributes?.enabled).toBe(false);
      expect(all[2]!.properties.contentType).toBe("text/plain");
      const raw = await armFetch(`${vault.id}/secrets?api-version=2023-07-01&$top=10`);
      expect(raw.status).toBe(200);
      expect(JSON.stringify(raw.body)).not.toContain("must-not-leave");
      expect(raw.body.value.every((x: { properties: object }) => !("value" in x.properties))).toBe(true);
      expect((await gate.secrets.get("app-rg", "legacy-kv", "smtp")).name).toBe("smtp");
      expect((await failure(gate.secrets.get("app-rg", "legacy-kv", "old-key"))).statusCode).toBe(404);
      // ARM authorizes by RBAC alone: no role, or a data-plane role only, is refused.
      for (const who of [P.nobody, P.backend]) {
        const denied = await failure(
          new KeyVaultManagementClient(cp.credential(who), SUB, cp.clientOptions()).secrets.list("app-rg", "app-kv").next(),
        );
        expect(denied.statusCode).toBe(403);
        expect(denied.code).toBe("AuthorizationFailed");
      }
      expect((await armFetch(`${vault.id}/secrets/smtp?api-version=2023-07-01`, { method: "PUT", body: "{}" })).status).toBe(405);
    } finally {
      vault.secrets = saved;
    }
  });

  it("updates access policies in the live state, and only for a caller allowed to", async () => {
    const reader = new KeyVaultManagementClient(cp.credential(P.gate), SUB, cp.clientOptions());
    const params = {
      properties: { accessPolicies: [{ tenantId: TENANT, objectId: P.backend, permissions: { secrets: ["get" as const] } }] },
    };
    expect((await failure(reader.vaults.updateAccessPolicy("app-rg", "legacy-kv", "add", params))).statusCode).toBe(403);
    cp.state.roleAssignments.push({
      ...cp.state.roleAssignments[0]!,
      name: "kvc",
      principalId: P.gate,
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
    });
    try {
      const result = await reader.vaults.updateAccessPolicy("app-rg", "legacy-kv", "add", params);
      expect(result.properties.accessPolicies.map((p) => p.objectId)).toContain(P.backend);
      expect(
        cp.state.keyVaults.find((v) => v.name === "legacy-kv")!.accessPolicies.find((p) => p.objectId === P.backend)?.permissions.secrets,
      ).toEqual(["get"]);
      await reader.vaults.updateAccessPolicy("app-rg", "legacy-kv", "remove", params);
      expect(cp.state.keyVaults.find((v) => v.name === "legacy-kv")!.accessPolicies.some((p) => p.objectId === P.backend)).toBe(false);
    } finally {
      cp.state.roleAssignments = cp.state.roleAssignments.filter((a) => a.name !== "kvc");
    }
  });
});
