/**
 * The Key Vault emulator against the REAL @azure/keyvault-secrets SecretClient: challenge flow,
 * secrets lifecycle, and every refusal (RBAC, access policy, firewall, disabled, audience, version).
 */
import { RestError } from "@azure/core-rest-pipeline";
import { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterSourceAddress, RUNNER_PUBLIC_IP, startEgressProxy } from "../sandbox/network.js";
import { keyVaultService } from "../sandbox/services/keyvault.js";
import type { TenantState } from "../sandbox/state.js";
import { assign, baseState, cluster, openNetwork, P, SUBNET, vault } from "./fixtures.js";
import { contextFor, credentialFor, mintAccessToken, placeholderUrls, serveHandler, type Served } from "./data-plane-server.js";

let server: Served;
let state: TenantState;

const client = (vaultName: string, oid: string, options: ConstructorParameters<typeof SecretClient>[2] = {}) =>
  new SecretClient(`${server.url}/${vaultName}`, credentialFor(state, oid), {
    disableChallengeResourceVerification: true,
    retryOptions: { maxRetries: 0 },
    ...options,
  });

async function failure(
  p: Promise<unknown>,
): Promise<{ status: number | undefined; code: string | undefined; inner: string | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RestError);
    // Single-item calls deserialize the body into `details`; paged calls only keep the raw response.
    const e = err as RestError & { details?: { error?: { innerError?: { code?: string } } } };
    const raw = e.response?.bodyAsText ? (JSON.parse(e.response.bodyAsText) as { error?: { innererror?: { code?: string } } }) : undefined;
    return {
      status: e.statusCode,
      code: e.code,
      inner: e.details?.error?.innerError?.code ?? raw?.error?.innererror?.code,
      message: e.message,
    };
  }
  throw new Error("expected the call to fail");
}

/** Paged SDK calls drop the error body ("Pagination failed with unexpected statusCode 403"): read it raw. */
async function raw(
  path: string,
  oid: string,
): Promise<{ status: number; error: { code: string; message: string; innererror?: { code: string } } }> {
  const token = mintAccessToken(state, { oid, aud: "https://vault.azure.net" });
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, ...((await res.json()) as { error: { code: string; message: string } }) };
}

beforeAll(async () => {
  server = await serveHandler("keyvault");
  const now = Math.floor(Date.now() / 1000);
  state = baseState({
    clusters: [cluster("aks1")],
    keyVaults: [
      vault("app-kv", {
        secrets: [
          {
            name: "db-password",
            versions: [{ version: "a".repeat(32), value: "s3cret!", enabled: true, created: now - 100, updated: now - 100, tags: {} }],
          },
          {
            name: "old-key",
            versions: [
              {
                version: "b".repeat(32),
                value: "expired-but-readable",
                enabled: true,
                expires: now - 86400,
                created: now - 200,
                updated: now - 200,
                tags: {},
              },
            ],
          },
          { name: "off", versions: [{ version: "c".repeat(32), value: "x", enabled: false, created: now, updated: now, tags: {} }] },
        ],
      }),
      vault("policy-kv", {
        enableRbacAuthorization: false,
        accessPolicies: [{ objectId: P.policyUser, tenantId: "t", permissions: { secrets: ["get"], keys: [], certificates: [] } }],
        secrets: [{ name: "s", versions: [{ version: "d".repeat(32), value: "v", enabled: true, created: now, updated: now, tags: {} }] }],
      }),
      vault("closed-kv", {
        network: openNetwork({ defaultAction: "Deny", virtualNetworkRules: [SUBNET] }),
        secrets: [{ name: "s", versions: [{ version: "e".repeat(32), value: "v", enabled: true, created: now, updated: now, tags: {} }] }],
      }),
      vault("private-kv", { network: openNetwork({ publicNetworkAccess: "Disabled" }) }),
    ],
  });
  const kv = (name: string) => state.keyVaults.find((v) => v.name === name)!.id;
  state.roleAssignments.push(
    assign(P.reader, "secretsUser", kv("app-kv")),
    assign(P.writer, "secretsOfficer", kv("app-kv")),
    assign(P.reader, "secretsUser", kv("closed-kv")),
    assign(P.reader, "secretsUser", kv("private-kv")),
  );
  state.roleAssignments.push(assign(P.nobody, "secretsUser", `${kv("app-kv")}/secrets/db-password`));
  server.setHandler(keyVaultService(contextFor(state, placeholderUrls({ keyVault: server.url, authorityHost: "https://127.0.0.1:7443" }))));
});

afterAll(async () => {
  await server?.close();
});

