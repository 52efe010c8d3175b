import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKql, runKql } from "../sandbox/services/arm/kql.js";
import { ISSUER, P, SUB, SUB2 } from "./fixtures.js";
import { failure, startControlPlane, type ControlPlane } from "./setup.js";

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp.stop();
});

const graph = (oid: string) => new ResourceGraphClient(cp.credential(oid), cp.clientOptions());
const IDENTITIES = "Resources | where type =~ 'microsoft.managedidentity/userassignedidentities'";

describe("Resource Graph (@azure/arm-resourcegraph)", () => {
  it("finds user-assigned identities by client id and projects columns the KQL way", async () => {
    const [a, b] = cp.state.identities;
    const res = await graph(P.gate).resources({
      query: `${IDENTITIES} | where properties.clientId in~ ('${a!.clientId.toUpperCase()}', '${b!.clientId}') | project name, properties.clientId, principalId = properties.principalId`,
      subscriptions: [SUB],
    });
    expect(res.totalRecords).toBe(2);
    expect(res.data).toEqual([
      { name: "backend-id", properties_clientId: a!.clientId, principalId: a!.principalId },
      { name: "worker-id", properties_clientId: b!.clientId, principalId: b!.principalId },
    ]);
  });

  it("lists federated identity credentials as rows of their own type", async () => {
    const res = await graph(P.gate).resources({
      query:
        "Resources | where type =~ 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials' | project id, issuer = properties.issuer, subject = tostring(properties.subject)",
    });
    expect(res.data).toEqual([
      {
        id: expect.stringMatching(/userAssignedIdentities\/backend-id\/federatedIdentityCredentials\/aks-backend$/),
        issuer: ISSUER,
        subject: "system:serviceaccount:app:backend",
      },
    ]);
  });

  it("queries role assignments in AuthorizationResources by principal", async () => {
    const res = await graph(P.gate).resources({
      query: `AuthorizationResources | where type =~ 'microsoft.authorization/roleassignments' | where properties.principalId in~ ('${P.backend}') | extend roleId = tostring(properties.roleDefinitionId) | project scope = properties.scope, roleId | order by scope asc`,
    });
    expect(res.count).toBe(2);
    expect((res.data as { scope: string }[]).map((r) => r.scope.split("/").pop())).toEqual(["app-kv", "uploads"]);
  });

  it("pages with options.$top and $skipToken", async () => {
    const c = graph(P.gate);
    const first = await c.resources({ query: IDENTITIES, options: { top: 2 } });
    expect([first.count, first.totalRecords]).toEqual([2, 5]);
    expect(first.skipToken).toBeTruthy();
    const second = await c.resources({ query: IDENTITIES, options: { top: 2, skipToken: first.skipToken! } });
    const third = await c.resources({ query: IDENTITIES, options: { top: 2, skipToken: second.skipToken! } });
    expect(third.count).toBe(1);
    expect(third.skipToken).toBeUndefined();
    const names = [first, second, third].flatMap((r) => (r.data as { name: string }[]).map((x) => x.name));
    expect(new Set(names).size).toBe(5);
  });

  it("shows a caller only what it may read, within the subscriptions asked for", async () => {
    const narrow = await graph(P.rgReader).resources({ query: `${IDENTITIES} | project resourceGroup` });
    expect((narrow.data as { resourceGroup: string }[]).map((r) => r.resourceGroup)).toEqual(["app-rg", "app-rg", "app-rg", "app-rg"]);
    expect((await graph(P.nobody).resources({ query: IDENTITIES })).totalRecords).toBe(0);
    expect((await graph(P.gate).resources({ query: IDENTITIES, subscriptions: [SUB2] })).totalRecords).toBe(0);
  });

  it("answers 400 'Query is invalid' for KQL the sandbox does not implement", async () => {
    for (const query of [
      "Resources | summarize count() by type",
      "ResourceContainers | limit 1",
      "Resources | where type =~ ",
      "Resources | where name matches regex 'x'",
    ]) {
      const err = await failure(graph(P.gate).resources({ query }));
      expect(err.statusCode).toBe(400);
      expect(err.code).toBe("BadRequest");
      expect(err.message).toContain("Query is invalid");
    }
  });

  it("returns the table format when asked", async () => {
    const res = await graph(P.gate).resources({
      query: `${IDENTITIES} | project name | order by name asc | take 2`,
      options: { resultFormat: "table" },
    });
    expect(res.data).toEqual({ columns: [{ name: "name", type: "string" }], rows: [["backend-id"], ["cron-id"]] });
  });
});

describe("kql subset", () => {
  const rows = [
    { name: "a", type: "x", properties: { n: 1, tags: "Blue" } },
    { name: "b", type: "X", properties: { n: 2, tags: "" } },
  ];
  it("distinguishes case-sensitive and insensitive operators", () => {
    expect(runKql(parseKql("Resources | where type == 'x'"), rows)).toHaveLength(1);
    expect(runKql(parseKql("Resources | where type =~ 'x'"), rows)).toHaveLength(2);
    expect(runKql(parseKql("Resources | where type in ('X')"), rows).map((r) => r.name)).toEqual(["b"]);
    expect(runKql(parseKql("Resources | where type !in~ ('X')"), rows)).toHaveLength(0);
    expect(runKql(parseKql("Resources | where properties['tags'] contains 'blu' or isempty(properties.tags)"), rows)).toHaveLength(2);
    expect(runKql(parseKql("Resources | where not(name == 'a') and properties.n == 2"), rows).map((r) => r.name)).toEqual(["b"]);
    expect(runKql(parseKql("where name startswith 'A' | project properties.n"), rows)).toEqual([{ properties_n: 1 }]);
  });
});
