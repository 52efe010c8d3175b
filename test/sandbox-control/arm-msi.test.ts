import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUER, P, SCOPES, SUB, TENANT, assignment, ROLE } from "./fixtures.js";
import { collect, failure, startControlPlane, type ControlPlane } from "./setup.js";

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane({ pageSize: 2 });
});
afterAll(async () => {
  await cp.stop();
});

const client = (oid: string) => new ManagedServiceIdentityClient(cp.credential(oid), SUB, cp.legacyClientOptions());

describe("user-assigned identities (@azure/arm-msi)", () => {
  it("gets an identity's clientId, principalId and tenantId", async () => {
    const id = await client(P.gate).userAssignedIdentities.get("app-rg", "backend-id");
    expect(id).toMatchObject({ id: SCOPES.backendIdentity, name: "backend-id", principalId: P.backend, tenantId: TENANT });
    expect(id.clientId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("follows nextLink across pages for resource-group and subscription lists", async () => {
    const byRg = await collect(client(P.gate).userAssignedIdentities.listByResourceGroup("app-rg"));
    expect(byRg.map((i) => i.name)).toEqual(["backend-id", "worker-id", "jobs-id", "cron-id"]);
    const bySub = await collect(client(P.gate).userAssignedIdentities.listBySubscription());
    expect(bySub).toHaveLength(5);
    const pages = cp.arm.log.filter((l) => l.url.includes("userAssignedIdentities?") || l.url.includes("userAssignedIdentities&"));
    expect(pages.some((l) => l.url.includes("skipToken"))).toBe(true);
  });

  it("filters a subscription list to the resources the caller may read", async () => {
    const visible = await collect(client(P.rgReader).userAssignedIdentities.listBySubscription());
    expect(visible.map((i) => i.name).sort()).toEqual(["backend-id", "cron-id", "jobs-id", "worker-id"]);
    const err = await failure(collect(client(P.nobody).userAssignedIdentities.listBySubscription()));
    expect(err.statusCode).toBe(403);
  });
});

describe("federated identity credentials", () => {
  it("lists an identity's credentials with issuer, subject and audiences", async () => {
    const fics = await collect(client(P.gate).federatedIdentityCredentials.list("app-rg", "backend-id"));
    expect(fics).toEqual([
      expect.objectContaining({
        name: "aks-backend",
        issuer: ISSUER,
        subject: "system:serviceaccount:app:backend",
        audiences: ["api://AzureADTokenExchange"],
        type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
      }),
    ]);
  });

  it("refuses a write to a Reader, then applies a PUT that the next list shows", async () => {
    const params = { issuer: ISSUER, subject: "system:serviceaccount:app:migrate", audiences: ["api://AzureADTokenExchange"] };
    const denied = await failure(client(P.gate).federatedIdentityCredentials.createOrUpdate("app-rg", "backend-id", "aks-migrate", params));
    expect(denied.statusCode).toBe(403);
    expect(denied.message).toContain("Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write");

    cp.state.roleAssignments.push(assignment(P.rgReader, ROLE.contributor, SCOPES.backendIdentity));
    const writer = client(P.rgReader);
    const created = await writer.federatedIdentityCredentials.createOrUpdate("app-rg", "backend-id", "aks-migrate", params);
    expect(created.subject).toBe("system:serviceaccount:app:migrate");
    const after = await collect(writer.federatedIdentityCredentials.list("app-rg", "backend-id"));
    expect(after.map((f) => f.name)).toEqual(["aks-backend", "aks-migrate"]);
    // The live state changed, so the Entra emulator will honour it.
    expect(cp.state.identities[0]!.federatedCredentials.map((f) => f.subject)).toContain("system:serviceaccount:app:migrate");

    const updated = await writer.federatedIdentityCredentials.createOrUpdate("app-rg", "backend-id", "aks-migrate", {
      ...params,
      subject: "system:serviceaccount:app:migrate-v2",
    });
    expect(updated.subject).toBe("system:serviceaccount:app:migrate-v2");
    expect((await writer.federatedIdentityCredentials.get("app-rg", "backend-id", "aks-migrate")).subject).toBe(
      "system:serviceaccount:app:migrate-v2",
    );

    await writer.federatedIdentityCredentials.delete("app-rg", "backend-id", "aks-migrate");
    expect((await failure(writer.federatedIdentityCredentials.get("app-rg", "backend-id", "aks-migrate"))).statusCode).toBe(404);
  });

  it("validates credentials like the resource provider", async () => {
    cp.state.roleAssignments.push(assignment(P.worker, ROLE.owner, SCOPES.backendIdentity));
    const c = client(P.worker);
    const twoAudiences = await failure(
      c.federatedIdentityCredentials.createOrUpdate("app-rg", "backend-id", "two-aud", {
        issuer: ISSUER,
        subject: "s",
        audiences: ["a", "b"],
      }),
    );
    expect(twoAudiences.statusCode).toBe(400);
    const httpIssuer = await failure(
      c.federatedIdentityCredentials.createOrUpdate("app-rg", "backend-id", "plain-http", {
        issuer: "http://issuer.example",
        subject: "s",
        audiences: ["api://AzureADTokenExchange"],
      }),
    );
    expect(httpIssuer.statusCode).toBe(400);
    const clash = await failure(
      c.federatedIdentityCredentials.createOrUpdate("app-rg", "backend-id", "copy", {
        issuer: ISSUER,
        subject: "system:serviceaccount:app:backend",
        audiences: ["api://AzureADTokenExchange"],
      }),
    );
    expect(clash.statusCode).toBe(409);
  });

  it("says no because of a deny assignment, naming it, even to an Owner", async () => {
    cp.state.roleAssignments.push(assignment(P.otherSp, ROLE.owner, SCOPES.sub));
    cp.state.denyAssignments.push({
      id: `${SCOPES.backendIdentity}/providers/Microsoft.Authorization/denyAssignments/lock`,
      name: "lock",
      denyAssignmentName: "managed-by-platform",
      scope: SCOPES.backendIdentity,
      principals: ["00000000-0000-0000-0000-000000000000"],
      excludePrincipals: [],
      permissions: [
        { actions: ["Microsoft.ManagedIdentity/userAssignedIdentities/*/write"], notActions: [], dataActions: [], notDataActions: [] },
      ],
    });
    try {
      const params = { issuer: ISSUER, subject: "system:serviceaccount:app:locked", audiences: ["api://AzureADTokenExchange"] };
      const err = await failure(client(P.otherSp).federatedIdentityCredentials.createOrUpdate("app-rg", "backend-id", "locked", params));
      expect([err.statusCode, err.code]).toEqual([403, "AuthorizationFailed"]);
      expect(err.message).toContain("access is denied because of the deny assignment with name 'managed-by-platform'");
      // Reads are not covered by the deny assignment.
      expect((await client(P.otherSp).userAssignedIdentities.get("app-rg", "backend-id")).name).toBe("backend-id");
    } finally {
      cp.state.denyAssignments.pop();
    }
  });

  it("pages credentials with $top and $skiptoken as the SDK sends them", async () => {
    const identity = cp.state.identities.find((i) => i.name === "worker-id")!;
    for (let n = 0; n < 5; n++)
      identity.federatedCredentials.push({
        id: `${identity.id}/federatedIdentityCredentials/f${n}`,
        name: `fic-${n}`,
        issuer: ISSUER,
        subject: `system:serviceaccount:ns:sa${n}`,
        audiences: ["api://AzureADTokenExchange"],
      });
    const pages: number[] = [];
    for await (const page of client(P.gate).federatedIdentityCredentials.list("app-rg", "worker-id", { top: 3 }).byPage())
      pages.push(page.length);
    expect(pages).toEqual([3, 2]);
  });

  it("refuses an api-version that predates federated credentials", async () => {
    const res = await fetch(`${cp.arm.url}${SCOPES.backendIdentity}/federatedIdentityCredentials?api-version=2018-11-30`, {
      headers: { authorization: `Bearer ${cp.armToken(P.gate)}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe("NoRegisteredProviderFound");
  });
});
