import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignment, guid, OTHER_RG, P, RG, ROLE, SCOPES, SUB, SUB2 } from "./fixtures.js";
import { collect, failure, startControlPlane, type ControlPlane } from "./setup.js";

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ pageSize: 2 });
});
afterAll(async () => {
  await cp.stop();
});

/** Adds role assignments for one test and removes them afterwards, so tests stay independent. */
async function withAssignments(extra: ReturnType<typeof assignment>[], fn: () => Promise<void>): Promise<void> {
  cp.state.roleAssignments.push(...extra);
  try {
    await fn();
  } finally {
    cp.state.roleAssignments = cp.state.roleAssignments.filter((a) => !extra.includes(a));
  }
}

const client = (oid: string) => new AuthorizationManagementClient(cp.credential(oid), SUB, cp.legacyClientOptions());
const owners = (list: { principalId?: string; scope?: string }[]) =>
  list
    .map(
      (a) =>
        `${a.principalId === P.gate ? "gate" : a.principalId === P.rgReader ? "rgReader" : a.principalId === P.backend ? "backend" : a.principalId === P.worker ? "worker" : a.principalId}@${a.scope?.split("/").pop()}`,
    )
    .sort();

describe("role assignments: list filters (documented semantics, real SDK)", () => {
  it("without a filter, lists assignments at, above and below the scope, across pages", async () => {
    const before = cp.arm.log.length;
    const list = await collect(client(P.gate).roleAssignments.listForScope(RG));
    expect(owners(list)).toEqual(["backend@app-kv", "backend@uploads", "gate@" + SUB, "rgReader@app-rg", "worker@appstore"]);
    // Five results at two per page: the SDK followed two nextLinks.
    expect(cp.arm.log.slice(before).filter((l) => l.url.includes("skipToken"))).toHaveLength(2);
  });

  it("atScope() keeps only assignments at or above the scope", async () => {
    const list = await collect(client(P.gate).roleAssignments.listForScope(RG, { filter: "atScope()" }));
    expect(owners(list)).toEqual(["gate@" + SUB, "rgReader@app-rg"]);
  });

  it("principalId eq and assignedTo() select a principal's assignments at, above or below", async () => {
    const byId = await collect(client(P.gate).roleAssignments.listForScope(RG, { filter: `principalId eq '${P.backend}'` }));
    expect(owners(byId)).toEqual(["backend@app-kv", "backend@uploads"]);
    const assigned = await collect(client(P.gate).roleAssignments.listForScope(SCOPES.uploads, { filter: `assignedTo('${P.gate}')` }));
    expect(owners(assigned)).toEqual(["gate@" + SUB]);
  });

  it("combines atScope() and assignedTo() with `and`", async () => {
    const gateAtRg = await collect(client(P.gate).roleAssignments.listForScope(RG, { filter: `atScope() and assignedTo('${P.gate}')` }));
    expect(owners(gateAtRg)).toEqual(["gate@" + SUB]);
    const backendAtRg = await collect(
      client(P.gate).roleAssignments.listForScope(RG, { filter: `atScope() and assignedTo('${P.backend}')` }),
    );
    expect(backendAtRg).toEqual([]);
  });

  it("lists for the subscription, a resource group and a resource", async () => {
    const c = client(P.gate);
    expect(await collect(c.roleAssignments.listForSubscription())).toHaveLength(6);
    expect(owners(await collect(c.roleAssignments.listForSubscription({ filter: `principalId eq '${P.worker}'` })))).toEqual([
      "worker@appstore",
      "worker@other-rg",
    ]);
    expect(owners(await collect(c.roleAssignments.listForResourceGroup("other-rg")))).toEqual(["gate@" + SUB, "worker@other-rg"]);
    const forAccount = await collect(c.roleAssignments.listForResource("app-rg", "Microsoft.Storage", "storageAccounts", "appstore"));
    expect(owners(forAccount)).toEqual(["backend@uploads", "gate@" + SUB, "rgReader@app-rg", "worker@appstore"]);
    const atAccount = await collect(
      c.roleAssignments.listForResource("app-rg", "Microsoft.Storage", "storageAccounts", "appstore", { filter: "atScope()" }),
    );
    expect(owners(atAccount)).toEqual(["gate@" + SUB, "rgReader@app-rg", "worker@appstore"]);
  });

  it("returns condition, conditionVersion, createdOn and principalType", async () => {
    const [worker] = await collect(
      client(P.gate).roleAssignments.listForScope(SCOPES.account, { filter: `atScope() and assignedTo('${P.worker}')` }),
    );
    expect(worker?.condition).toContain("StringEquals 'media'");
    expect(worker?.conditionVersion).toBe("2.0");
    expect(worker?.principalType).toBe("ServicePrincipal");
    expect(worker?.createdOn).toBeInstanceOf(Date);
    const [secrets] = await collect(client(P.gate).roleAssignments.listForScope(SCOPES.vault, { filter: `assignedTo('${P.backend}')` }));
    // ARM answers `"condition": null` for an unconditional assignment.
    expect(secrets?.condition).toBeNull();
    expect(secrets?.createdOn?.toISOString()).toBe("2026-11-22T11:55:00.000Z");
  });

  it("refuses a caller without roleAssignments/read at the scope, and an unknown filter", async () => {
    const err = await failure(collect(client(P.rgReader).roleAssignments.listForSubscription()));
    expect(err.statusCode).toBe(403);
    expect(err.message).toContain("'Microsoft.Authorization/roleAssignments/read' over scope '/subscriptions/");
    const bad = await failure(collect(client(P.gate).roleAssignments.listForScope(RG, { filter: "roleDefinitionId eq 'x'" })));
    expect(bad.statusCode).toBe(400);
    expect(bad.code).toBe("UnsupportedQuery");
  });
});

