/**
 * Scenario → TenantState: deterministic ids, refs, relative dates, built-in roles with their real
 * GUIDs, Kubernetes placeholders, one-line errors naming the field, every shipped scenario loads,
 * and docs/scenario.schema.json matches the zod schema.
 */
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { nameGuid, parseWhen } from "../sandbox/ids.js";
import { builtInRoleDefinitions, builtInRoleGuid } from "../sandbox/roles.js";
import { loadScenario, resolveScenario, ScenarioError, SCENARIOS_DIR } from "../sandbox/scenario/resolve.js";
import { scenarioJsonSchema, SCHEMA_FILE } from "../sandbox/scenario/json-schema.js";
import type { ScenarioInput } from "../sandbox/scenario/schema.js";
import { roleDefinitions as controlFixtureRoles } from "../sandbox-control/fixtures.js";

const ISSUERS = "https://127.0.0.1:7001";
const NOW = new Date("2026-11-22T12:00:00Z");

function resolve(input: ScenarioInput | string) {
  const { scenario, source } = loadScenario(input);
  return resolveScenario(scenario, {
    issuers: ISSUERS,
    now: NOW,
    source,
    urls: { keyVault: "https://127.0.0.1:7002", blob: "https://127.0.0.1:7003" },
  });
}

function error(input: ScenarioInput | string): string {
  try {
    resolve(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error("expected the scenario to be refused");
}

const small: ScenarioInput = {
  tenant: { name: "fabrikam" },
  subscriptions: [
    {
      name: "prod",
      resourceGroups: [
        {
          name: "app-rg",
          clusters: [
            {
              name: "aks1",
              subnet: "nodes",
              objects: [
                {
                  apiVersion: "v1",
                  kind: "ServiceAccount",
                  metadata: {
                    name: "sa",
                    namespace: "app",
                    annotations: { "azure.workload.identity/client-id": "{{identity:app-id.clientId}}", tenant: "{{ tenantId }}" },
                  },
                },
              ],
            },
          ],
          identities: [
            {
              name: "app-id",
              federatedCredentials: [
                { name: "aks", issuer: "cluster:aks1", subject: "system:serviceaccount:app:sa" },
                { name: "typo", issuer: "cluster:aks1:no-trailing-slash", subject: "x" },
                { name: "gh", issuer: "github", subject: "repo:o/r:ref:refs/heads/main" },
              ],
            },
          ],
          storageAccounts: [
            {
              name: "media1",
              containers: ["uploads"],
              blobs: { "static/a.txt": "a" },
              defaultAction: "Deny",
              virtualNetworkRules: ["nodes"],
            },
          ],
          keyVaults: [
            {
              name: "kv-one",
              secrets: [{ name: "s1", value: "v", expires: "+30d" }],
              rbac: false,
              accessPolicies: [{ principal: "identity:app-id", secrets: ["get"] }],
            },
          ],
        },
      ],
    },
  ],
  roleAssignments: [
    { principal: "identity:app-id", role: "Storage Blob Data Reader", scope: "storage:media1/containers/uploads", createdOn: "-5m" },
    { principal: "app:gate", role: "acdd72a7-3385-48ef-bd42-f606fba81ae7", scope: "rg:prod/app-rg" },
    { principal: "app:gate", role: "key vault secrets user", scope: "vault:kv-one/secrets/s1" },
  ],
  applications: [{ name: "gate", secrets: [{ value: "abcSECRET", expires: "+20d" }], owners: ["identity:app-id"] }],
};

describe("ids and dates", () => {
  it("derives RFC 4122 v5 name-based GUIDs", () => {
    const g = nameGuid("tenant", "contoso");
    expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameGuid("tenant", "contoso")).toBe(g);
    expect(nameGuid("a", "bc")).not.toBe(nameGuid("ab", "c"));
  });

  it("parses relative dates from the sandbox clock and ISO dates", () => {
    expect(parseWhen("-1d", NOW)?.toISOString()).toBe("2026-11-21T12:00:00.000Z");
    expect(parseWhen("+30d", NOW)?.toISOString()).toBe("2026-12-22T12:00:00.000Z");
    expect(parseWhen("-5m", NOW)?.toISOString()).toBe("2026-11-22T11:55:00.000Z");
    expect(parseWhen("2027-01-01T00:00:00Z", NOW)?.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(parseWhen("tomorrow", NOW)).toBeUndefined();
  });
});

describe("resolution", () => {
  it("is deterministic: the same scenario gives the same ids", () => {
    const a = resolve(small);
    const b = resolve(small);
    const ids = (s: typeof a) => ({
      t: s.tenantId,
      subs: s.subscriptions,
      i: s.identities.map((x) => [x.id, x.clientId, x.principalId]),
      ra: s.roleAssignments.map((r) => r.id),
      apps: s.applications.map((x) => [x.id, x.appId, x.servicePrincipalId]),
      issuer: s.clusters[0]!.issuerUrl,
    });
    expect(ids(a)).toEqual(ids(b));
    expect(a.tenantId).toBe(nameGuid("tenant", "fabrikam"));
    expect(resolve({ ...small, tenant: { name: "other" } }).tenantId).not.toBe(a.tenantId);
  });

  it("builds ARM ids, issuers (with AKS's trailing slash), FICs, networks and placeholders", () => {
    const s = resolve(small);
    const sub = s.subscriptions[0]!.subscriptionId;
    const rg = `/subscriptions/${sub}/resourceGroups/app-rg`;
    const cluster = s.clusters[0]!;
    expect(cluster.id).toBe(`${rg}/providers/Microsoft.ContainerService/managedClusters/aks1`);
    expect(cluster.issuerUrl).toMatch(new RegExp(`^${ISSUERS}/clusters/[0-9a-f-]{36}/$`));
    const id = s.identities[0]!;
    expect(id.id).toBe(`${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-id`);
    expect(id.federatedCredentials.map((f) => f.issuer)).toEqual([cluster.issuerUrl, cluster.issuerUrl!.slice(0, -1), `${ISSUERS}/github`]);
    expect(id.federatedCredentials[0]!.audiences).toEqual(["api://AzureADTokenExchange"]);
    expect(cluster.objects[0]!.metadata.annotations).toEqual({ "azure.workload.identity/client-id": id.clientId, tenant: s.tenantId });
    const account = s.storageAccounts[0]!;
    expect(account.containers).toEqual(["uploads", "static"]);
    expect(account.network.virtualNetworkRules).toEqual([cluster.subnetId]);
    expect(account.blobs).toEqual({ "static/a.txt": "a" });
    const vault = s.keyVaults[0]!;
    expect(vault.accessPolicies).toEqual([
      { objectId: id.principalId, tenantId: s.tenantId, permissions: { secrets: ["get"], keys: [], certificates: [] } },
    ]);
    expect(vault.secrets[0]!.versions[0]!.expires).toBe(Math.floor(NOW.getTime() / 1000) + 30 * 86400);
  });

  it("resolves role assignments: principals, role names or GUIDs, scope refs, createdOn", () => {
    const s = resolve(small);
    const [blob, reader, secret] = s.roleAssignments;
    const account = s.storageAccounts[0]!;
    expect(blob).toMatchObject({
      principalId: s.identities[0]!.principalId,
      scope: `${account.id}/blobServices/default/containers/uploads`,
      createdOn: "2026-11-22T11:55:00.000Z",
    });
    expect(blob!.roleDefinitionId).toBe(
      `/subscriptions/${s.subscriptions[0]!.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`,
    );
    expect(blob!.id).toBe(`${blob!.scope}/providers/Microsoft.Authorization/roleAssignments/${blob!.name}`);
    expect(reader).toMatchObject({ principalId: s.applications[0]!.servicePrincipalId, scope: s.resourceGroups[0]!.id });
    expect(secret!.scope).toBe(`${s.keyVaults[0]!.id}/secrets/s1`);
    expect(secret!.roleDefinitionId).toMatch(/4633458b-17de-408a-b874-0445c86b69e6$/);
    expect(s.applications[0]!.owners).toEqual([s.identities[0]!.principalId]);
    expect(s.applications[0]!.passwordCredentials[0]).toMatchObject({
      hint: "abc",
      secretText: "abcSECRET",
      endDateTime: "2026-12-12T12:00:00.000Z",
      startDateTime: "2026-10-23T12:00:00.000Z",
    });
  });

  it("ships the built-in roles with their real GUIDs and permissions (the control-plane fixtures agree)", () => {
    const ours = new Map(builtInRoleDefinitions().map((r) => [r.name, r]));
    for (const theirs of controlFixtureRoles().filter((r) => r.type === "BuiltInRole")) {
      const mine = ours.get(theirs.name);
      expect(mine?.roleName).toBe(theirs.roleName);
      expect(new Set(mine!.permissions[0]!.dataActions)).toEqual(
        new Set([
          ...theirs.permissions[0]!.dataActions,
          ...(theirs.roleName === "Storage Blob Data Contributor"
            ? ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action"]
            : []),
        ]),
      );
      expect(mine!.permissions[0]!.actions).toEqual(expect.arrayContaining(theirs.permissions[0]!.actions));
    }
    expect(builtInRoleGuid("Key Vault Administrator")).toBe("00482a5a-887f-4fb3-b363-3b7fe8e74483");
    expect(builtInRoleGuid("Key Vault Reader")).toBe("21090545-7ca7-4776-b22c-e363652d74d2");
    expect(builtInRoleGuid("Storage Queue Data Contributor")).toBe("974c5e8b-45b9-4653-ba55-5f855dd0fb88");
    expect(builtInRoleGuid("Key Vault Secrets Officer")).toBe("b86a8fe4-44ce-4948-aee5-eccb2c155cd7");
    expect(builtInRoleDefinitions()).toHaveLength(12);
  });
});

describe("bad scenarios are one line naming the field", () => {
  it.each([
    [
      { roleAssignments: [{ principal: "identity:ghost", role: "Reader", scope: "/" }] },
      "scenario scenario: roleAssignments[0].principal: no identity named 'ghost'",
    ],
    [
      { ...small, roleAssignments: [{ principal: "app:gate", role: "Cloud Wizard", scope: "rg:prod/app-rg" }] },
      "roleAssignments[0].role: 'Cloud Wizard' is not a built-in role",
    ],
    [
      { ...small, roleAssignments: [{ principal: "app:gate", role: "Reader", scope: "storage:media1/containers/nope" }] },
      "roleAssignments[0].scope: storage account 'media1' has no container 'nope'",
    ],
    [{ ...small, roleAssignments: [{ principal: "app:gate", role: "Reader", scope: "moon:base" }] }, "is not a scope ref"],
    [
      {
        subscriptions: [
          {
            name: "s",
            resourceGroups: [
              { name: "g", identities: [{ name: "i", federatedCredentials: [{ name: "f", issuer: "cluster:none", subject: "x" }] }] },
            ],
          },
        ],
      },
      "subscriptions[0].resourceGroups[0].identities[0].federatedCredentials[0].issuer: no cluster named 'none'",
    ],
    [
      { applications: [{ name: "a", secrets: [{ value: "x", expires: "soon" }] }] },
      "applications[0].secrets[0].expires: 'soon' is neither an ISO date",
    ],
    [
      { subscriptions: [{ name: "s", resourceGroups: [{ name: "g", storageAccounts: [{ name: "Bad_Name" }] }] }] },
      "subscriptions[0].resourceGroups[0].storageAccounts[0].name: storage account names are 3-24 lowercase letters and digits",
    ],
    [
      {
        subscriptions: [
          {
            name: "s",
            resourceGroups: [
              {
                name: "g",
                clusters: [
                  {
                    name: "c",
                    objects: [
                      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "m", annotations: { a: "{{identity:nobody.clientId}}" } } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
      "clusters[0].objects[0].metadata.annotations.a: no identity named 'nobody'",
    ],
    [{ surprise: true } as ScenarioInput, "scenario scenario: (root): Unrecognized key"],
  ])("%#", (input, message) => {
    const m = error(input);
    expect(m).toContain(message);
    expect(m).not.toContain("\n");
  });

  it("names the file for a bad YAML file and for a missing one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "scenario-"));
    try {
      const file = path.join(dir, "bad.yaml");
      writeFileSync(file, "tenant:\n  name: contoso\nlatencyMs: fast\n");
      expect(error(file)).toMatch(/^scenario .*bad\.yaml: latencyMs: /);
      writeFileSync(file, "tenant: [unclosed\n");
      expect(error(file)).toMatch(/^scenario .*bad\.yaml: not valid YAML: /);
      expect(error(path.join(dir, "missing.yaml"))).toMatch(/no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("shipped scenarios and the JSON schema", () => {
  const files = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith(".yaml"));

  it("ships the scenarios the brief lists", () => {
    expect(files.map((f) => f.replace(/\.yaml$/, ""))).toEqual(
      expect.arrayContaining([
        "seed-000-outage",
        "workload-identity",
        "issuer-trailing-slash",
        "subject-namespace-mismatch",
        "missing-keyvault-role",
        "access-policy-vault",
        "firewall-closed-storage",
        "aad-pod-identity-leftovers",
        "app-expiring-secret",
      ]),
    );
  });

  it.each(files)("%s loads, resolves and has a description", (file) => {
    const { scenario } = loadScenario(path.join(SCENARIOS_DIR, file));
    expect(scenario.description.length).toBeGreaterThan(40);
    const state = resolve(file.replace(/\.yaml$/, ""));
    expect(state.tenantId).toBe(nameGuid("tenant", scenario.tenant.name));
    expect(JSON.stringify(state.clusters.map((c) => c.objects))).not.toContain("{{");
  });

  it("docs/scenario.schema.json is generated from the zod schema (npx tsx test/sandbox/scenario/json-schema.ts)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(scenarioJsonSchema());
  });
});
