/**
 * startSandbox(): the whole local Azure for one test file (or the CLI) — every service on its own
 * loopback port (HTTPS with the sandbox certificate; IMDS and the Actions runtime plain http), the
 * tenant resolved from a scenario, real Azurite behind the RBAC blob proxy, Kubernetes with pods
 * run as local processes, the guarding egress proxy, and what a client needs to use it: `env` for
 * child processes, a cloud-profile JSON, kubeconfigs, test credentials, fault injection, the request
 * log and a clock to advance.
 *
 * Nothing here imports the product (shared/): the sandbox must not agree with the gate by accident.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { stringify as toYaml } from "yaml";
import { seedAzurite, startAzurite, type Azurite } from "./azurite.js";
import type { SandboxService, SandboxTls, SandboxUrls, ServiceContext, ServiceName } from "./contract.js";
import { Faults } from "./faults.js";
import { listen, type Listener } from "./http.js";
import { nameGuid, parseWhen } from "./ids.js";
import { RequestLog } from "./log.js";
import { createPodRunner, type ImageSpec, type PodRunner } from "./pods.js";
import { startGuardProxy, type GuardProxy } from "./proxy.js";
import { loadScenario, resolveScenario } from "./scenario/resolve.js";
import type { ScenarioInput } from "./scenario/schema.js";
import { actionsIdTokenUrl, actionsRequestToken, actionsService } from "./services/actions.js";
import { armService } from "./services/arm/index.js";
import { blobProxyService } from "./services/blob-proxy.js";
import { queueProxyService } from "./services/queue-proxy.js";
import { entraService } from "./services/entra.js";
import { githubService, githubTokens, type GitHubTokens } from "./services/github.js";
import { graphService } from "./services/graph.js";
import { imdsService } from "./services/imds.js";
import { issuersService, mintGitHubIdToken, serviceAccountTokenMinter, type GitHubTokenOverrides } from "./services/issuers.js";
import { keyVaultService } from "./services/keyvault.js";
import { AKS_SERVER_APP_ID, kubernetesService } from "./services/kubernetes.js";
import type { ApplicationState, IdentityState, TenantState } from "./state.js";
import { sandboxTls, trustInProcess } from "./tls.js";
import { issueAccessToken, verifyAccessToken, type TokenSubject } from "./tokens.js";

export type { ScenarioInput } from "./scenario/schema.js";
export { ScenarioError } from "./scenario/resolve.js";

const PODS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "pods");
/** The checkout: working directory of the default images, so the Node probe finds `@azure/*`. */
const CHECKOUT = path.resolve(PODS_DIR, "../../..");
/** The scenario application that stands for the gate's own identity (its first secret signs the CLI in). */
export const GATE_APP = "azure-auth-gate";

/**
 * Images every sandbox knows: the Django-shaped Python app and its Node twin (pods/), as their CMD. Their
 * PATH is one directory holding only `python3` (Debian's) and `node` (this pinned Node) — never az, azd or
 * pwsh, which DefaultAzureCredential would fall through to. A probe Job's `command` (`python3 -c …`,
 * `node -e …`) replaces the CMD and runs these interpreters, with this checkout as working directory
 * so the Node SDK resolves.
 */
