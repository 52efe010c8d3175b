/**
 * `reviewDeployment` (queue): one deployment protection rule, reviewed. As the App's installation it
 * reads the gate config from the repository's DEFAULT branch (a pull request or the deployed branch
 * cannot loosen the check it is subject to), narrows it to the environment (`environments:`), reads
 * that environment's manifests at the deployment's commit, runs the gate in the Function's own cloud
 * with the Function's identity, and answers the rule: `approved` with the summary, `rejected` with the
 * findings and their fixes.
 *
 * Fail-closed: a verdict that could not be reached — Azure unreadable, the Function unable to sign in,
 * a config or environment that does not parse — is a rejection saying "could not verify" and why.
 */
import { parse as parseYaml } from "yaml";
import { AzureLoginError } from "../../shared/azure/fetch-failure.js";
import { BUILT_IN_CLOUDS, type CloudProfile } from "../../shared/cloud/profile.js";
import { parseConfigText } from "../../shared/config/load.js";
import { InputError } from "../../shared/errors.js";
import type { Report } from "../../shared/findings/model.js";
import { configForEnvironment } from "../../shared/gate/environment.js";
import { alreadySignedIn, executePlan } from "../../shared/gate/execute-plan.js";
import { planRun } from "../../shared/gate/plan-run.js";
import { createProbeLayer } from "../../shared/probe/index.js";
import { parseManifests } from "../../shared/static/index.js";
import { installationOctokit, RepositoryReader } from "./github.js";
import type { ReviewMessage } from "./messages.js";
import { approvedBody, rejectedBody, unverifiedBody, type ReviewContext } from "./review-body.js";
import type { ProtectionRuntime } from "./runtime.js";
import { log } from "../../shared/log.js";

export interface ReviewOutcome {
  state: "approved" | "rejected";
  comment: string;
  /** False when GitHub no longer had the rule pending (already reviewed or cancelled). */
  delivered: boolean;
}

/**
 * The repository's config decides what to check, never where the Function's tokens go: its `cloud`
 * may only name the cloud the Function runs the gate in (a profile file would point it elsewhere).
 */
function refuseForeignCloud(text: string, profile: CloudProfile, file: string): void {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return; // parseConfigText names the YAML error with its line.
  }
  if (raw && typeof raw === "object" && "cloud" in raw) {
    const cloud = (raw as { cloud: unknown }).cloud;
    // Only a built-in name can be repeated here: a custom profile's name would be read as a file path.
    const builtIn = Boolean(BUILT_IN_CLOUDS[profile.name]);
    if (cloud !== profile.name || !builtIn)
      throw new InputError(
        `the protection rule checks in the Function's cloud (${profile.name}); the repository's config cannot choose another — remove \`cloud\`${builtIn ? ` or set it to ${profile.name}` : ""}`,
        { file, field: "cloud" },
      );
  }
}

async function gateReport(
  rt: ProtectionRuntime,
  reader: RepositoryReader,
  message: ReviewMessage,
  configText: string,
  configFile: string,
): Promise<{ report: Report; environment: string }> {
  refuseForeignCloud(configText, rt.profile, configFile);
  const loaded = parseConfigText(configText, configFile);
  const { name, environment, config } = configForEnvironment(loaded.config, message.environment, configFile);
  const now = rt.now();
  const manifests =
    environment.manifests.length > 0
      ? parseManifests(await reader.manifests(environment.manifests, message.sha, `${configFile}: environments.${name}.manifests`))
      : undefined;
  const where = (hint: string) => ({ field: `environments.${name}.manifests`, hint });
  // The environment (on the default branch) chooses the layers; the Function's operator the cluster.
  const plan = planRun({
    mode: !environment.layers.includes("control-plane") ? "static" : environment.probe ? "probe" : "azure",
    config,
    manifests: manifests !== undefined,
    // Static findings need the static layer; without it the manifests still resolve the targets.
    staticFindings: environment.layers.includes("static"),
    hints: { manifests: where("list the manifests to check"), config: where("the config is required") },
  });
  const probe = () => {
    if (!rt.settings.probeKubeconfig)
      throw new InputError(
        `environment '${name}' asks for the live probe, and this Function has no cluster to run it in (App Setting AAG_PROTECTION_KUBECONFIG)`,
        { file: configFile, field: `environments.${name}.probe` },
      );
    // The probe runs the gate's own built-in program in the operator's cluster: the repository's
    // `probe.command`, `probe.image` and `probe.kubeconfig` are not followed here.
    return createProbeLayer({
      profile: rt.profile,
      kubeconfig: rt.settings.probeKubeconfig,
      timeoutSeconds: config.probe.timeoutSeconds,
      ...(config.probe.runtime ? { runtime: config.probe.runtime } : {}),
    });
  };
  const { report } = await executePlan({
    plan,
    config,
    configFile,
    ...(manifests ? { manifests } : {}),
    now,
    azure: {
      profile: rt.profile,
      signIn: alreadySignedIn(rt.credential),
      probe,
      ...(rt.retry ? { retry: rt.retry } : {}),
    },
  });
  return { report, environment: name };
}

/**
 * Reviews one deployment. Errors that are worth retrying (GitHub or Key Vault unreachable) are thrown
 * to the host; `lastAttempt` turns them into a rejection instead, so a rule never waits forever.
 */
export async function reviewDeployment(
  rt: ProtectionRuntime,
  message: ReviewMessage,
  options: { lastAttempt: boolean },
): Promise<ReviewOutcome> {
  const app = { apiUrl: rt.settings.githubApiUrl, appId: rt.settings.appId, privateKey: await rt.privateKey() };
  const reader = new RepositoryReader(installationOctokit(app, message), message.owner, message.repo);
  const ctx: ReviewContext = { environment: message.environment, sha: message.sha, ref: message.ref, configFile: rt.settings.configPath };
  let state: ReviewOutcome["state"];
  let comment: string;
  try {
    const base = await reader.defaultBranch();
    ctx.configRef = { branch: base.branch, sha: base.sha };
    const configFile = `${rt.settings.configPath}@${base.branch}`;
    const text = await reader.file(rt.settings.configPath, base.sha);
    if (text === undefined)
      throw new InputError(
        `no ${rt.settings.configPath} on the default branch (${base.branch}); the protection rule reads the gate config from there`,
        { file: configFile },
      );
    const { report, environment } = await gateReport(rt, reader, message, text, configFile);
    ctx.environment = environment;
    state = report.verdict === "fail" ? "rejected" : "approved";
    comment = state === "approved" ? approvedBody(report, ctx) : rejectedBody(report, ctx);
  } catch (err) {
    if (err instanceof InputError || err instanceof AzureLoginError) {
      state = "rejected";
      comment = unverifiedBody(err instanceof InputError ? err.oneLine() : (err.message.split("\n")[0] ?? ""), ctx);
    } else if (options.lastAttempt) {
      state = "rejected";
      comment = unverifiedBody(rt.mask.describe(err), ctx);
    } else {
      throw err;
    }
  }
  comment = rt.mask.mask(comment);
  const delivered = await reader.review(message.runId, message.environment, state, comment);
  log.info(
    `${message.owner}/${message.repo} run ${message.runId} → ${message.environment}: ${state}${delivered ? "" : " (GitHub no longer had the rule pending; not answered)"}`,
  );
  return { state, comment, delivered };
}
