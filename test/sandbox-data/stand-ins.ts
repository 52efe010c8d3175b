/**
 * Minimal stand-ins for the CORE helper's Entra ID, IMDS and service-account token minting, so the
 * Kubernetes/pod tests can run the Workload Identity flow end to end on their own. They implement only
 * what that flow touches: OpenID discovery, client-credentials with a federated client assertion
 * (signature by the cluster's issuer key, federated-credential match on issuer/subject/audience), and
 * IMDS answering "Identity not found" as it does on AKS for an identity not assigned to the node.
 */
import { createVerify } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Handler } from "../sandbox/contract.js";
import type { ServiceAccountTokenMinter } from "../sandbox/pods.js";
import type { TenantState } from "../sandbox/state.js";
import { mintAccessToken, signJwt } from "./harness.js";

/** Projected service-account token, as the API server's token issuer signs it. */
export const mintServiceAccountToken: ServiceAccountTokenMinter = (cluster, r) => {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(cluster.signingKey, {
    aud: [r.audience],
    exp: now + r.expirationSeconds,
    iat: now,
    nbf: now,
    iss: cluster.issuerUrl,
    sub: `system:serviceaccount:${r.namespace}:${r.serviceAccount}`,
    "kubernetes.io": { namespace: r.namespace, pod: { name: r.podName, uid: r.podUid }, serviceaccount: { name: r.serviceAccount } },
  });
}

function decode(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  try {
    const [h, p] = jwt.split(".");
    return { header: JSON.parse(Buffer.from(h ?? "", "base64url").toString()), payload: JSON.parse(Buffer.from(p ?? "", "base64url").toString()) };
  } catch {
    return undefined;
  }
}

export function entraStandIn(state: TenantState, baseUrl: () => string): Handler {
  const aad = (code: number, error: string, description: string) => ({ status: code, body: { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)] } });
  return (req) => {
    const [tenant, a, b, c] = req.path.split("/").filter(Boolean);
    if (tenant !== state.tenantId) return aad(400, "invalid_request", `AADSTS90002: Tenant '${tenant}' not found.`);
    if (a === "v2.0" && b === ".well-known" && c === "openid-configuration") {
      const base = `${baseUrl()}/${tenant}`;
      return { status: 200, body: { token_endpoint: `${base}/oauth2/v2.0/token`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`, issuer: `${base}/v2.0`, jwks_uri: `${base}/discovery/v2.0/keys` } };
    }
    if (a !== "oauth2" || b !== "v2.0" || c !== "token" || req.method !== "POST") return { status: 404, body: {} };
    const form = new URLSearchParams(req.body.toString());
    const clientId = form.get("client_id") ?? "";
    const assertion = decode(form.get("client_assertion") ?? "");
    const identity = state.identities.find((i) => i.clientId === clientId);
    if (!identity) return aad(400, "unauthorized_client", `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.`);
    if (!assertion) return aad(400, "invalid_client", "AADSTS50027: JWT token is invalid or malformed.");
    const cluster = state.clusters.find((x) => x.issuerUrl === assertion.payload.iss);
    const [h, p, s] = (form.get("client_assertion") ?? "").split(".");
    const signed = cluster && createVerify("RSA-SHA256").update(`${h}.${p}`).verify(cluster.signingKey.publicKey, Buffer.from(s ?? "", "base64url"));
    if (!signed) return aad(401, "invalid_client", "AADSTS700027: Client assertion contains an invalid signature.");
    const aud = ([] as unknown[]).concat(assertion.payload.aud);
    const fic = identity.federatedCredentials.find((f) => f.issuer === assertion.payload.iss && f.subject === assertion.payload.sub && f.audiences.some((x) => aud.includes(x)));
    if (!fic) return aad(400, "invalid_request", `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${String(assertion.payload.iss)}'. Assertion Subject: '${String(assertion.payload.sub)}'.`);
    const scope = (form.get("scope") ?? "").split(" ")[0] ?? "";
    const token = mintAccessToken(state, { oid: identity.principalId, appid: identity.clientId, aud: scope.replace(/\/?\.default$/, "") });
    return { status: 200, body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token } };
  };
}

/** IMDS on an AKS node that has none of the requested identities: 400 "Identity not found". */
export async function startImdsStandIn(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const body = req.headers.metadata === "true" ? { error: "invalid_request", error_description: "Identity not found" } : { error: "invalid_request", error_description: "Required metadata header not specified" };
    res.writeHead(400, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