describe("role assignments: get, create, delete", () => {
  it("lets a User Access Administrator create, read and delete; refuses a Reader", async () => {
    const name = guid("new-assignment");
    const params = {
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE.blobReader}`,
      principalId: P.backend,
    };
    const denied = await failure(client(P.gate).roleAssignments.create(SCOPES.media, name, params));
    expect(denied.statusCode).toBe(403);
    expect(denied.message).toContain("Microsoft.Authorization/roleAssignments/write");

    await withAssignments([assignment(P.rgReader, ROLE.userAccessAdministrator, RG)], async () => {
      const admin = client(P.rgReader);
      const created = await admin.roleAssignments.create(SCOPES.media, name, params);
      expect(created).toMatchObject({ name, scope: SCOPES.media, principalId: P.backend, principalType: "ServicePrincipal" });
      expect(created.id).toBe(`${SCOPES.media}/providers/Microsoft.Authorization/roleAssignments/${name}`);
      expect((await admin.roleAssignments.get(SCOPES.media, name)).roleDefinitionId).toBe(params.roleDefinitionId);
      expect((await admin.roleAssignments.getById(created.id!)).name).toBe(name);

      const again = await failure(admin.roleAssignments.create(SCOPES.media, guid("dup"), params));
      expect([again.statusCode, again.code]).toEqual([409, "RoleAssignmentExists"]);

      const removed = await admin.roleAssignments.delete(SCOPES.media, name);
      expect(removed.name).toBe(name);
      expect((await failure(admin.roleAssignments.get(SCOPES.media, name))).code).toBe("RoleAssignmentNotFound");
    });
  });

  it("validates the principal, the role and the assignment name like ARM", async () => {
    await withAssignments([assignment(P.worker, ROLE.owner, OTHER_RG)], async () => {
      const admin = client(P.worker);
      const role = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE.reader}`;
      const stranger = guid("not-in-directory");
      const notFound = await failure(admin.roleAssignments.create(OTHER_RG, guid("a1"), { roleDefinitionId: role, principalId: stranger }));
      expect([notFound.statusCode, notFound.code]).toEqual([400, "PrincipalNotFound"]);
      // Stating principalType skips the directory lookup (the replication-delay escape hatch).
      const typed = await admin.roleAssignments.create(OTHER_RG, guid("a2"), {
        roleDefinitionId: role,
        principalId: stranger,
        principalType: "User",
      });
      expect(typed.principalType).toBe("User");
      const noRole = await failure(
        admin.roleAssignments.create(OTHER_RG, guid("a3"), {
          roleDefinitionId: role.replace(ROLE.reader, guid("nope")),
          principalId: P.backend,
        }),
      );
      expect(noRole.code).toBe("RoleDefinitionDoesNotExist");
      const badName = await failure(
        admin.roleAssignments.create(OTHER_RG, "not-a-guid", { roleDefinitionId: role, principalId: P.backend }),
      );
      expect(badName.code).toBe("InvalidRoleAssignmentId");
    });
  });
});

