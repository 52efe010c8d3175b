/**
 * The review's GitHub side, as the App: an installation token for the one repository under review
 * (@octokit/auth-app, private key from Key Vault), the repository's default branch, the gate config
 * from that branch, the manifests at the deployment's commit (git trees + contents API), and the
 * protection-rule callback. Nothing is read from the deployment's ref except the manifests it deploys.
 */
import { getOctokit } from "@actions/github";
import { createAppAuth } from "@octokit/auth-app";
import { InputError } from "../../shared/errors.js";
import type { ManifestSource } from "../../shared/static/parse.js";
import type { ReviewMessage } from "./messages.js";

/** What the review's installation token may do: read files, answer the rule. Nothing else. */
export const TOKEN_PERMISSIONS = { contents: "read", deployments: "write" } as const;
/** More manifest files than this for one environment is a config mistake (e.g. `manifests: [.]`). */
const MAX_MANIFEST_FILES = 500;
const MANIFEST_EXTENSION = /\.(ya?ml|json)$/i;

type Octokit = ReturnType<typeof getOctokit>;

export interface AppIdentity {
  apiUrl: string;
  appId: string;
  privateKey: string;
}

/** An Octokit that authenticates as the App's installation, with a token narrowed to `repo`. */
export function installationOctokit(app: AppIdentity, message: Pick<ReviewMessage, "installationId" | "repo">): Octokit {
  // getOctokit insists on a token string; the strategy ignores it and signs every request as the installation.
  return getOctokit("(app)", {
    baseUrl: app.apiUrl,
    authStrategy: (core: { request: Parameters<typeof createAppAuth>[0]["request"] }) =>
      createAppAuth({
        appId: app.appId,
        privateKey: app.privateKey,
        installationId: message.installationId,
        repositoryNames: [message.repo],
        permissions: { ...TOKEN_PERMISSIONS },
        ...(core.request ? { request: core.request } : {}),
      }),
  });
}

function status(err: unknown): number | undefined {
  const s = (err as { status?: unknown }).status;
  return typeof s === "number" ? s : undefined;
}

export class RepositoryReader {
  constructor(
    private readonly octokit: Octokit,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  /** The default branch and the commit it points at now (the config is read at that commit). */
  async defaultBranch(): Promise<{ branch: string; sha: string }> {
    const repo = await this.octokit.rest.repos.get({ owner: this.owner, repo: this.repo });
    const branch = repo.data.default_branch;
    const ref = await this.octokit.rest.git.getRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}` });
    return { branch, sha: ref.data.object.sha };
  }

  /** A file's text at `ref`, or undefined when it does not exist there. */
  async file(path: string, ref: string): Promise<string | undefined> {
    try {
      const res = await this.octokit.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref });
      const data = res.data as { type?: string; encoding?: string; content?: string };
      if (Array.isArray(res.data) || data.type !== "file") throw new InputError("is a directory, not a file", { file: path });
      // Files over 1 MB come without content from the contents API; a manifest or config that large is a mistake.
      if (data.encoding !== "base64" || data.content === undefined)
        throw new InputError("is too large to read through the contents API (over 1 MB)", { file: path });
      return Buffer.from(data.content, "base64").toString("utf8");
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  }

  /**
   * The manifests an environment names, at the deployment's commit: each entry is a file, or a
   * directory whose YAML/JSON files (recursively) are read. An entry that matches nothing is an
   * InputError naming it — a typo never checks nothing.
   */
  async manifests(entries: readonly string[], sha: string, field: string): Promise<ManifestSource[]> {
    const tree = await this.octokit.rest.git.getTree({ owner: this.owner, repo: this.repo, tree_sha: sha, recursive: "true" });
    if (tree.data.truncated)
      throw new InputError(`the repository's tree at ${sha.slice(0, 7)} is too large to list; name the manifest files`, { field });
    const blobs = tree.data.tree.filter((e) => e.type === "blob" && e.path).map((e) => e.path!);
    const paths = new Set<string>();
    entries.forEach((entry, i) => {
      const clean = entry.replace(/^\.\//, "").replace(/\/+$/, "");
      const matched = blobs.filter((p) => p === clean || ((clean === "." || p.startsWith(`${clean}/`)) && MANIFEST_EXTENSION.test(p)));
      if (matched.length === 0)
        throw new InputError(`'${entry}' is not a file or a directory with manifests in the repository at ${sha.slice(0, 7)}`, {
          field: `${field}[${i}]`,
        });
      for (const p of matched) paths.add(p);
    });
    if (paths.size > MAX_MANIFEST_FILES)
      throw new InputError(
        `${paths.size} files (more than ${MAX_MANIFEST_FILES}); name the directories that hold this environment's manifests`,
        { field },
      );
    const sources: ManifestSource[] = [];
    for (const p of [...paths].sort()) {
      const text = await this.file(p, sha);
      if (text !== undefined) sources.push({ file: p, text });
    }
    return sources;
  }

  /**
   * Answers the protection rule. False when GitHub says there is nothing to answer any more (the rule
   * was reviewed already, or the run was cancelled): that is not retried.
   */
  async review(runId: number, environment: string, state: "approved" | "rejected", comment: string): Promise<boolean> {
    try {
      await this.octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", {
        owner: this.owner,
        repo: this.repo,
        run_id: runId,
        environment_name: environment,
        state,
        comment,
      });
      return true;
    } catch (err) {
      if (status(err) === 422 || status(err) === 404) return false;
      throw err;
    }
  }
}
