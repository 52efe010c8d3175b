/**
 * OIDC issuers (cluster and GitHub discovery + JWKS, token shapes), the Actions ID-token endpoint
 * through the REAL @actions/core getIDToken, and IMDS.
 */
import * as core from "@actions/core";
import { createPublicKey, createVerify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox, type ScenarioInput } from "../sandbox/index.js";

const scenario: ScenarioInput = {
  subscriptions: [
    {
      name: "prod",
      resourceGroups: [
        {
          name: "app-rg",
          clusters: [{ name: "aks1" }, { name: "legacy", oidcIssuer: false, workloadIdentity: false }],
          identities: [{ name: "node-id", assignedToNodes: true }, { name: "app-id" }],
        },
      ],
    },
  ],
  github: { repository: "contoso/django-app", environment: "production", immutableSubject: true },
};

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox(scenario, { azurite: false });
});
afterAll(async () => sb?.stop());

const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined };
};

function verifiesWith(jwks: { keys: Record<string, unknown>[] }, token: string): boolean {
  const [h, p, s] = token.split(".");
  const kid = (JSON.parse(Buffer.from(h!, "base64url").toString()) as { kid: string }).kid;
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) return false;
  const key = createPublicKey({ key: jwk as never, format: "jwk" });
  return createVerify("RSA-SHA256").update(`${h}.${p}`).verify(key, Buffer.from(s!, "base64url"));
}

describe("cluster issuers", () => {
  it("serves discovery at the issuer URL (with its trailing slash) and a JWKS that verifies service-account tokens", async () => {
    const cluster = sb.state.clusters.find((c) => c.name === "aks1")!;
    expect(cluster.issuerUrl).toMatch(new RegExp(`^${sb.urls.issuers}/clusters/[0-9a-f-]{36}/$`));
    const discovery = await getJson(`${cluster.issuerUrl}.well-known/openid-configuration`);
    expect(discovery.body).toMatchObject({
      issuer: cluster.issuerUrl,
      jwks_uri: `${cluster.issuerUrl}openid/v1/jwks`,
      id_token_signing_alg_values_supported: ["RS256"],
    });
    const jwks = (await getJson(discovery.body!.jwks_uri as string)).body as { keys: Record<string, unknown>[] };
    const token = sb.mintServiceAccountToken("aks1", "app", "backend");
    expect(verifiesWith(jwks, token)).toBe(true);
    expect(decode(token)).toMatchObject({
      iss: cluster.issuerUrl,
      sub: "system:serviceaccount:app:backend",
      aud: ["api://AzureADTokenExchange"],
      "kubernetes.io": { namespace: "app", serviceaccount: { name: "backend" } },
    });
  });

  it("has no issuer for a cluster without the OIDC issuer", async () => {
    expect(sb.state.clusters.find((c) => c.name === "legacy")!.issuerUrl).toBeUndefined();
    expect((await getJson(`${sb.urls.issuers}/clusters/nothing/.well-known/openid-configuration`)).status).toBe(404);
  });
});

describe("GitHub Actions", () => {
  it("serves GitHub's issuer without a trailing slash and mints ID tokens with GitHub's claim shapes (immutable subject)", async () => {
    const iss = `${sb.urls.issuers}/github`;
    const discovery = await getJson(`${iss}/.well-known/openid-configuration`);
    expect(discovery.body).toMatchObject({ issuer: iss, jwks_uri: `${iss}/.well-known/jwks` });
    const token = sb.mintGitHubIdToken("api://AzureADTokenExchange");
    const claims = decode(token);
    const gh = sb.state.github!;
    expect(claims).toMatchObject({
      iss,
      aud: "api://AzureADTokenExchange",
      sub: `repo:contoso@${gh.ownerId}/django-app@${gh.repoId}:environment:production`,
      repository: "contoso/django-app",
      repository_owner: "contoso",
      environment: "production",
      event_name: "push",
      ref: "refs/heads/main",
      job_workflow_ref: "contoso/django-app/.github/workflows/deploy.yml@refs/heads/main",
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    expect(verifiesWith((await getJson(`${iss}/.well-known/jwks`)).body as { keys: Record<string, unknown>[] }, token)).toBe(true);
  });

  it("core.getIDToken(audience) gets a token from the Actions runtime endpoint; a wrong request token gets 401", async () => {
    const saved = { url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL, token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN };
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = sb.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = sb.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    try {
      const token = await core.getIDToken("api://AzureADTokenExchange");
      expect(decode(token)).toMatchObject({ aud: "api://AzureADTokenExchange", environment: "production" });
      expect(sb.log.filter({ service: "actions" }).at(-1)).toMatchObject({ status: 200, query: expect.stringContaining("audience=api") });
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = "wrong";
      await expect(core.getIDToken("api://AzureADTokenExchange")).rejects.toThrow(/401/);
    } finally {
      for (const [k, v] of [
        ["ACTIONS_ID_TOKEN_REQUEST_URL", saved.url],
        ["ACTIONS_ID_TOKEN_REQUEST_TOKEN", saved.token],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("a fork's pull request run gets no ID-token variables", async () => {
    const fork = await startSandbox({ github: { repository: "contoso/django-app", pullRequest: 3, fork: true } }, { azurite: false });
    try {
      expect(fork.env.ACTIONS_ID_TOKEN_REQUEST_URL).toBeUndefined();
      expect(fork.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN).toBeUndefined();
      expect(decode(fork.mintGitHubIdToken("x")).sub).toBe("repo:contoso/django-app:pull_request");
    } finally {
      await fork.stop();
    }
  });

  it("a scenario without a `github:` section gets no ID-token variables (docs/sandbox.md `env`)", async () => {
    const plain = await startSandbox({ tenant: { name: "fabrikam" } }, { azurite: false });
    try {
      expect(plain.env.ACTIONS_ID_TOKEN_REQUEST_URL).toBeUndefined();
      expect(plain.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });
});

describe("IMDS", () => {
  const imds = (query: string, headers: Record<string, string> = { Metadata: "true" }) =>
    fetch(`${sb.urls.imds}/metadata/identity/oauth2/token?${query}`, { headers });

  it("issues a token for an identity assigned to the nodes", async () => {
    const id = sb.identity("node-id");
    const res = await imds(`api-version=2018-02-01&resource=https://vault.azure.net&client_id=${id.clientId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({
      client_id: id.clientId,
      resource: "https://vault.azure.net",
      token_type: "Bearer",
      expires_in: expect.stringMatching(/^\d+$/),
    });
    expect(decode(body.access_token!)).toMatchObject({ oid: id.principalId, aud: "https://vault.azure.net", xms_mirid: id.id });
    expect(sb.ctx.verifyAccessToken(body.access_token, ["https://vault.azure.net"]).ok).toBe(true);
  });

  it("answers 400 Identity not found for an identity not on the nodes, and 400 without the Metadata header", async () => {
    const notAssigned = await imds(`api-version=2018-02-01&resource=https://vault.azure.net&client_id=${sb.identity("app-id").clientId}`);
    expect(notAssigned.status).toBe(400);
    expect(await notAssigned.json()).toEqual({ error: "invalid_request", error_description: "Identity not found" });
    const noHeader = await imds("api-version=2018-02-01&resource=https://vault.azure.net", {});
    expect(noHeader.status).toBe(400);
    expect(((await noHeader.json()) as { error_description: string }).error_description).toBe("Required metadata header not specified");
  });
});