describe("role definitions", () => {
  it("gets built-ins at a scope and at the root, and lists with roleName / type filters", async () => {
    const c = client(P.gate);
    const reader = await c.roleDefinitions.get(`/subscriptions/${SUB}`, ROLE.reader);
    expect(reader).toMatchObject({
      roleName: "Reader",
      roleType: "BuiltInRole",
      id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE.reader}`,
    });
    expect(reader.permissions?.[0]?.actions).toEqual(["*/read"]);
    const root = await c.roleDefinitions.getById(`/providers/Microsoft.Authorization/roleDefinitions/${ROLE.blobReader}`);
    expect(root.permissions?.[0]?.dataActions).toEqual(["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"]);
    const byName = await collect(c.roleDefinitions.list(`/subscriptions/${SUB}`, { filter: "roleName eq 'Storage Blob Data Reader'" }));
    expect(byName.map((d) => d.name)).toEqual([ROLE.blobReader]);
    const custom = await collect(c.roleDefinitions.list(`/subscriptions/${SUB}`, { filter: "type eq 'CustomRole'" }));
    expect(custom.map((d) => d.roleName)).toEqual(["Blob Writer Without Delete"]);
    expect(custom[0]?.permissions?.[0]?.notDataActions).toEqual(["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete"]);
    expect(await collect(c.roleDefinitions.list(`/subscriptions/${SUB}`))).toHaveLength(9);
    expect((await failure(c.roleDefinitions.get(`/subscriptions/${SUB}`, guid("missing")))).code).toBe("RoleDefinitionDoesNotExist");
    expect((await failure(c.roleDefinitions.get(`/subscriptions/${SUB2}`, ROLE.reader))).statusCode).toBe(403);
  });
});

describe("deny assignments", () => {
  it("lists deny assignments above a scope and per principal, honouring exclusions", async () => {
    const c = client(P.gate);
    const atContainer = await collect(c.denyAssignments.listForScope(SCOPES.uploads));
    expect(atContainer.map((d) => d.denyAssignmentName)).toEqual(["no-blob-delete"]);
    expect(atContainer[0]?.principals).toEqual([{ id: "00000000-0000-0000-0000-000000000000", type: "SystemDefined" }]);
    expect(atContainer[0]?.excludePrincipals?.[0]?.id).toBe(P.gate);
    expect(await collect(c.denyAssignments.listForScope(`/subscriptions/${SUB}`, { filter: "atScope()" }))).toEqual([]);
    expect(await collect(c.denyAssignments.listForResourceGroup("app-rg", { filter: `principalId eq '${P.gate}'` }))).toEqual([]);
    expect(await collect(c.denyAssignments.listForResourceGroup("app-rg", { filter: `principalId eq '${P.backend}'` }))).toHaveLength(1);
  });
});

describe("permissions (the caller's own)", () => {
  it("returns the caller's permission blocks at a resource group and a resource, with conditions", async () => {
    const rg = await collect(client(P.rgReader).permissions.listForResourceGroup("app-rg"));
    expect(rg).toEqual([expect.objectContaining({ actions: ["*/read"], notActions: [] })]);
    expect(await collect(client(P.backend).permissions.listForResourceGroup("app-rg"))).toEqual([]);
    const worker = await collect(
      client(P.worker).permissions.listForResource("app-rg", "Microsoft.Storage", "", "storageAccounts", "appstore"),
    );
    expect(worker).toHaveLength(1);
    expect(worker[0]?.dataActions).toContain("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write");
    // The 9.x SDK types omit the 2022-04-01 `condition` field, but the response carries it through.
    expect((worker[0] as { condition?: string } | undefined)?.condition).toContain("ActionMatches");
  });
});
