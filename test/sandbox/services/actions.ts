/**
 * The GitHub Actions runtime's ID-token endpoint (plain http, as ACTIONS_ID_TOKEN_REQUEST_URL is
 * reachable inside a runner). `core.getIDToken(aud)` sends `GET ${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=aud`
 * with `Authorization: Bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}` and reads `{"value": "<jwt>"}`.
 * A fork's pull_request run gets neither variable (index.ts leaves them out of the environment).
 */
import { createHash } from "node:crypto";
import type { Handler, ServiceContext } from "../contract.js";
import type { GitHubState } from "../state.js";
import { mintGitHubIdToken } from "./issuers.js";

export const ID_TOKEN_PATH = "/_apis/pipelines/workflows/1000000001/idtoken";

/** The runtime's request token for this repository's run (stable for a repository name). */
export function actionsRequestToken(gh: Pick<GitHubState, "repository">): string {
  return createHash("sha256").update(`actions-id-token-request\0${gh.repository}`).digest("base64url");
}

export function actionsIdTokenUrl(actionsUrl: string): string {
  return `${actionsUrl.replace(/\/+$/, "")}${ID_TOKEN_PATH}?api-version=2.0`;
}

export function actionsService(ctx: ServiceContext): Handler {
  return (req) => {
    if (req.path !== ID_TOKEN_PATH) return { status: 404, body: { message: "Not Found" } };
    if (req.method !== "GET") return { status: 405, body: { message: "Method Not Allowed" } };
    const gh = ctx.state.github;
    if (!gh || req.bearer !== actionsRequestToken(gh)) {
      return {
        status: 401,
        body: {
          $id: "1",
          innerException: null,
          message: "TF400813: The user is not authorized to access this resource.",
          typeName: "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException",
          typeKey: "UnauthorizedRequestException",
          errorCode: 0,
          eventId: 3000,
        },
      };
    }
    const [owner = ""] = gh.repository.split("/");
    // Without an audience GitHub uses the repository owner's URL.
    const audience = req.query.get("audience") ?? `https://github.com/${owner}`;
    return { status: 200, body: { count: 1, value: mintGitHubIdToken(ctx, audience) } };
  };
}
