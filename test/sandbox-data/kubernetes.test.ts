/**
 * The Kubernetes API emulator and the pod runner against the REAL @kubernetes/client-node, and the
 * Workload Identity flow end to end: a Job whose pod carries the WI label gets the webhook's injection
 * and its real @azure/identity DefaultAzureCredential (node_probe_app.mjs) obtains a token and reads a
 * Key Vault secret and a blob container; the same Job without the label fails with the
 * "DefaultAzureCredential failed to retrieve a token" chain.
 */
import { BatchV1Api, CoreV1Api, AppsV1Api, KubeConfig, type V1Job, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAzurite, startAzurite, type Azurite } from "../sandbox/azurite.js";
import { containerArgv, createPodRunner, type PodRunner } from "../sandbox/pods.js";
import { blobProxyService } from "../sandbox/services/blob-proxy.js";
import { keyVaultService } from "../sandbox/services/keyvault.js";
import { AKS_SERVER_APP_ID, kubernetesService } from "../sandbox/services/kubernetes.js";
import type { TenantState } from "../sandbox/state.js";
import { assign, baseState, cluster, guid, P, RG, storageAccount, SUB, vault } from "./fixtures.js";
import { contextFor, mintAccessToken, placeholderUrls, serveHandler, testTls, type Served } from "./data-plane-server.js";
import { entraStandIn, mintServiceAccountToken, startImdsStandIn } from "./stand-ins.js";

let entra: Served, kv: Served, blob: Served, k8s: Served;
let imds: Awaited<ReturnType<typeof startImdsStandIn>>;
let azurite: Azurite;
let runner: PodRunner;
let state: TenantState;
let core: CoreV1Api, batch: BatchV1Api, apps: AppsV1Api;

const BACKEND_CLIENT_ID = guid("client", "backend-id");
const BACKEND_PRINCIPAL = guid("principal", "backend-id");
const PROBE_IMAGE = "azure-auth-gate-probe:node";
const ENV_IMAGE = "sandbox/print-env:1";

/** A program that prints selected env vars and the decoded claims of the federated token file. */
const PRINT_ENV = `const fs=require("fs");const f=process.env.AZURE_FEDERATED_TOKEN_FILE;let claims=null;
if(f&&fs.existsSync(f)){claims=JSON.parse(Buffer.from(fs.readFileSync(f,"utf8").split(".")[1],"base64url"))}
const pick=k=>process.env[k];console.log(JSON.stringify({env:Object.fromEntries(["AZURE_CLIENT_ID","AZURE_TENANT_ID","AZURE_AUTHORITY_HOST","AZURE_FEDERATED_TOKEN_FILE","DB_PASSWORD","LOG_LEVEL","GREETING","HTTPS_PROXY","AZURE_POD_IDENTITY_AUTHORITY_HOST"].map(k=>[k,pick(k)])),claims,args:process.argv.slice(1)}));`;

function kubeConfig(token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: "aks1", server: `${k8s.url}/clusters/aks1`, caData: Buffer.from(testTls().certPem).toString("base64"), skipTLSVerify: false },
    ],
    users: [{ name: "gate", token }],
    contexts: [{ name: "aks1", cluster: "aks1", user: "gate" }],
    currentContext: "aks1",
  });
  return kc;
}

function job(
  name: string,
  podLabels: Record<string, string>,
  container: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): V1Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "app" },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: podLabels },
        spec: { serviceAccountName: "backend-sa", restartPolicy: "Never", containers: [{ name: "main", ...container }] },
      },
      ...extra,
    },
  } as V1Job;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function finishedJob(name: string): Promise<V1Job> {
  return waitFor(`job ${name}`, async () => {
    const j = await batch.readNamespacedJob({ name, namespace: "app" });
    return j.status?.conditions?.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True") ? j : undefined;
  });
}

async function podOf(jobName: string): Promise<V1Pod> {
  const pods = await core.listNamespacedPod({ namespace: "app", labelSelector: `job-name=${jobName}` });
  expect(pods.items).toHaveLength(1);
  return pods.items[0]!;
}

