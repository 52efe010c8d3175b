/**
 * What GitHub does around a deployment protection rule, for tests and the CLI: register and install a
 * GitHub App on the sandbox repository (its private key is handed out once, as GitHub does when you
 * generate one), push commits to branches, and — when a job targets a protected environment — create
 * the pending rule and the `deployment_protection_rule` webhook delivery, signed with the App's webhook
 * secret (`X-Hub-Signature-256: sha256=HMAC-SHA256(secret, body)`).
 *
 * A delivery is returned rather than sent: the test hands it to the Function's HTTP handler (or to a
 * server), and can resend it unchanged, as GitHub's "Redeliver" does (same X-GitHub-Delivery id).
 */
import { createHash, createHmac, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import type { ServiceContext } from "./contract.js";
import { nameNumber } from "./ids.js";
import type { GitHubAppState, GitHubState, ProtectionRuleState } from "./state.js";

export interface InstalledApp {
  appId: number;
  clientId: string;
  installationId: number;
  /** PEM (PKCS#1, "BEGIN RSA PRIVATE KEY"), as GitHub's "Generate a private key" downloads it. */
  privateKeyPem: string;
  webhookSecret: string;
}

/** The least permissions of the protection-rule App (docs/protection-rule.md). */
export const PROTECTION_APP_PERMISSIONS: Record<string, "read" | "write"> = {
  actions: "read",
  deployments: "write",
  contents: "read",
  metadata: "read",
};

function github(ctx: ServiceContext): GitHubState {
  const gh = ctx.state.github;
  if (!gh) throw new Error("this sandbox's scenario has no `github:` repository");
  return gh;
}

export function installGitHubApp(
  ctx: ServiceContext,
  options: { slug?: string; permissions?: Record<string, "read" | "write">; events?: string[] } = {},
): InstalledApp {
  const gh = github(ctx);
  const slug = options.slug ?? "azure-auth-gate";
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const appId = nameNumber(100_000, 900_000, "github-app", gh.repository, slug);
  const app: GitHubAppState = {
    appId,
    clientId: `Iv23li${createHash("sha256").update(`client\0${appId}`).digest("hex").slice(0, 14)}`,
    slug,
    publicKey,
    webhookSecret: randomBytes(24).toString("hex"),
    installationId: nameNumber(10_000_000, 90_000_000, "github-installation", gh.repository, slug),
    permissions: options.permissions ?? PROTECTION_APP_PERMISSIONS,
    events: options.events ?? ["deployment_protection_rule"],
    tokens: [],
  };
  gh.app = app;
  return {
    appId,
    clientId: app.clientId,
    installationId: app.installationId,
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    webhookSecret: app.webhookSecret,
  };
}

/**
 * A new commit on `branch` (created from the default branch when new): the branch's files with
 * `changes` applied (`null` deletes a file). Returns the commit's sha.
 */
export function pushCommit(
  ctx: ServiceContext,
  branch: string,
  changes: Record<string, string | null>,
  options: { defaultBranch?: string } = {},
): string {
  const gh = github(ctx);
  const git = (gh.git ??= { defaultBranch: options.defaultBranch ?? "main", branches: {}, commits: {} });
  const parent = git.branches[branch] ?? git.branches[git.defaultBranch];
  const files: Record<string, string> = { ...(parent ? git.commits[parent] : {}) };
  for (const [p, text] of Object.entries(changes)) {
    if (text === null) delete files[p];
    else files[p] = text;
  }
  const sha = createHash("sha1")
    .update(`commit\0${parent ?? ""}\0${branch}\0${JSON.stringify(Object.entries(files).sort())}\0${Object.keys(git.commits).length}`)
    .digest("hex");
  git.commits[sha] = files;
  git.branches[branch] = sha;
  return sha;
}

export interface WebhookDelivery {
  id: string;
  event: string;
  headers: Record<string, string>;
  /** The raw body exactly as signed. */
  body: string;
}

/** Signs a body as GitHub does for the App's webhook. */
export function signDelivery(secret: string, event: string, payload: unknown, id: string = randomUUID()): WebhookDelivery {
  const body = JSON.stringify(payload);
  return {
    id,
    event,
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/sandbox",
      "x-github-delivery": id,
      "x-github-event": event,
      "x-github-hook-installation-target-type": "integration",
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
  };
}

/**
 * A workflow job targets `environment` with the head of `branch`: GitHub creates the pending rule for the
 * installed App and delivers `deployment_protection_rule` (action `requested`). Returns the delivery and
 * the rule (its `state` and `reviews` change when the App answers the callback).
 */
export function requestDeploymentProtection(
  ctx: ServiceContext,
  environment: string,
  branch: string,
  options: { event?: string } = {},
): { delivery: WebhookDelivery; rule: ProtectionRuleState } {
  const gh = github(ctx);
  const app = gh.app;
  if (!app) throw new Error("install the GitHub App first (installGitHubApp)");
  const sha = gh.git?.branches[branch];
  if (!sha) throw new Error(`no branch '${branch}' (pushCommit first)`);
  const rules = (gh.protectionRules ??= []);
  const runId = 9_000_000_000 + rules.length + 1;
  const rule: ProtectionRuleState = {
    runId,
    environment,
    appId: app.appId,
    sha,
    ref: `refs/heads/${branch}`,
    state: "pending",
    reviews: [],
  };
  rules.push(rule);
  const [owner = "", repo = ""] = gh.repository.split("/");
  const api = ctx.urls.github.replace(/\/+$/, "");
  const deploymentId = 700_000_000 + rules.length;
  const created = new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  const sender = { login: "octocat", id: 583231, type: "User" };
  const payload = {
    action: "requested",
    environment,
    event: options.event ?? "push",
    deployment_callback_url: `${api}/repos/${owner}/${repo}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: {
      url: `${api}/repos/${owner}/${repo}/deployments/${deploymentId}`,
      id: deploymentId,
      node_id: `DE_${deploymentId}`,
      sha,
      ref: branch,
      task: "deploy",
      payload: {},
      original_environment: environment,
      environment,
      description: null,
      creator: sender,
      created_at: created,
      updated_at: created,
      statuses_url: `${api}/repos/${owner}/${repo}/deployments/${deploymentId}/statuses`,
      repository_url: `${api}/repos/${owner}/${repo}`,
    },
    pull_requests: [],
    repository: {
      id: gh.repoId,
      name: repo,
      full_name: gh.repository,
      private: true,
      owner: { login: owner, id: gh.ownerId, type: "Organization" },
      default_branch: gh.git?.defaultBranch ?? "main",
    },
    organization: { login: owner, id: gh.ownerId },
    installation: { id: app.installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${app.installationId}` },
    sender,
  };
  return { delivery: signDelivery(app.webhookSecret, "deployment_protection_rule", payload), rule };
}