describe("challenge flow", () => {
  it("answers the SDK's first, token-less request with 401 and the Key Vault challenge, then serves the secret", async () => {
    const before = server.log.length;
    const cred = credentialFor(state, P.reader);
    const c = new SecretClient(`${server.url}/app-kv`, cred, { disableChallengeResourceVerification: true });
    const secret = await c.getSecret("db-password");
    expect(secret.value).toBe("s3cret!");
    expect(secret.name).toBe("db-password");
    expect(secret.properties.version).toBe("a".repeat(32));
    const calls = server.log.slice(before);
    expect(calls[0]).toMatchObject({ method: "GET", status: 401 });
    expect(calls[0]!.headers.authorization).toBeUndefined();
    expect(calls[0]!.url).toMatch(/^\/app-kv\/secrets\/db-password\/\?api(-|%2D)version=2026-04-01$/);
    expect(calls[1]).toMatchObject({ status: 200 });
    expect(cred.requests).toEqual(["https://vault.azure.net/.default"]);
  });

  it("sends the challenge header with the authority and tenant", async () => {
    const res = await fetch(`${server.url}/app-kv/secrets/db-password/?api-version=7.4`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer authorization="https://127.0.0.1:7443/${state.tenantId}", resource="https://vault.azure.net"`,
    );
    expect(await res.json()).toEqual({ error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } });
  });

  it("refuses a token for another audience with AKV10022", async () => {
    const c = new SecretClient(`${server.url}/app-kv`, credentialFor(state, P.reader, { aud: "https://storage.azure.com" }), {
      disableChallengeResourceVerification: true,
    });
    const f = await failure(c.getSecret("db-password"));
    expect(f.status).toBe(401);
    expect(f.message).toContain("AKV10022: Invalid audience. Expected https://vault.azure.net");
  });
});

describe("api versions", () => {
  it("accepts older GA versions the SDK can be pinned to", async () => {
    const s = await client("app-kv", P.reader, { serviceVersion: "7.5" }).getSecret("db-password");
    expect(s.value).toBe("s3cret!");
  });

  it("rejects an unknown version with BadParameter", async () => {
    const f = await failure(client("app-kv", P.reader, { serviceVersion: "7.9" as "7.5" }).getSecret("db-password"));
    expect(f).toMatchObject({ status: 400, code: "BadParameter" });
    expect(f.message).toBe("The specified version (7.9) is not recognized. Consider using the latest supported version (2026-04-01).");
  });
});

describe("secrets lifecycle", () => {
  it("sets new versions with attributes, tags and content type, lists without values, pages with nextLink", async () => {
    const w = client("app-kv", P.writer);
    const exp = new Date(Date.now() + 86_400_000);
    const v1 = await w.setSecret("api-token", "one", { contentType: "text/plain", tags: { owner: "team-a" }, expiresOn: exp });
    const v2 = await w.setSecret("api-token", "two");
    expect(v1.properties.version).not.toBe(v2.properties.version);
    expect(v1.properties.expiresOn?.getTime()).toBe(Math.floor(exp.getTime() / 1000) * 1000);
    expect((await w.getSecret("api-token")).value).toBe("two");
    expect((await w.getSecret("api-token", { version: v1.properties.version! })).value).toBe("one");

    const versions = [];
    for await (const p of w.listPropertiesOfSecretVersions("api-token")) versions.push(p);
    expect(versions.map((v) => v.version).sort()).toEqual([v1.properties.version, v2.properties.version].sort());
    expect(versions.find((v) => v.version === v1.properties.version)?.tags).toEqual({ owner: "team-a" });

    const before = server.log.length;
    const pages = [];
    for await (const page of w.listPropertiesOfSecrets().byPage({ maxPageSize: 2 })) pages.push(page);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const names = pages.flat().map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(["db-password", "old-key", "off", "api-token"]));
    expect(pages.flat().every((p) => !("value" in p))).toBe(true);
    expect(server.log.slice(before).some((l) => l.url.includes("$skiptoken="))).toBe(true);
  });

  it("updates attributes (PATCH) and then refuses to read a disabled version", async () => {
    const w = client("app-kv", P.writer);
    const created = await w.setSecret("rotating", "v");
    const updated = await w.updateSecretProperties("rotating", created.properties.version!, { enabled: false, tags: { state: "retired" } });
    expect(updated.enabled).toBe(false);
    expect(updated.tags).toEqual({ state: "retired" });
    const f = await failure(w.getSecret("rotating"));
    expect(f).toMatchObject({ status: 403, code: "Forbidden", inner: "SecretDisabled" });
    expect(f.message).toBe("Operation get is not allowed on a disabled secret.");
  });

  it("still returns an expired secret, as Key Vault does", async () => {
    const s = await client("app-kv", P.reader).getSecret("old-key");
    expect(s.value).toBe("expired-but-readable");
    expect(s.properties.expiresOn!.getTime()).toBeLessThan(Date.now());
  });

  it("answers a missing secret with SecretNotFound", async () => {
    const f = await failure(client("app-kv", P.reader).getSecret("nope"));
    expect(f).toMatchObject({ status: 404, code: "SecretNotFound" });
    expect(f.message).toMatch(/^A secret with \(name\/id\) nope was not found in this key vault\./);
  });

  it("soft-deletes, lists and gets deleted secrets, blocks the name, recovers, purges", async () => {
    const w = client("app-kv", P.writer);
    await w.setSecret("temp", "t");
    const deleted = await (await w.beginDeleteSecret("temp", { intervalInMs: 10 })).pollUntilDone();
    expect(deleted.recoveryId).toMatch(/\/deletedsecrets\/temp$/);
    expect((await failure(w.getSecret("temp"))).code).toBe("SecretNotFound");
    expect((await w.getDeletedSecret("temp")).name).toBe("temp");
    const listed = [];
    for await (const d of w.listDeletedSecrets()) listed.push(d.name);
    expect(listed).toContain("temp");
    expect(await failure(w.setSecret("temp", "again"))).toMatchObject({ status: 409, code: "Conflict" });

    await (await w.beginRecoverDeletedSecret("temp", { intervalInMs: 10 })).pollUntilDone();
    expect((await w.getSecret("temp")).value).toBe("t");

    await (await w.beginDeleteSecret("temp", { intervalInMs: 10 })).pollUntilDone();
    await w.purgeDeletedSecret("temp");
    expect((await failure(w.getDeletedSecret("temp"))).status).toBe(404);
  });
});

describe("authorization", () => {
  it("refuses a caller without a role with ForbiddenByRbac naming the data action and the secret scope", async () => {
    const f = await failure(client("app-kv", P.nobody).getSecret("old-key"));
    expect(f).toMatchObject({ status: 403, code: "Forbidden", inner: "ForbiddenByRbac" });
    expect(f.message).toContain("Caller is not authorized to perform action on resource.");
    expect(f.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'");
    expect(f.message).toContain(`Resource: '${state.keyVaults[0]!.id.toLowerCase()}/secrets/old-key'`);
    expect(f.message).toContain("Assignment: (not found)");
  });

  it("honours a role assigned on one secret only", async () => {
    expect((await client("app-kv", P.nobody).getSecret("db-password")).value).toBe("s3cret!");
    expect(await failure(client("app-kv", P.nobody).listPropertiesOfSecrets().next())).toMatchObject({ status: 403, code: "Forbidden" });
    const r = await raw("/app-kv/secrets?api-version=7.6", P.nobody);
    expect(r.error.innererror?.code).toBe("ForbiddenByRbac");
    expect(r.error.message).toContain("Microsoft.KeyVault/vaults/secrets/readMetadata/action");
  });

  it("lets Secrets User read but not write", async () => {
    const f = await failure(client("app-kv", P.reader).setSecret("db-password", "overwrite"));
    expect(f.inner).toBe("ForbiddenByRbac");
    expect(f.message).toContain("Microsoft.KeyVault/vaults/secrets/setSecret/action");
  });

  it("evaluates access policies on a non-RBAC vault (ForbiddenByPolicy), ignoring role assignments", async () => {
    expect((await client("policy-kv", P.policyUser).getSecret("s")).value).toBe("v");
    expect(await failure(client("policy-kv", P.policyUser).listPropertiesOfSecrets().next())).toMatchObject({
      status: 403,
      code: "Forbidden",
    });
    const r = await raw("/policy-kv/secrets?api-version=7.6", P.policyUser);
    expect(r.error.innererror?.code).toBe("ForbiddenByPolicy");
    expect(r.error.message).toContain(`does not have secrets list permission on key vault 'policy-kv;location=westeurope'`);
    expect((await failure(client("policy-kv", P.writer).getSecret("s"))).inner).toBe("ForbiddenByPolicy");
  });
});

describe("network rules", () => {
  it("refuses a caller from the internet when the default action is Deny (ForbiddenByFirewall)", async () => {
    const f = await failure(client("closed-kv", P.reader).getSecret("s"));
    expect(f).toMatchObject({ status: 403, inner: "ForbiddenByFirewall" });
    expect(f.message).toContain(`Client address: ${RUNNER_PUBLIC_IP}`);
  });

  it("admits the same caller from the cluster's subnet (via the cluster's egress proxy)", async () => {
    const egress = await startEgressProxy({ localAddress: clusterSourceAddress(state, "aks1") });
    try {
      const port = Number(new URL(egress.url).port);
      const s = await client("closed-kv", P.reader, { proxyOptions: { host: "http://127.0.0.1", port } }).getSecret("s");
      expect(s.value).toBe("v");
    } finally {
      await egress.close();
    }
  });

  it("refuses everyone when public network access is disabled (ForbiddenByConnection)", async () => {
    const f = await failure(client("private-kv", P.reader).getSecret("s"));
    expect(f).toMatchObject({ status: 403, inner: "ForbiddenByConnection" });
    expect(f.message).toContain("Public network access is disabled");
  });
});
