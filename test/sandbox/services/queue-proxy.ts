/**
 * The front of Queue Storage: path-style `/{account}/{queue}/messages…` in front of Azurite's queue
 * service, so that queue calls live on the sandbox clock like every other service. Azurite checks a
 * bearer's lifetime against the real clock, so after `clock.advance("25h")` a token the sandbox issued
 * (iat/nbf 25 h "in the future" for Azurite) was refused with 403 and no timer or queue flow could be
 * driven past a rotation overlap. Here, as Storage does:
 *   1. the storage firewall → 403 AuthorizationFailure;
 *   2. authentication: a bearer from the sandbox's Entra ID for https://storage.azure.com, verified on the
 *      sandbox clock → otherwise 401 with the challenge the SDK understands; SharedKey and SAS go to
 *      Azurite unchanged (it checks them with the account key);
 *   3. forwarding with the same claims re-stamped on the real clock (blob-proxy.ts `tokenForAzurite`).
 * Queue RBAC (Storage Queue Data *) is not enforced yet: an authenticated principal of the tenant passes.
 */
import type { Handler, ServiceContext } from "../contract.js";
import { evaluateFirewall, networkSourceOf } from "../network.js";
import { decodePayload, forward, STORAGE_AUDIENCES, STORAGE_RESOURCE, storageError, tokenForAzurite } from "./blob-proxy.js";

export function queueProxyService(ctx: ServiceContext, azurite: { queueUrl: string; ca?: string }): Handler {
  const target = { blobUrl: azurite.queueUrl, ...(azurite.ca !== undefined ? { ca: azurite.ca } : {}) };
  const challenge = `Bearer authorization_uri=${ctx.urls.authorityHost}/${ctx.state.tenantId}/oauth2/authorize resource_id=${STORAGE_RESOURCE}`;
  return async (req) => {
    const [accountName = ""] = req.path.split("/").filter(Boolean).map(decodeURIComponent);
    const account = ctx.state.storageAccounts.find((a) => a.name === accountName);
    if (!account)
      return storageError(
        ctx,
        req,
        404,
        "ResourceNotFound",
        `The specified resource does not exist. (No storage account '${accountName}' in this sandbox.)`,
      );
    if (!evaluateFirewall(account.network, networkSourceOf(ctx.state, req.remoteAddress)).allowed) {
      return storageError(ctx, req, 403, "AuthorizationFailure", "This request is not authorized to perform this operation.");
    }
    const authorization = typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
    if ((authorization !== undefined && /^SharedKey(Lite)? /i.test(authorization)) || req.query.has("sig"))
      return forward(target, req, authorization);
    const authFailed = (code: string, detail?: string) =>
      storageError(
        ctx,
        req,
        401,
        code,
        "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.",
        detail ? `<AuthenticationErrorDetail>${detail}</AuthenticationErrorDetail>` : "",
        { "www-authenticate": challenge },
      );
    if (!req.bearer) return authFailed("NoAuthenticationInformation");
    const check = ctx.verifyAccessToken(req.bearer, STORAGE_AUDIENCES);
    if (!check.ok) {
      const claims = decodePayload(req.bearer);
      if (typeof claims?.exp === "number" && claims.exp * 1000 <= ctx.now())
        return authFailed("InvalidAuthenticationInfo", "Lifetime validation failed. The token is expired.");
      return authFailed("InvalidAuthenticationInfo", check.description);
    }
    return forward(target, req, `Bearer ${tokenForAzurite(req.bearer, check.claims)}`);
  };
}
