/**
 * The Azure Instance Metadata Service of the cluster's nodes (plain http, as IMDS is). Point
 * AZURE_POD_IDENTITY_AUTHORITY_HOST / IMDS_ENDPOINT at it so no SDK ever sends a packet to
 * 169.254.169.254. `GET /metadata/identity/oauth2/token` issues a token only for an identity the
 * scenario assigned to the nodes (`assignedToNodes: true`); for anything else it answers what AKS's
 * IMDS answers a pod whose Workload Identity was not injected: 400 "Identity not found".
 */
import type { Handler, SandboxResponse, ServiceContext } from "../contract.js";
import type { IdentityState } from "../state.js";
import { issueAccessToken } from "../tokens.js";

/** IMDS tokens live about a day. */
const IMDS_LIFETIME_SECONDS = 86_399;

const bad = (description: string, status = 400): SandboxResponse => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8" },
  body: { error: "invalid_request", error_description: description },
});

export function imdsService(ctx: ServiceContext): Handler {
  return (req) => {
    // @azure/identity (MSAL) asks for `/metadata/identity/oauth2/token/`; IMDS serves both forms.
    const path = req.path.replace(/\/+$/, "");
    if (path === "/metadata/instance" && req.method === "GET") {
      if (req.headers.metadata !== "true") return bad("Required metadata header not specified");
      return {
        status: 200,
        body: {
          compute: {
            azEnvironment: "AzurePublicCloud",
            location: "westeurope",
            name: "aks-nodepool1-00000000-vmss000000",
            osType: "Linux",
            vmSize: "Standard_D4s_v5",
          },
        },
      };
    }
    if (path !== "/metadata/identity/oauth2/token") return { status: 404, body: { error: "Not found" } };
    if (req.method !== "GET") return { status: 405, body: { error: "invalid_request", error_description: "Method not allowed" } };
    if (req.headers.metadata !== "true") return bad("Required metadata header not specified");
    if (!req.query.get("api-version")) return bad("Required query variable 'api-version' is missing");
    const resource = req.query.get("resource");
    if (!resource) return bad("Required query variable 'resource' is missing");

    const clientId = req.query.get("client_id")?.toLowerCase();
    const objectId = (req.query.get("object_id") ?? req.query.get("principal_id"))?.toLowerCase();
    const resourceId = (req.query.get("msi_res_id") ?? req.query.get("mi_res_id"))?.toLowerCase();
    const onNodes = ctx.state.identities.filter((i) => i.assignedToNodes);
    let identity: IdentityState | undefined;
    if (clientId || objectId || resourceId) {
      identity = onNodes.find((i) => i.clientId === clientId || i.principalId === objectId || i.id.toLowerCase() === resourceId);
    } else if (onNodes.length > 1) {
      return bad("Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request");
    } else {
      identity = onNodes[0];
    }
    if (!identity) return bad("Identity not found");

    const issued = issueAccessToken(ctx.state, { kind: "identity", identity }, resource, ctx.now(), ctx.urls.graph, IMDS_LIFETIME_SECONDS);
    return {
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: {
        access_token: issued.token,
        client_id: identity.clientId,
        expires_in: String(issued.expiresIn),
        expires_on: String(issued.claims.exp),
        ext_expires_in: String(issued.expiresIn),
        not_before: String(issued.claims.nbf),
        resource,
        token_type: "Bearer",
      },
    };
  };
}
