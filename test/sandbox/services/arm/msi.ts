/**
 * Microsoft.ManagedIdentity/userAssignedIdentities and their federatedIdentityCredentials. A PUT or
 * DELETE of a credential changes the live state, so the Entra emulator honours it on the next token
 * exchange: tests "apply the fix" through the same API a user would.
 */
import type { SandboxResponse } from "../../contract.js";
import type { FederatedCredentialState, IdentityState } from "../../state.js";
import { FIC_API_VERSIONS, MSI_API_VERSIONS } from "./api-versions.js";
import { ArmError, authorize, bodyObject, json, paged, propertiesOf, requireApiVersion, resourceNotFound, type ArmCall } from "./common.js";
import { defineKind, type ResourceTarget } from "./kind.js";

const FIC_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";
const MAX_FICS_PER_IDENTITY = 20;
const FIC_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$/;

function identityJson(call: ArmCall, i: IdentityState): Record<string, unknown> {
  const properties: Record<string, unknown> = { tenantId: i.tenantId, principalId: i.principalId, clientId: i.clientId };
  if (call.apiVersion >= "2024-11-30") properties.isolationScope = "None";
  return { id: i.id, name: i.name, type: "Microsoft.ManagedIdentity/userAssignedIdentities", location: i.location, tags: {}, properties };
}

export function ficJson(identity: IdentityState, f: FederatedCredentialState): Record<string, unknown> {
  return {
    id: `${identity.id}/federatedIdentityCredentials/${f.name}`,
    name: f.name,
    type: FIC_TYPE,
    properties: { issuer: f.issuer, subject: f.subject, audiences: [...f.audiences] },
  };
}

function badRequest(message: string): ArmError {
  return new ArmError(400, "BadRequest", message);
}

function parseFic(call: ArmCall, name: string): { issuer: string; subject: string; audiences: string[] } {
  if (!FIC_NAME.test(name)) {
    throw badRequest(
      `The federated identity credential name '${name}' is invalid. It must be 3-120 characters, start with a letter or digit, and contain only letters, digits, '-' and '_'.`,
    );
  }
  const p = propertiesOf(bodyObject(call));
  const { issuer, subject, audiences } = p;
  if (typeof issuer !== "string" || issuer.length === 0) throw badRequest("The 'issuer' property is required.");
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw badRequest(`The issuer '${issuer}' is not a valid URL.`);
  }
  if (url.protocol !== "https:") throw badRequest(`The issuer '${issuer}' must use the https scheme.`);
  if (typeof subject !== "string" || subject.length === 0) throw badRequest("The 'subject' property is required.");
  if (!Array.isArray(audiences) || audiences.length !== 1 || typeof audiences[0] !== "string" || audiences[0].length === 0) {
    throw badRequest("The 'audiences' property must contain exactly one value.");
  }
  return { issuer, subject, audiences: [audiences[0]] };
}

function ficChild(call: ArmCall, target: ResourceTarget<IdentityState>, rest: string[]): SandboxResponse {
  const [collection, ficName, ...more] = rest;
  if (collection?.toLowerCase() !== "federatedidentitycredentials" || more.length > 0) {
    throw new ArmError(404, "NotFound", `The sandbox does not emulate '…/userAssignedIdentities/${target.name}/${rest.join("/")}'.`);
  }
  requireApiVersion(call, "userAssignedIdentities/federatedIdentityCredentials", FIC_API_VERSIONS);
  const method = call.req.method;

  if (ficName === undefined) {
    if (method !== "GET") throw new ArmError(405, "MethodNotAllowed", `The requested method '${method}' is not allowed on a collection.`);
    authorize(call, `${FIC_TYPE}/read`, target.requestId);
    const identity = target.resolve();
    return paged(
      call,
      identity.federatedCredentials.map((f) => ficJson(identity, f)),
    );
  }

  const ficId = `${target.requestId}/federatedIdentityCredentials/${ficName}`;
  if (method === "GET") {
    authorize(call, `${FIC_TYPE}/read`, ficId);
    const identity = target.resolve();
    const fic = identity.federatedCredentials.find((f) => f.name.toLowerCase() === ficName.toLowerCase());
    if (!fic)
      throw resourceNotFound(
        `Microsoft.ManagedIdentity/userAssignedIdentities/${identity.name}/federatedIdentityCredentials`,
        ficName,
        identity.resourceGroup,
      );
    return json(200, ficJson(identity, fic));
  }
  if (method === "PUT") {
    authorize(call, `${FIC_TYPE}/write`, ficId);
    const identity = target.resolve();
    const wanted = parseFic(call, ficName);
    const existing = identity.federatedCredentials.find((f) => f.name.toLowerCase() === ficName.toLowerCase());
    const clash = identity.federatedCredentials.find((f) => f !== existing && f.issuer === wanted.issuer && f.subject === wanted.subject);
    if (clash) {
      throw new ArmError(
        409,
        "Conflict",
        `A federated identity credential with issuer '${wanted.issuer}' and subject '${wanted.subject}' already exists on this identity ('${clash.name}').`,
      );
    }
    if (existing) {
      Object.assign(existing, wanted);
      return json(200, ficJson(identity, existing));
    }
    if (identity.federatedCredentials.length >= MAX_FICS_PER_IDENTITY) {
      throw badRequest(
        `The identity '${identity.name}' already has the maximum number (${MAX_FICS_PER_IDENTITY}) of federated identity credentials.`,
      );
    }
    const created: FederatedCredentialState = { id: `${identity.id}/federatedIdentityCredentials/${ficName}`, name: ficName, ...wanted };
    identity.federatedCredentials.push(created);
    return json(201, ficJson(identity, created));
  }
  if (method === "DELETE") {
    authorize(call, `${FIC_TYPE}/delete`, ficId);
    const identity = target.resolve();
    const index = identity.federatedCredentials.findIndex((f) => f.name.toLowerCase() === ficName.toLowerCase());
    if (index < 0) return { status: 204 };
    identity.federatedCredentials.splice(index, 1);
    return { status: 200 };
  }
  throw new ArmError(405, "MethodNotAllowed", `The requested method '${method}' is not allowed.`);
}

export const userAssignedIdentities = defineKind<IdentityState>({
  namespace: "Microsoft.ManagedIdentity",
  type: "userAssignedIdentities",
  apiVersions: MSI_API_VERSIONS,
  all: (state) => state.identities,
  toJson: identityJson,
  child: ficChild,
});
