/**
 * The sandbox's Entra ID against the REAL @azure/identity credentials (authorityHost +
 * disableInstanceDiscovery, as the cloud profile says): tokens for a correct federated credential
 * and client secret, and each rule saying no the way Entra does — the SDK error carries the AADSTS code.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ClientAssertionCredential, ClientSecretCredential, WorkloadIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox, type ScenarioInput } from "../sandbox/index.js";
import { freshSigningKey, signJwt } from "../sandbox/jwt.js";

const CURRENT_SECRET = "cur8Q~current-client-secret-value-000000000";
const EXPIRED_SECRET = "old8Q~expired-client-secret-value-00000000";
const FOREIGN_ISSUER = "https://oidc.foreign.example/issuer/";

const scenario: ScenarioInput = {
  subscriptions: [
    {
      name: "prod",
      resourceGroups: [
        {
          name: "app-rg",
          clusters: [{ name: "aks1" }],
          identities: [
            {
              name: "good-id",
              federatedCredentials: [{ name: "aks", issuer: "cluster:aks1", subject: "system:serviceaccount:app:backend" }],
            },
            {
              name: "slash-id",
              federatedCredentials: [
                { name: "aks", issuer: "cluster:aks1:no-trailing-slash", subject: "system:serviceaccount:app:backend" },
              ],
            },
            {
              name: "foreign-id",
              federatedCredentials: [{ name: "elsewhere", issuer: FOREIGN_ISSUER, subject: "system:serviceaccount:app:backend" }],
            },
          ],
        },
      ],
    },
  ],
  applications: [
    {
      name: "secret-app",
      secrets: [
        { value: CURRENT_SECRET, expires: "+5d" },
        { value: EXPIRED_SECRET, created: "-400d", expires: "-1d" },
      ],
      graphPermissions: ["Application.Read.All"],
    },
    {
      name: "cased-app",
      federatedCredentials: [{ name: "gh", issuer: "github", subject: "repo:Contoso/Django-App:environment:Production" }],
    },
  ],
  github: { repository: "contoso/django-app", environment: "production" },
};

let sb: Sandbox;
let tmp: string;
const options = () => ({ authorityHost: sb.urls.authorityHost, disableInstanceDiscovery: true });
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the credential to fail");
}

function assertionCredential(identity: string, assertion: () => string, tenant?: string) {
  return new ClientAssertionCredential(tenant ?? sb.state.tenantId, sb.identity(identity).clientId, async () => assertion(), options());
}

async function rawToken(
  form: Record<string, string>,
  tenant = sb.state.tenantId,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sb.urls.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  sb = await startSandbox(scenario, { azurite: false });
  tmp = mkdtempSync(path.join(tmpdir(), "entra-test-"));
});
afterAll(async () => {
  await sb?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("discovery", () => {
  it("serves the tenant's OpenID configuration and JWKS, and says AADSTS90002 for an unknown tenant", async () => {
    const config = (await (
      await fetch(`${sb.urls.authorityHost}/${sb.state.tenantId}/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(config.token_endpoint).toBe(`${sb.urls.authorityHost}/${sb.state.tenantId}/oauth2/v2.0/token`);
    for (const k of ["authorization_endpoint", "issuer", "jwks_uri"]) expect(config[k]).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const jwks = (await (await fetch(config.jwks_uri!)).json()) as { keys: { kid: string; n: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([sb.state.entraSigningKey.kid]);
    const byDomain = await fetch(`${sb.urls.authorityHost}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
    expect(byDomain.status).toBe(200);
    const unknown = await fetch(
      `${sb.urls.authorityHost}/${"0".repeat(8)}-0000-0000-0000-000000000001/v2.0/.well-known/openid-configuration`,
    );
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
  });

  it("answers Python MSAL's instance discovery with a tenant_discovery_endpoint pointing back at itself", async () => {
    const authorize = `${sb.urls.authorityHost}/${sb.state.tenantId}/oauth2/v2.0/authorize`;
    const res = await fetch(
      `${sb.urls.authorityHost}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(authorize)}`,
    );
    const body = (await res.json()) as { tenant_discovery_endpoint: string };
    expect(body.tenant_discovery_endpoint).toBe(`${sb.urls.authorityHost}/${sb.state.tenantId}/v2.0/.well-known/openid-configuration`);
  });
});

describe("tokens for correct credentials", () => {
  it("ClientAssertionCredential exchanges a service-account token for a correct FIC", async () => {
    const id = sb.identity("good-id");
    const token = await assertionCredential("good-id", () => sb.mintServiceAccountToken("aks1", "app", "backend")).getToken(
      "https://vault.azure.net/.default",
    );
    const claims = claimsOf(token.token);
    expect(claims).toMatchObject({
      aud: "https://vault.azure.net",
      oid: id.principalId,
      appid: id.clientId,
      tid: sb.state.tenantId,
      iss: `https://sts.windows.net/${sb.state.tenantId}/`,
      idtyp: "app",
      sub: id.principalId,
    });
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000_000);
    expect(sb.ctx.verifyAccessToken(token.token, ["https://vault.azure.net/"])).toMatchObject({ ok: true });
    expect(sb.ctx.verifyAccessToken(token.token, ["https://storage.azure.com"])).toMatchObject({
      ok: false,
      description: expect.stringContaining("audience"),
    });
  });

  it("WorkloadIdentityCredential reads the projected token file and gets a token", async () => {
    const file = path.join(tmp, "azure-identity-token");
    writeFileSync(file, sb.mintServiceAccountToken("aks1", "app", "backend"));
    const credential = new WorkloadIdentityCredential({
      tenantId: sb.state.tenantId,
      clientId: sb.identity("good-id").clientId,
      tokenFilePath: file,
      ...options(),
    });
    const token = await credential.getToken("https://storage.azure.com/.default");
    expect(claimsOf(token.token).aud).toBe("https://storage.azure.com");
  });

  it("ClientSecretCredential signs an app in with its live secret; Graph tokens carry its app roles", async () => {
    const app = sb.app("secret-app");
    const token = await new ClientSecretCredential(sb.state.tenantId, app.appId, CURRENT_SECRET, options()).getToken(
      "https://graph.microsoft.com/.default",
    );
    expect(claimsOf(token.token)).toMatchObject({ oid: app.servicePrincipalId, appid: app.appId, roles: ["Application.Read.All"] });
  });

  it("a GitHub ID token signs an app in when its FIC matches exactly", async () => {
    const subject = "repo:Contoso/Django-App:environment:Production";
    const app = sb.app("cased-app");
    const credential = new ClientAssertionCredential(
      sb.state.tenantId,
      app.appId,
      async () => sb.mintGitHubIdToken("api://AzureADTokenExchange", { claims: { sub: subject } }),
      options(),
    );
    expect(claimsOf((await credential.getToken("https://management.azure.com/.default")).token).oid).toBe(app.servicePrincipalId);
  });
});

describe("each rule says no with Entra's code", () => {
  const good = () => sb.mintServiceAccountToken("aks1", "app", "backend");

  it("AADSTS90002 unknown tenant (the SDK cannot even resolve the authority)", async () => {
    const tenant = "11111111-2222-3333-4444-555555555555";
    const err = await failure(assertionCredential("good-id", good, tenant).getToken("https://vault.azure.net/.default"));
    // MSAL fetches the tenant's discovery document first; Entra's 400 AADSTS90002 there surfaces as endpoints_resolution_error.
    expect(err.message).toContain("endpoints_resolution_error");
    expect(sb.log.filter({ service: "entra", path: `/${tenant}/v2.0/.well-known/openid-configuration` }).map((e) => e.status)).toEqual([
      400,
    ]);
    const raw = await rawToken(
      { grant_type: "client_credentials", client_id: sb.identity("good-id").clientId, scope: "https://vault.azure.net/.default" },
      tenant,
    );
    expect(raw.status).toBe(400);
    expect(raw.body.error_description).toMatch(/^AADSTS90002: Tenant '11111111-2222-3333-4444-555555555555' not found\./);
  });

  it("AADSTS700016 unknown client id", async () => {
    const err = await failure(
      new ClientAssertionCredential(sb.state.tenantId, "99999999-9999-4999-8999-999999999999", async () => good(), options()).getToken(
        "https://vault.azure.net/.default",
      ),
    );
    expect(err.message).toContain("AADSTS700016");
  });

  it("AADSTS700024 assertion outside its valid time range", async () => {
    const assertion = good();
    sb.clock.advance("2h");
    try {
      const err = await failure(assertionCredential("good-id", () => assertion).getToken("https://vault.azure.net/.default"));
      expect(err.message).toContain("AADSTS700024");
    } finally {
      sb.clock.advance(-2 * 3600_000);
    }
  });

  it("AADSTS700211 issuer differs (the missing trailing slash)", async () => {
    const err = await failure(assertionCredential("slash-id", good).getToken("https://vault.azure.net/.default"));
    expect(err.message).toContain("AADSTS700211");
    expect(err.message).toContain(sb.state.clusters[0]!.issuerUrl!);
  });

  it("AADSTS700213 subject differs", async () => {
    const err = await failure(
      assertionCredential("good-id", () => sb.mintServiceAccountToken("aks1", "production", "backend")).getToken(
        "https://vault.azure.net/.default",
      ),
    );
    expect(err.message).toContain("AADSTS700213");
    expect(err.message).toContain("system:serviceaccount:production:backend");
  });

  it("AADSTS7002138 subject differs only by case", async () => {
    const app = sb.app("cased-app");
    const credential = new ClientAssertionCredential(
      sb.state.tenantId,
      app.appId,
      async () => sb.mintGitHubIdToken("api://AzureADTokenExchange"),
      options(),
    );
    const err = await failure(credential.getToken("https://management.azure.com/.default"));
    expect(err.message).toContain("AADSTS7002138");
  });

  it("AADSTS70021 audience not in the FIC's audiences", async () => {
    const err = await failure(
      assertionCredential("good-id", () => sb.mintServiceAccountToken("aks1", "app", "backend", "api://SomethingElse")).getToken(
        "https://vault.azure.net/.default",
      ),
    );
    expect(err.message).toContain("AADSTS70021");
  });

  it("AADSTS700027 invalid signature", async () => {
    const forged = signJwt({ ...freshSigningKey(sb.state.clusters[0]!.signingKey.kid) }, claimsOf(good()));
    const err = await failure(assertionCredential("good-id", () => forged).getToken("https://vault.azure.net/.default"));
    expect(err.message).toContain("AADSTS700027");
  });

  it("AADSTS90061 issuer configured on a FIC but not reachable", async () => {
    const now = Math.floor(sb.clock.now() / 1000);
    const token = signJwt(freshSigningKey("foreign"), {
      iss: FOREIGN_ISSUER,
      sub: "system:serviceaccount:app:backend",
      aud: ["api://AzureADTokenExchange"],
      iat: now,
      nbf: now,
      exp: now + 600,
    });
    const err = await failure(assertionCredential("foreign-id", () => token).getToken("https://vault.azure.net/.default"));
    expect(err.message).toContain("AADSTS90061");
  });

  it("AADSTS7000215 wrong client secret, AADSTS7000222 expired client secret", async () => {
    const app = sb.app("secret-app");
    const wrong = await failure(
      new ClientSecretCredential(sb.state.tenantId, app.appId, "not-the-secret", options()).getToken("https://vault.azure.net/.default"),
    );
    expect(wrong.message).toContain("AADSTS7000215");
    expect(wrong.message).not.toContain(CURRENT_SECRET);
    const expired = await failure(
      new ClientSecretCredential(sb.state.tenantId, app.appId, EXPIRED_SECRET, options()).getToken("https://vault.azure.net/.default"),
    );
    expect(expired.message).toContain("AADSTS7000222");
    expect(expired.message).not.toContain(EXPIRED_SECRET);
  });

  it("the current secret expires too when the clock passes its end date", async () => {
    const app = sb.app("secret-app");
    sb.clock.advance("6d");
    try {
      const err = await failure(
        new ClientSecretCredential(sb.state.tenantId, app.appId, CURRENT_SECRET, options()).getToken("https://storage.azure.com/.default"),
      );
      expect(err.message).toContain("AADSTS7000222");
    } finally {
      sb.clock.advance(-6 * 86_400_000);
    }
  });

  it("AADSTS70011 scope without /.default, with Entra's full error body", async () => {
    const raw = await rawToken({
      grant_type: "client_credentials",
      client_id: sb.app("secret-app").appId,
      client_secret: CURRENT_SECRET,
      scope: "https://vault.azure.net/user_impersonation",
    });
    expect(raw.status).toBe(400);
    expect(raw.body).toMatchObject({ error: "invalid_scope", error_codes: [70011] });
    expect(raw.body.error_description).toMatch(
      /^AADSTS70011: .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s,
    );
    for (const k of ["timestamp", "trace_id", "correlation_id", "error_uri"]) expect(raw.body[k]).toEqual(expect.any(String));
    const sdk = await failure(
      new ClientSecretCredential(sb.state.tenantId, sb.app("secret-app").appId, CURRENT_SECRET, options()).getToken(
        "https://vault.azure.net/user_impersonation",
      ),
    );
    expect(sdk.message).toContain("AADSTS70011");
  });

  it("a token issued before the clock moved past its expiry is refused by resource services", async () => {
    const token = await assertionCredential("good-id", good).getToken("https://vault.azure.net/.default");
    sb.clock.advance("2h");
    try {
      expect(sb.ctx.verifyAccessToken(token.token, ["https://vault.azure.net"])).toMatchObject({
        ok: false,
        description: expect.stringContaining("expired"),
      });
    } finally {
      sb.clock.advance(-2 * 3600_000);
    }
  });
});