async function status(p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    // client-node's ApiException carries the body as text for documented statuses; parse whatever it kept.
    const e = err as { code: number; body: unknown; message: string };
    const body = typeof e.body === "string" ? JSON.parse(e.body) : e.body;
    if (body === undefined) throw new Error(`no body in ${e.message}`, { cause: err });
    return { code: e.code, body: body as Record<string, unknown> };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  const tls = testTls();
  const aks = cluster("aks1");
  const clusterUrl = aks.issuerUrl!;
  aks.objects = [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "backend-sa", namespace: "app", annotations: { "azure.workload.identity/client-id": BACKEND_CLIENT_ID } },
    },
    { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "app" }, stringData: { password: "hunter2" } },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "app", labels: { tier: "backend" } },
      data: { LOG_LEVEL: "debug" },
    },
  ];
  state = baseState({
    clusters: [aks],
    identities: [
      {
        id: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/backend-id`,
        name: "backend-id",
        subscriptionId: SUB,
        resourceGroup: "app-rg",
        location: "westeurope",
        clientId: BACKEND_CLIENT_ID,
        principalId: BACKEND_PRINCIPAL,
        tenantId: "",
        federatedCredentials: [
          {
            id: "fic",
            name: "aks",
            issuer: clusterUrl,
            subject: "system:serviceaccount:app:backend-sa",
            audiences: ["api://AzureADTokenExchange"],
          },
        ],
        assignedToNodes: false,
      },
    ],
    keyVaults: [
      vault("app-kv", {
        secrets: [
          {
            name: "django-secret-key",
            versions: [{ version: "f".repeat(32), value: "0123456789", enabled: true, created: 1, updated: 1, tags: {} }],
          },
        ],
      }),
    ],
    storageAccounts: [storageAccount("appstore", { containers: ["media"], blobs: { "media/a.png": "a", "media/b.png": "b" } })],
  });
  state.identities[0]!.tenantId = state.tenantId;
  state.roleAssignments.push(
    assign(BACKEND_PRINCIPAL, "secretsUser", state.keyVaults[0]!.id),
    assign(BACKEND_PRINCIPAL, "blobReader", state.storageAccounts[0]!.id),
  );

  [entra, kv, blob, k8s, imds, azurite] = await Promise.all([
    serveHandler("entra"),
    serveHandler("keyvault"),
    serveHandler("blob", { rawBody: true }),
    serveHandler("kubernetes"),
    startImdsStandIn(),
    startAzurite({ certPath: tls.certFile, keyPath: tls.keyFile, accounts: ["appstore"] }),
  ]);
  await seedAzurite(azurite, state);
  const urls = placeholderUrls({ authorityHost: entra.url, keyVault: kv.url, blob: blob.url, kubernetes: k8s.url, imds: imds.url });
  const ctx = contextFor(state, urls);
  entra.setHandler(entraStandIn(state, () => entra.url));
  kv.setHandler(keyVaultService(ctx));
  blob.setHandler(blobProxyService(ctx, azurite));
  runner = createPodRunner(ctx, {
    images: {
      [PROBE_IMAGE]: { cmd: [process.execPath, "test/sandbox/pods/node_probe_app.mjs"] },
      [ENV_IMAGE]: { entrypoint: [process.execPath, "-e", PRINT_ENV, "--"], cmd: ["--from-the-image-cmd"] },
    },
    caCertPath: tls.certFile,
    mintServiceAccountToken,
    timeoutMs: 20_000,
  });
  k8s.setHandler(kubernetesService(ctx, runner));
  const kc = kubeConfig(mintAccessToken(state, { oid: P.writer, aud: AKS_SERVER_APP_ID }));
  [core, batch, apps] = [kc.makeApiClient(CoreV1Api), kc.makeApiClient(BatchV1Api), kc.makeApiClient(AppsV1Api)];
});

afterAll(async () => {
  await runner?.close();
  await Promise.all([entra?.close(), kv?.close(), blob?.close(), k8s?.close(), imds?.close(), azurite?.stop()]);
});

describe("API server", () => {
  it("refuses a missing token and a token for another audience with a 401 Status", async () => {
    const armToken = mintAccessToken(state, { oid: P.writer, aud: "https://management.azure.com" });
    const wrong = kubeConfig(armToken).makeApiClient(CoreV1Api);
    await expect(wrong.listNamespace()).rejects.toMatchObject({ code: 401 });
    // client-node drops the body of a 401: read the Status the API server sent.
    for (const headers of [{}, { authorization: `Bearer ${armToken}` }]) {
      const res = await fetch(`${k8s.url}/clusters/aks1/api/v1/namespaces`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "Unauthorized",
        reason: "Unauthorized",
        code: 401,
      });
    }
  });

  it("serves namespaces (scenario + defaults), creates one with its default ServiceAccount, 409s a duplicate, 404s a missing one", async () => {
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(["default", "kube-system", "app"]));
    const created = await core.createNamespace({ body: { metadata: { name: "tools" } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toBeTruthy();
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect((await core.readNamespacedServiceAccount({ name: "default", namespace: "tools" })).metadata?.name).toBe("default");
    const dup = await status(core.createNamespace({ body: { metadata: { name: "tools" } } }));
    expect(dup.code).toBe(409);
    expect(dup.body).toMatchObject({ reason: "AlreadyExists", message: 'namespaces "tools" already exists' });
    const missing = await status(core.readNamespace({ name: "nope" }));
    expect(missing.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "NotFound",
      code: 404,
      message: 'namespaces "nope" not found',
    });
  });

  it("stores secrets base64-encoded, lists config maps by label, replaces and deletes", async () => {
    const s = await core.readNamespacedSecret({ name: "db", namespace: "app" });
    expect(s.data).toEqual({ password: Buffer.from("hunter2").toString("base64") });
    const cms = await core.listNamespacedConfigMap({ namespace: "app", labelSelector: "tier in (backend,frontend)" });
    expect(cms.items.map((c) => c.metadata?.name)).toEqual(["settings"]);
    expect((await core.listNamespacedConfigMap({ namespace: "app", labelSelector: "tier!=backend" })).items).toEqual([]);
    await core.createNamespacedConfigMap({ namespace: "app", body: { metadata: { name: "tmp" }, data: { a: "1" } } });
    const current = await core.readNamespacedConfigMap({ name: "tmp", namespace: "app" });
    const replaced = await core.replaceNamespacedConfigMap({ name: "tmp", namespace: "app", body: { ...current, data: { a: "2" } } });
    expect(replaced.data).toEqual({ a: "2" });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(current.metadata?.resourceVersion));
    const stale = await status(core.replaceNamespacedConfigMap({ name: "tmp", namespace: "app", body: { ...current, data: { a: "3" } } }));
    expect(stale.body).toMatchObject({ code: 409, reason: "Conflict" });
    await core.deleteNamespacedConfigMap({ name: "tmp", namespace: "app" });
    expect((await status(core.readNamespacedConfigMap({ name: "tmp", namespace: "app" }))).body).toMatchObject({
      code: 404,
      message: 'configmaps "tmp" not found',
    });
  });

  it("stores deployments and validates jobs", async () => {
    await apps.createNamespacedDeployment({
      namespace: "app",
      body: {
        metadata: { name: "web" },
        spec: {
          selector: { matchLabels: { app: "web" } },
          template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "ghcr.io/acme/django-app:1.4" }] } },
        },
      },
    });
    expect((await apps.listNamespacedDeployment({ namespace: "app" })).items.map((d) => d.metadata?.name)).toEqual(["web"]);
    const invalid = job("bad", {}, { image: ENV_IMAGE });
    invalid.spec!.template.spec!.restartPolicy = "Always";
    const bad = await status(batch.createNamespacedJob({ namespace: "app", body: invalid }));
    expect(bad.body).toMatchObject({ code: 422, reason: "Invalid" });
    expect(bad.body.message).toContain('spec.template.spec.restartPolicy: Unsupported value: "Always"');
  });
});

describe("Jobs, pods and the Workload Identity webhook", () => {
  it("injects Workload Identity into a labelled pod: env, projected token signed by the cluster issuer, and a token from Entra", async () => {
    await batch.createNamespacedJob({
      namespace: "app",
      body: job(
        "migrate-wi",
        { "azure.workload.identity/use": "true" },
        {
          image: PROBE_IMAGE,
          env: [
            { name: "APP_KEYVAULT_URL", value: `${kv.url}/app-kv` },
            { name: "APP_SECRET_NAMES", value: "django-secret-key,missing-one" },
            { name: "APP_BLOB_ACCOUNT_URL", value: `${blob.url}/appstore` },
            { name: "APP_BLOB_CONTAINER", value: "media" },
          ],
        },
      ),
    });
    const done = await finishedJob("migrate-wi");
    const pod = await podOf("migrate-wi");
    const env = Object.fromEntries((pod.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      AZURE_CLIENT_ID: BACKEND_CLIENT_ID,
      AZURE_TENANT_ID: state.tenantId,
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
      AZURE_AUTHORITY_HOST: `${entra.url}/`,
    });
    expect(pod.spec?.volumes?.find((v) => v.name === "azure-identity-token")?.projected?.sources?.[0]?.serviceAccountToken).toEqual({
      path: "azure-identity-token",
      expirationSeconds: 3600,
      audience: "api://AzureADTokenExchange",
    });
    expect(pod.metadata?.labels).toMatchObject({ "job-name": "migrate-wi", "batch.kubernetes.io/job-name": "migrate-wi" });

    const log = await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: "app" });
    const out = JSON.parse(log.trim().split("\n").pop()!);
    expect(out.token).toMatchObject({ ok: true });
    expect(out.secrets).toEqual({
      "django-secret-key": { ok: true, length: 10 },
      "missing-one": { ok: false, status: 404, code: "SecretNotFound" },
    });
    expect(out.blob).toEqual({ ok: true, count: 2 });
    expect(log).not.toContain("0123456789");
    // One secret was missing: the app exits 2, so the Job fails after its single attempt (backoffLimit 0).
    expect(done.status?.conditions?.map((c) => c.type)).toEqual(["FailureTarget", "Failed"]);
    expect(done.status?.failed).toBe(1);
    expect(pod.status?.phase).toBe("Failed");
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 2, reason: "Error" });
  });

  it("leaves an unlabelled pod alone: leftover AZURE_* variables and IMDS end in the DefaultAzureCredential chain error", async () => {
    const before = imds.requests.length;
    await batch.createNamespacedJob({
      namespace: "app",
      body: job(
        "migrate-nolabel",
        {},
        {
          image: PROBE_IMAGE,
          env: [
            { name: "AZURE_CLIENT_ID", value: BACKEND_CLIENT_ID },
            { name: "AZURE_TENANT_ID", value: state.tenantId },
            { name: "APP_KEYVAULT_URL", value: `${kv.url}/app-kv` },
            { name: "APP_SECRET_NAMES", value: "django-secret-key" },
          ],
        },
      ),
    });
    const done = await finishedJob("migrate-nolabel");
    expect(done.status?.conditions?.find((c) => c.type === "Failed")).toMatchObject({
      status: "True",
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit",
    });
    const pod = await podOf("migrate-nolabel");
    const names = (pod.spec?.containers[0]?.env ?? []).map((e) => e.name);
    expect(names).not.toContain("AZURE_FEDERATED_TOKEN_FILE");
    expect(pod.spec?.volumes ?? []).toEqual([]);
    const out = JSON.parse((await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: "app" })).trim().split("\n").pop()!);
    expect(out.token.ok).toBe(false);
    // @azure/identity 4.14.1's wording of the chain failure (Python's says "DefaultAzureCredential failed to
    // retrieve a token from the included credentials"): every credential unavailable, IMDS "Identity not found".
    expect(out.token.name).toBe("AggregateAuthenticationError");
    expect(out.token.message).toMatch(/^ChainedTokenCredential authentication failed\.\n/);
    expect(out.token.message).toContain("CredentialUnavailableError: EnvironmentCredential is unavailable.");
    expect(out.token.message).toContain(
      "CredentialUnavailableError: ManagedIdentityCredential: Authentication failed. Message invalid_request",
    );
    expect(out.token.message).toContain("Description: Identity not found");
    expect(out.token.message).toContain("Azure CLI could not be found");
    expect(imds.requests.slice(before).some((u) => u.includes(`client_id=${BACKEND_CLIENT_ID}`))).toBe(true);
  });

  it("resolves secretKeyRef, configMapKeyRef and $(VAR) references; passes args to the image ENTRYPOINT in place of its CMD", async () => {
    await batch.createNamespacedJob({
      namespace: "app",
      body: job(
        "env-refs",
        { "azure.workload.identity/use": "true" },
        {
          image: ENV_IMAGE,
          args: ["--greeting", "$(GREETING)"],
          env: [
            { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
            { name: "LOG_LEVEL", valueFrom: { configMapKeyRef: { name: "settings", key: "LOG_LEVEL" } } },
            { name: "GREETING", value: "hello-$(LOG_LEVEL)" },
            { name: "AZURE_CLIENT_ID", value: "set-by-the-manifest" },
          ],
        },
      ),
    });
    const done = await finishedJob("env-refs");
    expect(done.status?.succeeded).toBe(1);
    expect(done.status?.conditions?.map((c) => c.type)).toEqual(["SuccessCriteriaMet", "Complete"]);
    const pod = await podOf("env-refs");
    const out = JSON.parse((await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: "app" })).trim());
    expect(out.env).toMatchObject({
      DB_PASSWORD: "hunter2",
      LOG_LEVEL: "debug",
      GREETING: "hello-debug",
      AZURE_CLIENT_ID: "set-by-the-manifest",
      AZURE_POD_IDENTITY_AUTHORITY_HOST: imds.url,
    });
    expect(out.env.HTTPS_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.env.AZURE_FEDERATED_TOKEN_FILE).not.toBe("/var/run/secrets/azure/tokens/azure-identity-token");
    expect(out.env.AZURE_FEDERATED_TOKEN_FILE).toMatch(/\/var\/run\/secrets\/azure\/tokens\/azure-identity-token$/);
    expect(out.claims).toMatchObject({
      iss: state.clusters[0]!.issuerUrl,
      sub: "system:serviceaccount:app:backend-sa",
      aud: ["api://AzureADTokenExchange"],
    });
    expect(out.args).toEqual(["--greeting", "hello-debug"]);
  });

  it("runs a container `command` in place of the image ENTRYPOINT and drops the CMD, as Kubernetes does", async () => {
    const printArgv = `console.log(JSON.stringify({ ran: "command", argv: process.argv.slice(1) }))`;
    await batch.createNamespacedJob({
      namespace: "app",
      body: job("own-command", {}, { image: ENV_IMAGE, command: [process.execPath, "-e", printArgv, "--"] }),
    });
    await batch.createNamespacedJob({
      namespace: "app",
      body: job(
        "command-args",
        {},
        {
          image: ENV_IMAGE,
          command: [process.execPath, "-e", printArgv, "--"],
          args: ["--x", "$(MODE)"],
          env: [{ name: "MODE", value: "fast" }],
        },
      ),
    });
    await batch.createNamespacedJob({ namespace: "app", body: job("image-default", {}, { image: ENV_IMAGE }) });
    const logOf = async (name: string) => {
      expect((await finishedJob(name)).status?.succeeded).toBe(1);
      return JSON.parse((await core.readNamespacedPodLog({ name: (await podOf(name)).metadata!.name!, namespace: "app" })).trim());
    };
    expect(await logOf("own-command")).toEqual({ ran: "command", argv: [] });
    expect(await logOf("command-args")).toEqual({ ran: "command", argv: ["--x", "fast"] });
    expect((await logOf("image-default")).args).toEqual(["--from-the-image-cmd"]);
  });

  it("maps image ENTRYPOINT/CMD and container command/args like the kubelet", () => {
    const image = { entrypoint: ["/entry"], cmd: ["serve"] };
    expect(containerArgv(image, {})).toEqual(["/entry", "serve"]);
    expect(containerArgv(image, { args: ["migrate"] })).toEqual(["/entry", "migrate"]);
    expect(containerArgv(image, { command: ["python3", "-c", "x"] })).toEqual(["python3", "-c", "x"]);
    expect(containerArgv(image, { command: ["python3"], args: ["-V"] })).toEqual(["python3", "-V"]);
    expect(containerArgv({ cmd: ["python3", "app.py"] }, {})).toEqual(["python3", "app.py"]);
    expect(containerArgv({}, {})).toEqual([]);
  });

  it("keeps a pod with an unknown image Pending in ImagePullBackOff, with kubelet's events, until the Job is deleted", async () => {
    await batch.createNamespacedJob({ namespace: "app", body: job("no-image", {}, { image: "ghcr.io/acme/typo:9.9" }) });
    const pod = await waitFor("ImagePullBackOff", async () => {
      const pods = await core.listNamespacedPod({ namespace: "app", labelSelector: "job-name=no-image" });
      const p = pods.items[0];
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff" ? p : undefined;
    });
    expect(pod.status?.phase).toBe("Pending");
    const events = await core.listNamespacedEvent({ namespace: "app", fieldSelector: `involvedObject.name=${pod.metadata!.name}` });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(["Scheduled", "Pulling", "Failed", "BackOff"]));
    expect(events.items.find((e) => e.message?.startsWith("Failed to pull image"))?.message).toContain(
      'Failed to pull image "ghcr.io/acme/typo:9.9"',
    );
    expect((await batch.readNamespacedJob({ name: "no-image", namespace: "app" })).status).toMatchObject({ active: 1 });
    const log = await status(core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: "app" }));
    expect(log.body).toMatchObject({
      code: 400,
      reason: "BadRequest",
      message: `container "main" in pod "${pod.metadata!.name}" is waiting to start: trying and failing to pull image`,
    });

    await batch.deleteNamespacedJob({ name: "no-image", namespace: "app", propagationPolicy: "Background" });
    expect((await core.listNamespacedPod({ namespace: "app", labelSelector: "job-name=no-image" })).items).toEqual([]);
  });

  it("reports a missing secret as CreateContainerConfigError and a missing ServiceAccount as FailedCreate", async () => {
    await batch.createNamespacedJob({
      namespace: "app",
      body: job("bad-ref", {}, { image: ENV_IMAGE, env: [{ name: "X", valueFrom: { secretKeyRef: { name: "nope", key: "k" } } }] }),
    });
    const pod = await waitFor("CreateContainerConfigError", async () => {
      const p = (await core.listNamespacedPod({ namespace: "app", labelSelector: "job-name=bad-ref" })).items[0];
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError" ? p : undefined;
    });
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe('secret "nope" not found');

    const noSa = job("no-sa", {}, { image: ENV_IMAGE });
    noSa.spec!.template.spec!.serviceAccountName = "ghost";
    await batch.createNamespacedJob({ namespace: "app", body: noSa });
    const event = await waitFor("FailedCreate", async () => {
      const ev = await core.listNamespacedEvent({ namespace: "app", fieldSelector: "involvedObject.name=no-sa,reason=FailedCreate" });
      return ev.items[0];
    });
    expect(event.message).toBe(
      'Error creating: pods "no-sa-' +
        event.message!.split('pods "no-sa-')[1]!.split('"')[0] +
        '" is forbidden: error looking up service account app/ghost: serviceaccount "ghost" not found',
    );
    expect((await core.listNamespacedPod({ namespace: "app", labelSelector: "job-name=no-sa" })).items).toEqual([]);
    await batch.deleteNamespacedJob({ name: "bad-ref", namespace: "app", propagationPolicy: "Foreground" });
    await batch.deleteNamespacedJob({ name: "no-sa", namespace: "app" });
  });
});
