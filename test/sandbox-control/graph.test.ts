import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { P } from "./fixtures.js";
import { startControlPlane, type ControlPlane } from "./setup.js";

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp.stop();
});

const READ = ["Application.Read.All"];
const OWNED_BY = ["Application.ReadWrite.OwnedBy"];
const ALL = ["Application.ReadWrite.All"];

async function graph(
  path: string,
  opts: { roles?: string[]; oid?: string; method?: string; body?: unknown; token?: string | null } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { "client-request-id": "cr-1" };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? cp.graphToken(opts.oid ?? P.gate, opts.roles ?? READ)}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const url = path.startsWith("https://") ? path : `${cp.graph.url}/v1.0${path}`;
  const res = await fetch(url, {
    method: opts.method ?? "GET",
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const legacy = () => cp.state.applications.find((a) => a.displayName === "legacy-app")!;
const other = () => cp.state.applications.find((a) => a.displayName === "other-app")!;

describe("authentication and permissions", () => {
  it("needs a bearer token for Graph", async () => {
    const none = await graph("/applications", { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("InvalidAuthenticationToken");
    expect(none.body.error.innerError).toMatchObject({
      "client-request-id": "cr-1",
      "request-id": expect.any(String),
      date: expect.any(String),
    });
    const arm = await graph("/applications", { token: cp.armToken(P.gate) });
    expect(arm.status).toBe(401);
    expect(arm.body.error.message).toContain("Invalid audience");
  });

  it("refuses reads to a caller without an Application permission, in Graph's words", async () => {
    const r = await graph("/applications", { roles: ["User.Read.All"] });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
    });
  });
});

describe("applications", () => {
  it("lists with $select, $filter, $top and @odata.nextLink, never showing secret text", async () => {
    const page1 = await graph("/applications?$select=id,appId,displayName,passwordCredentials&$top=2");
    expect(page1.status).toBe(200);
    expect(page1.body["@odata.context"]).toBe(`${cp.graph.url}/v1.0/$metadata#applications(id,appId,displayName,passwordCredentials)`);
    expect(page1.body.value).toHaveLength(2);
    expect(Object.keys(page1.body.value[0]).sort()).toEqual(["appId", "displayName", "id", "passwordCredentials"]);
    const page2 = await graph(page1.body["@odata.nextLink"]);
    expect(page2.body.value.map((a: any) => a.displayName)).toEqual(["other-app"]);
    expect(page2.body["@odata.nextLink"]).toBeUndefined();
    const all = JSON.stringify([page1.body, page2.body]);
    expect(all).not.toContain("legacy-secret-value");
    expect(page1.body.value[1].passwordCredentials[0]).toMatchObject({
      displayName: "old secret",
      hint: "abc",
      secretText: null,
      endDateTime: "2026-12-10T00:00:00.000Z",
    });

    const byAppId = await graph(`/applications?$filter=appId eq '${legacy().appId}'`);
    expect(byAppId.body.value.map((a: any) => a.id)).toEqual([legacy().id]);
    expect((await graph("/applications?$filter=web/redirectUris/any(x:x eq 'y')")).body.error.code).toBe("Request_UnsupportedQuery");
    expect((await graph("/applications?$select=nope")).status).toBe(400);
  });

  it("gets an application by object id and by appId; a missing one is Request_ResourceNotFound", async () => {
    const byId = await graph(`/applications/${legacy().id}`);
    expect(byId.body["@odata.context"]).toContain("$metadata#applications/$entity");
    expect(byId.body.appId).toBe(legacy().appId);
    const byAppId = await graph(`/applications(appId='${legacy().appId}')?$select=id`);
    expect(byAppId.body.id).toBe(legacy().id);
    const missing = await graph("/applications/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("Request_ResourceNotFound");
  });

  it("lists owners", async () => {
    const owners = await graph(`/applications/${legacy().id}/owners`);
    expect(owners.body.value).toEqual([
      expect.objectContaining({ "@odata.type": "#microsoft.graph.servicePrincipal", id: P.gate, displayName: "gate" }),
    ]);
  });
});

describe("addPassword / removePassword", () => {
  it("adds a secret returned exactly once, with a 2-year default lifetime, for an owner with OwnedBy", async () => {
    const before = Date.now();
    const added = await graph(`/applications/${legacy().id}/addPassword`, {
      method: "POST",
      roles: OWNED_BY,
      body: { passwordCredential: { displayName: "rotated by gate" } },
    });
    expect(added.status).toBe(200);
    expect(added.body.secretText).toMatch(/^[A-Za-z0-9]{3}8Q~[A-Za-z0-9_.~-]{34}$/);
    expect(added.body.hint).toBe(added.body.secretText.slice(0, 3));
    expect(added.body.keyId).toMatch(/^[0-9a-f-]{36}$/);
    const years = (Date.parse(added.body.endDateTime) - Date.parse(added.body.startDateTime)) / (365.25 * 86_400_000);
    expect(years).toBeCloseTo(2, 1);
    expect(Date.parse(added.body.startDateTime)).toBeGreaterThanOrEqual(before - 1000);

    const read = await graph(`/applications/${legacy().id}`);
    expect(read.body.passwordCredentials.map((p: any) => p.keyId)).toContain(added.body.keyId);
    expect(JSON.stringify(read.body)).not.toContain(added.body.secretText);

    const removed = await graph(`/applications/${legacy().id}/removePassword`, {
      method: "POST",
      roles: OWNED_BY,
      body: { keyId: added.body.keyId },
    });
    expect(removed.status).toBe(204);
    expect(legacy().passwordCredentials.some((p) => p.keyId === added.body.keyId)).toBe(false);
    const again = await graph(`/applications/${legacy().id}/removePassword`, {
      method: "POST",
      roles: OWNED_BY,
      body: { keyId: added.body.keyId },
    });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("Request_BadRequest");
  });

  it("honours an explicit endDateTime and the appId addressing form", async () => {
    const end = "2027-01-31T00:00:00.000Z";
    const added = await graph(`/applications(appId='${legacy().appId}')/addPassword`, {
      method: "POST",
      roles: ALL,
      body: { passwordCredential: { displayName: "short", endDateTime: end } },
    });
    expect(added.body.endDateTime).toBe(end);
  });

  it("refuses OwnedBy on an application the caller does not own, and Read.All for any write", async () => {
    const notOwner = await graph(`/applications/${other().id}/addPassword`, {
      method: "POST",
      roles: OWNED_BY,
      body: { passwordCredential: {} },
    });
    expect(notOwner.status).toBe(403);
    expect(notOwner.body.error.code).toBe("Authorization_RequestDenied");
    const readOnly = await graph(`/applications/${legacy().id}/addPassword`, {
      method: "POST",
      roles: READ,
      body: { passwordCredential: {} },
    });
    expect(readOnly.status).toBe(403);
    const allowed = await graph(`/applications/${other().id}/addPassword`, {
      method: "POST",
      roles: ALL,
      body: { passwordCredential: {} },
    });
    expect(allowed.status).toBe(200);
    expect(other().passwordCredentials).toHaveLength(1);
  });
});

describe("federated identity credentials on applications", () => {
  it("lists with $filter=subject, creates (owner only) and reads by name", async () => {
    const base = `/applications/${legacy().id}/federatedIdentityCredentials`;
    const filtered = await graph(`${base}?$filter=subject eq 'repo:contoso/app:ref:refs/heads/main'`);
    expect(filtered.body.value.map((f: any) => f.name)).toEqual(["github-main"]);
    expect((await graph(`${base}?$filter=subject eq 'repo:contoso/app:pull_request'`)).body.value).toEqual([]);

    const fic = {
      name: "github-pr",
      issuer: "https://token.actions.githubusercontent.com",
      subject: "repo:contoso/app:pull_request",
      audiences: ["api://AzureADTokenExchange"],
    };
    expect((await graph(base, { method: "POST", roles: READ, body: fic })).status).toBe(403);
    const created = await graph(base, { method: "POST", roles: OWNED_BY, body: fic });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...fic, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect((await graph(`${base}/github-pr`)).body.subject).toBe("repo:contoso/app:pull_request");
    expect((await graph(base, { method: "POST", roles: OWNED_BY, body: fic })).status).toBe(409);
    expect((await graph(base, { method: "POST", roles: OWNED_BY, body: { ...fic, name: "two", audiences: ["a", "b"] } })).status).toBe(400);
  });
});

describe("service principals and directory objects", () => {
  it("finds app and managed-identity service principals by appId and servicePrincipalNames", async () => {
    const backend = cp.state.identities[0]!;
    const byAppId = await graph(`/servicePrincipals?$filter=appId eq '${backend.clientId}'`);
    expect(byAppId.body.value).toEqual([
      expect.objectContaining({ id: backend.principalId, servicePrincipalType: "ManagedIdentity", displayName: "backend-id" }),
    ]);
    const bySpn = await graph(`/servicePrincipals?$filter=servicePrincipalNames/any(c:c eq '${legacy().appId}')`);
    expect(bySpn.body.value.map((s: any) => s.id)).toEqual([P.legacySp]);
    expect((await graph(`/servicePrincipals/${P.gate}`)).body.appId).toBe(cp.state.applications[0]!.appId);
    expect((await graph(`/servicePrincipals(appId='${legacy().appId}')`)).body.id).toBe(P.legacySp);
  });

  it("resolves ids with directoryObjects/getByIds", async () => {
    const r = await graph("/directoryObjects/getByIds", {
      method: "POST",
      body: { ids: [P.backend, P.gate, "00000000-0000-4000-8000-000000000001"], types: ["servicePrincipal"] },
    });
    expect(r.body.value.map((o: any) => [o["@odata.type"], o.id])).toEqual([
      ["#microsoft.graph.servicePrincipal", P.backend],
      ["#microsoft.graph.servicePrincipal", P.gate],
    ]);
  });
});