export function defaultImages(workDir: string): Record<string, ImageSpec> {
  const bin = path.join(workDir, "image-bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync("/usr/bin/python3", path.join(bin, "python3"));
  symlinkSync(process.execPath, path.join(bin, "node"));
  const env = { PATH: bin };
  return {
    "sandbox/django-app:1": { cmd: ["python3", path.join(PODS_DIR, "django_app.py")], env, workingDir: CHECKOUT },
    "sandbox/node-probe:1": { cmd: ["node", path.join(PODS_DIR, "node_probe_app.mjs")], env, workingDir: CHECKOUT },
  };
}

export interface SandboxOptions {
  /** Image → local program, merged over defaultImages(). */
  images?: Record<string, ImageSpec>;
  /** Start Azurite (default true). Without it the blob and queue services answer 503. */
  azurite?: boolean;
  /** ARM list page size (small values exercise nextLink paging). */
  armPageSize?: number;
  /** Kill a pod's container after this long (default 60 s). */
  podTimeoutMs?: number;
  /** Sandbox clock origin: an ISO date (default: now). Real time keeps passing from there. */
  now?: string | Date;
  /** Trust the sandbox certificate in this process (default true). */
  trustInProcess?: boolean;
  /** Directory for the sandbox's files, created if absent and REMOVED on stop (the CLI's --state-dir). Default: a new temp dir. */
  workDir?: string;
}

export interface SandboxClock {
  /** Epoch ms on the sandbox clock. */
  now(): number;
  /** Moves the clock forward: milliseconds or a duration like "2h", "31d". */
  advance(by: number | string): void;
  /** Offset from the real clock in ms. */
  readonly offsetMs: number;
}

export interface SandboxCredentials {
  /** Tokens for a scenario identity (UAMI), signed by the sandbox's Entra ID — as if it had signed in. */
  identity(name: string): TokenCredential;
  /** Tokens for a scenario application's service principal (with its Graph app roles). */
  app(name: string): TokenCredential;
}

export interface Sandbox {
  urls: SandboxUrls;
  state: TenantState;
  tls: SandboxTls;
  /** Environment for a child process that uses an Azure SDK against the sandbox (merge over a minimal base env). */
  env: Record<string, string>;
  /**
   * What the gate itself needs on top of `env` to sign in from a shell: AZURE_SUBSCRIPTION_ID (the first
   * subscription) and, when the scenario's `azure-auth-gate` application has a secret, AZURE_CLIENT_ID and
   * AZURE_CLIENT_SECRET (DefaultAzureCredential's EnvironmentCredential). The CLI's env file holds both.
   */
  gateEnv: Record<string, string>;
  /** Cloud-profile JSON (the product's `cloud:` setting). */
  profileFile: string;
  /** One kubeconfig with a context per cluster (KUBECONFIG), and one file per cluster. */
  kubeconfigFile: string;
  kubeconfigs: Record<string, string>;
  workDir: string;
  log: RequestLog;
  faults: Faults;
  clock: SandboxClock;
  ctx: ServiceContext;
  credentials: SandboxCredentials;
  /** The installation tokens of the scenario's GitHub repository (GITHUB_TOKEN write / fork read-only). */
  githubTokens: GitHubTokens | undefined;
  identity(name: string): IdentityState;
  app(name: string): ApplicationState;
  /** A GitHub Actions ID token for `audience`, as core.getIDToken returns it. */
  mintGitHubIdToken(audience: string, overrides?: GitHubTokenOverrides): string;
  /** A projected service-account token of a cluster (what the WI webhook mounts). */
  mintServiceAccountToken(cluster: string, namespace: string, serviceAccount: string, audience?: string): string;
  /** Latency added to every ARM and Graph call from now on. */
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

const SERVICES: { name: ServiceName; plainHttp: boolean; latency: boolean }[] = [
  { name: "entra", plainHttp: false, latency: false },
  { name: "issuers", plainHttp: false, latency: false },
  { name: "arm", plainHttp: false, latency: true },
  { name: "graph", plainHttp: false, latency: true },
  { name: "keyvault", plainHttp: false, latency: false },
  { name: "blob", plainHttp: false, latency: false },
  { name: "queue", plainHttp: false, latency: false },
  { name: "kubernetes", plainHttp: false, latency: false },
  { name: "imds", plainHttp: true, latency: false },
  { name: "github", plainHttp: false, latency: false },
  { name: "actions", plainHttp: true, latency: false },
];

function durationMs(by: number | string): number {
  if (typeof by === "number") return by;
  const d = parseWhen(by.startsWith("+") || by.startsWith("-") ? by : `+${by}`, new Date(0));
  if (!d) throw new Error(`clock.advance: '${by}' is not a duration like 90s, 5m, 2h, 31d`);
  return d.getTime();
}

function tokenCredential(issue: (resource: string) => { token: string; exp: number }): TokenCredential {
  return {
    async getToken(scopes: string | string[]): Promise<AccessToken> {
      const scope = Array.isArray(scopes) ? (scopes[0] ?? "") : scopes;
      const { token, exp } = issue(scope.replace(/\/\.default$/, ""));
      return { token, expiresOnTimestamp: exp * 1000, tokenType: "Bearer" };
    },
  };
}

export async function startSandbox(scenario: string | ScenarioInput, opts: SandboxOptions = {}): Promise<Sandbox> {
  const { scenario: parsed, source } = loadScenario(scenario);
  const workDir = opts.workDir ? path.resolve(opts.workDir) : mkdtempSync(path.join(tmpdir(), "aag-sandbox-"));
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(workDir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const tls = sandboxTls(workDir);
    if (opts.trustInProcess ?? true) trustInProcess(tls);
    const origin = opts.now === undefined ? new Date() : new Date(opts.now);
    let offsetMs = origin.getTime() - Date.now();
    const clock: SandboxClock = {
      now: () => Date.now() + offsetMs,
      advance: (by) => {
        offsetMs += durationMs(by);
      },
      get offsetMs() {
        return offsetMs;
      },
    };
    const log = new RequestLog();
    const faults = new Faults();
    // Listeners read the live state's latency, so tests (and setLatency) can change it at runtime.
    const live: { state?: TenantState } = {};

    // Azurite (≈1 s) starts while the listeners bind and the scenario resolves.
    const accounts = parsed.subscriptions.flatMap((s) => s.resourceGroups.flatMap((g) => g.storageAccounts.map((a) => a.name)));
    const azuritePromise: Promise<Azurite | undefined> =
      opts.azurite === false ? Promise.resolve(undefined) : startAzurite({ certPath: tls.certFile, keyPath: tls.keyFile, accounts });
    cleanups.push(async () => (await azuritePromise.catch(() => undefined))?.stop());

    const listeners = new Map<ServiceName, Listener>();
    await Promise.all(
      SERVICES.map(async (s) => {
        const l = await listen({
          name: s.name,
          plainHttp: s.plainHttp,
          tls,
          log,
          faults,
          latencyMs: () => (s.latency ? (live.state?.latencyMs ?? 0) : 0),
        });
        listeners.set(s.name, l);
        cleanups.push(() => l.close());
      }),
    );
    const url = (n: ServiceName) => listeners.get(n)!.url;
    const proxy: GuardProxy = await startGuardProxy({ entraPort: () => listeners.get("entra")!.port, log });
    cleanups.push(() => proxy.close());

    const urls: SandboxUrls = {
      authorityHost: url("entra"),
      arm: url("arm"),
      graph: url("graph"),
      keyVault: url("keyvault"),
      blob: url("blob"),
      queue: url("queue"),
      kubernetes: url("kubernetes"),
      issuers: url("issuers"),
      imds: url("imds"),
      github: url("github"),
      actions: url("actions"),
      proxy: proxy.url,
    };
    const state = resolveScenario(parsed, { issuers: urls.issuers, now: origin, source, urls });
    live.state = state;
    for (const f of state.faults) faults.add(f);

    const ctx: ServiceContext = {
      state,
      urls,
      now: clock.now,
      verifyAccessToken: (token, audiences) => verifyAccessToken(state, token, audiences, clock.now()),
      tls,
      workDir,
    };
    const podRunner: PodRunner = createPodRunner(ctx, {
      images: { ...defaultImages(workDir), ...opts.images },
      caCertPath: tls.certFile,
      mintServiceAccountToken: serviceAccountTokenMinter(ctx),
      ...(opts.podTimeoutMs !== undefined ? { timeoutMs: opts.podTimeoutMs } : {}),
    });
    cleanups.push(() => podRunner.close());

    const azurite = await azuritePromise;
    if (azurite) await seedAzurite(azurite, state);
    const services: SandboxService[] = [
      { name: "entra", handler: entraService(ctx) },
      { name: "issuers", handler: issuersService(ctx) },
      { name: "arm", handler: armService(ctx, opts.armPageSize !== undefined ? { pageSize: opts.armPageSize } : {}) },
      { name: "graph", handler: graphService(ctx) },
      { name: "keyvault", handler: keyVaultService(ctx) },
      {
        name: "blob",
        rawBody: true,
        handler: azurite
          ? blobProxyService(ctx, { blobUrl: azurite.blobUrl, ca: azurite.ca })
          : () => ({
              status: 503,
              body: { error: { code: "ServiceUnavailable", message: "This sandbox was started with azurite: false." } },
            }),
      },
      {
        name: "queue",
        rawBody: true,
        handler: azurite
          ? queueProxyService(ctx, { queueUrl: azurite.queueUrl, ca: azurite.ca })
          : () => ({
              status: 503,
              body: { error: { code: "ServiceUnavailable", message: "This sandbox was started with azurite: false." } },
            }),
      },
      { name: "kubernetes", handler: kubernetesService(ctx, podRunner) },
      { name: "imds", plainHttp: true, handler: imdsService(ctx) },
      { name: "github", handler: githubService(ctx) },
      { name: "actions", plainHttp: true, handler: actionsService(ctx) },
    ];
    for (const s of services) listeners.get(s.name)!.attach(s);

    const identity = (name: string) =>
      state.identities.find((i) => i.name === name) ??
      (() => {
        throw new Error(`no identity named '${name}' in this sandbox`);
      })();
    const app = (name: string) =>
      state.applications.find((a) => a.displayName === name) ??
      (() => {
        throw new Error(`no application named '${name}' in this sandbox`);
      })();
    const issueFor = (subject: TokenSubject, lifetime?: number) => (resource: string) => {
      const t = issueAccessToken(state, subject, resource, clock.now(), urls.graph, lifetime);
      return { token: t.token, exp: t.claims.exp };
    };

    // Files a client needs: the cloud profile and kubeconfigs (an AKS user token for each cluster).
    const profileFile = path.join(workDir, "cloud-profile.json");
    writeFileSync(
      profileFile,
      `${JSON.stringify(
        {
          name: "AzureAuthGateSandbox",
          authorityHost: urls.authorityHost,
          disableInstanceDiscovery: true,
          resourceManagerEndpoint: urls.arm,
          resourceManagerAudience: "https://management.azure.com",
          graphEndpoint: urls.graph,
          graphAudience: "https://graph.microsoft.com",
          keyVaultUrlTemplate: `${urls.keyVault}/{name}`,
          keyVaultAudience: "https://vault.azure.net",
          blobUrlTemplate: `${urls.blob}/{account}`,
          queueUrlTemplate: `${urls.queue}/{account}`,
          storageAudience: "https://storage.azure.com",
          tokenExchangeAudience: "api://AzureADTokenExchange",
          disableChallengeResourceVerification: true,
          caCertificateFile: tls.certFile,
        },
        null,
        2,
      )}\n`,
    );
    const admin: ApplicationState = {
      id: nameGuid("kube-admin-object", state.tenantId),
      appId: nameGuid("kube-admin-app", state.tenantId),
      displayName: "sandbox-kube-admin",
      passwordCredentials: [],
      federatedIdentityCredentials: [],
      owners: [],
      servicePrincipalId: nameGuid("kube-admin-sp", state.tenantId),
      graphPermissions: [],
      tags: [],
    };
    // Long-lived so clock.advance() in expiry tests does not lock the test out of the cluster.
    const kubeToken = issueAccessToken(state, { kind: "app", app: admin }, AKS_SERVER_APP_ID, clock.now(), urls.graph, 90 * 86_400).token;
    const caData = Buffer.from(tls.certPem).toString("base64");
    const kubeconfigOf = (names: string[]) =>
      toYaml({
        apiVersion: "v1",
        kind: "Config",
        clusters: names.map((n) => ({
          name: n,
          cluster: { server: `${urls.kubernetes}/clusters/${n}`, "certificate-authority-data": caData },
        })),
        users: [{ name: "sandbox-admin", user: { token: kubeToken } }],
        contexts: names.map((n) => ({ name: n, context: { cluster: n, user: "sandbox-admin", namespace: "default" } })),
        "current-context": names[0] ?? "",
      });
    const kubeconfigs: Record<string, string> = {};
    for (const c of state.clusters) {
      kubeconfigs[c.name] = path.join(workDir, `kubeconfig-${c.name}.yaml`);
      writeFileSync(kubeconfigs[c.name]!, kubeconfigOf([c.name]), { mode: 0o600 });
    }
    const kubeconfigFile = path.join(workDir, "kubeconfig.yaml");
    writeFileSync(kubeconfigFile, kubeconfigOf(state.clusters.map((c) => c.name)), { mode: 0o600 });

    const env: Record<string, string> = {
      AZURE_AUTHORITY_HOST: urls.authorityHost,
      AZURE_POD_IDENTITY_AUTHORITY_HOST: urls.imds,
      IMDS_ENDPOINT: urls.imds,
      AZURE_TENANT_ID: state.tenantId,
      NODE_EXTRA_CA_CERTS: tls.certFile,
      REQUESTS_CA_BUNDLE: tls.certFile,
      SSL_CERT_FILE: tls.certFile,
      HTTPS_PROXY: proxy.url,
      https_proxy: proxy.url,
      HTTP_PROXY: proxy.url,
      http_proxy: proxy.url,
      // Node ≥ 24 routes fetch/https through HTTP(S)_PROXY only when asked to.
      NODE_USE_ENV_PROXY: "1",
      NO_PROXY: "127.0.0.1,localhost,::1",
      no_proxy: "127.0.0.1,localhost,::1",
      GITHUB_API_URL: urls.github,
      KUBECONFIG: kubeconfigFile,
      AAG_SANDBOX_PROFILE: profileFile,
      AZURE_CORE_COLLECT_TELEMETRY: "false",
    };
    if (state.github && !state.github.fork) {
      env.ACTIONS_ID_TOKEN_REQUEST_URL = actionsIdTokenUrl(urls.actions);
      env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = actionsRequestToken(state.github);
    }

    const gateEnv: Record<string, string> = {};
    const firstSubscription = state.subscriptions[0]?.subscriptionId;
    if (firstSubscription) gateEnv.AZURE_SUBSCRIPTION_ID = firstSubscription;
    const gate = state.applications.find((a) => a.displayName === GATE_APP);
    const gateSecret = gate?.passwordCredentials.find((p) => p.secretText)?.secretText;
    if (gate && gateSecret) Object.assign(gateEnv, { AZURE_CLIENT_ID: gate.appId, AZURE_CLIENT_SECRET: gateSecret });

    let stopped: Promise<void> | undefined;
    return {
      urls,
      state,
      tls,
      env,
      gateEnv,
      profileFile,
      kubeconfigFile,
      kubeconfigs,
      workDir,
      log,
      faults,
      clock,
      ctx,
      githubTokens: state.github ? githubTokens(state.github) : undefined,
      credentials: {
        identity: (name) => tokenCredential(issueFor({ kind: "identity", identity: identity(name) })),
        app: (name) => tokenCredential(issueFor({ kind: "app", app: app(name) })),
      },
      identity,
      app,
      mintGitHubIdToken: (audience, overrides) => mintGitHubIdToken(ctx, audience, overrides),
      mintServiceAccountToken: (clusterName, namespace, serviceAccount, audience = "api://AzureADTokenExchange") => {
        const cluster = state.clusters.find((c) => c.name === clusterName);
        if (!cluster) throw new Error(`no cluster named '${clusterName}' in this sandbox`);
        return serviceAccountTokenMinter(ctx)(cluster, {
          namespace,
          serviceAccount,
          audience,
          expirationSeconds: 3600,
          podName: `${serviceAccount}-test`,
          podUid: nameGuid("pod", namespace, serviceAccount),
        });
      },
      setLatency: (ms) => {
        state.latencyMs = ms;
      },
      stop: () => (stopped ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
