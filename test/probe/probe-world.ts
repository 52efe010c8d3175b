/**
 * A small cluster + Azure for the probe's own tests, built from the sandbox's real services (Kubernetes
 * API with its Job controller, pod runner and Workload Identity webhook; Key Vault; the authorizing Blob
 * proxy in front of real Azurite) and the data tests' Entra/IMDS stand-ins. The probe reaches it only
 * through a kubeconfig file (with `certificate-authority-data`) and a cloud profile — the same inputs
 * it gets in production.
 *
 * Images: `node-app` stands for a Node image that ships the app's Azure SDK (the container command runs
 * as is, with this repo as working directory so `@azure/*` resolve); `sleeper`'s interpreters never
 * finish; `chatty`'s print a truncated result line; any other image fails to pull. The probe Job's
 * `command` replaces the image's ENTRYPOINT (as in Kubernetes), so what an image "is" here is the
 * `python3` / `node` on its PATH.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BatchV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { CloudProfile } from "../../shared/cloud/profile.js";
import { seedAzurite, startAzurite, type Azurite } from "../sandbox/azurite.js";
import { createPodRunner, strippedPath, type PodRunner } from "../sandbox/pods.js";
import { blobProxyService } from "../sandbox/services/blob-proxy.js";
import { keyVaultService } from "../sandbox/services/keyvault.js";
import { AKS_SERVER_APP_ID, kubernetesService } from "../sandbox/services/kubernetes.js";
import type { TenantState } from "../sandbox/state.js";
import { assign, baseState, cluster, guid, P, RG, storageAccount, SUB, vault } from "../sandbox-data/fixtures.js";
import { contextFor, mintAccessToken, placeholderUrls, serveHandler, testTls, type Served } from "../sandbox-data/data-plane-server.js";
import { entraStandIn, mintServiceAccountToken, startImdsStandIn } from "../sandbox-data/stand-ins.js";

export const NODE_IMAGE = "ghcr.io/acme/node-app:2.3";
export const PYTHON_IMAGE = "ghcr.io/acme/django-app:1.4";
export const SLEEPER_IMAGE = "ghcr.io/acme/sleeper:1";
export const CHATTY_IMAGE = "ghcr.io/acme/chatty:1";
/**
 * A hostile image (one a pull request could name): whatever program it is told to run, it prints the pod's
 * projected ServiceAccount token, then a result line that smuggles the token, terminal escapes and rows about
 * things nobody asked for into every free-text field.
 */
export const HOSTILE_IMAGE = "ghcr.io/attacker/looks-like-django:1";
const HOSTILE_SCRIPT = `
const token = require("fs").readFileSync(process.env.AZURE_FEDERATED_TOKEN_FILE, "utf8").trim();
console.log("projected token: " + token);
const evil = "\\u001b]8;;https://attacker.example\\u0007click\\u001b[31m " + token + " " + "x".repeat(5000);
console.log(JSON.stringify({ azureAuthGateProbe: 1, runtime: evil, identity: { clientId: evil, assertion: { iss: evil, sub: evil, aud: evil } },
  token: { ok: false, name: "\\u001b[2J" + token, message: "AADSTS70021: " + evil },
  blob: [{ account: "stmedia", container: "media", ok: false, status: 403, code: evil, message: evil }, { account: token, container: evil, ok: false }],
  keyVault: [{ vault: "elsewhere", secret: token, ok: false, message: evil }] }));
`.replace(/\n/g, " ");

/** An image whose entrypoint ignores the gate's probe program and prints a result line that answers nothing. */
export const SKIPPER_IMAGE = "ghcr.io/acme/skipper:1";
export const CLIENT_ID = guid("client", "backend-id");
export const PRINCIPAL_ID = guid("principal", "backend-id");
export const SECRET_VALUE = "s3cr3t-Value-never-printed-8f2c";
export const IDENTITY_ID = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/backend-id`;

export interface ProbeHarness {
  state: TenantState;
  profile: CloudProfile;
  kubeconfigFile: string;
  core: CoreV1Api;
  batch: BatchV1Api;
  entra: Served;
  keyVault: Served;
  blob: Served;
  close(): Promise<void>;
}

/** An image whose `python3` and `node` both run `script` (a Node program): what a probe command meets in it. */
function interpreterImage(root: string, name: string, script: string): { env: { PATH: string } } {
  const bin = path.join(root, name, "bin");
  mkdirSync(bin, { recursive: true });
  for (const interpreter of ["python3", "node"])
    writeFileSync(path.join(bin, interpreter), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}\n`, {
      mode: 0o755,
    });
  return { env: { PATH: bin } };
}

/** Python with the Azure SDK, when the machine has Debian's python3-azure (the sandbox's Python image). */
export const SYSTEM_PYTHON_DIR = "/usr/bin";

export async function startProbeHarness(): Promise<ProbeHarness> {
  const tls = testTls();
  const aks = cluster("aks1");
  aks.objects = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "production" } },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "backend", namespace: "production", annotations: { "azure.workload.identity/client-id": CLIENT_ID } },
    },
  ];
  const state = baseState({
    clusters: [aks],
    identities: [
      {
        id: IDENTITY_ID,
        name: "backend-id",
        subscriptionId: SUB,
        resourceGroup: "app-rg",
        location: "westeurope",
        clientId: CLIENT_ID,
        principalId: PRINCIPAL_ID,
        tenantId: "",
        federatedCredentials: [
          {
            id: "fic",
            name: "aks",
            issuer: aks.issuerUrl!,
            subject: "system:serviceaccount:production:backend",
            audiences: ["api://AzureADTokenExchange"],
          },
        ],
        assignedToNodes: false,
      },
    ],
    keyVaults: [
      vault("kv-app", {
        secrets: [
          {
            name: "django-secret-key",
            versions: [{ version: "a".repeat(32), value: SECRET_VALUE, enabled: true, created: 1, updated: 1, tags: {} }],
          },
        ],
      }),
    ],
    storageAccounts: [storageAccount("stmedia", { containers: ["media", "scratch"], blobs: { "media/logo.png": "png" } })],
  });
  state.identities[0]!.tenantId = state.tenantId;
  state.roleAssignments.push(
    assign(PRINCIPAL_ID, "secretsUser", state.keyVaults[0]!.id),
    assign(PRINCIPAL_ID, "blobReader", state.storageAccounts[0]!.id),
  );

  let azurite: Azurite | undefined;
  let runner: PodRunner | undefined;
  const [entra, kv, blob, k8s, imds] = await Promise.all([
    serveHandler("entra"),
    serveHandler("keyvault"),
    serveHandler("blob", { rawBody: true }),
    serveHandler("kubernetes"),
    startImdsStandIn(),
  ]);
  const images = mkdtempSync(path.join(tmpdir(), "aag-probe-images-"));
  const close = async () => {
    await runner?.close();
    await Promise.all([entra.close(), kv.close(), blob.close(), k8s.close(), imds.close(), azurite?.stop()]);
    rmSync(images, { recursive: true, force: true });
  };
  try {
    azurite = await startAzurite({ certPath: tls.certFile, keyPath: tls.keyFile, accounts: ["stmedia"] });
    await seedAzurite(azurite, state);
    const ctx = contextFor(
      state,
      placeholderUrls({ authorityHost: entra.url, keyVault: kv.url, blob: blob.url, kubernetes: k8s.url, imds: imds.url }),
    );
    entra.setHandler(entraStandIn(state, () => entra.url));
    kv.setHandler(keyVaultService(ctx));
    blob.setHandler(blobProxyService(ctx, azurite));
    // The "image" ships its own runtime: this machine's Node 24 (and Debian's python3 with the Azure SDK).
    const imagePath = [path.dirname(process.execPath), SYSTEM_PYTHON_DIR, strippedPath()].join(path.delimiter);
    runner = createPodRunner(ctx, {
      images: {
        [NODE_IMAGE]: { env: { PATH: imagePath } },
        [PYTHON_IMAGE]: { env: { PATH: imagePath } },
        [SLEEPER_IMAGE]: interpreterImage(images, "sleeper", "setTimeout(() => undefined, 60000)"),
        [SKIPPER_IMAGE]: interpreterImage(
          images,
          "skipper",
          `console.log(${JSON.stringify(JSON.stringify({ azureAuthGateProbe: 1, token: { ok: true }, blob: [], keyVault: [] }))})`,
        ),
        [HOSTILE_IMAGE]: interpreterImage(images, "hostile", HOSTILE_SCRIPT),
        [CHATTY_IMAGE]: interpreterImage(
          images,
          "chatty",
          "console.log('starting gunicorn'); console.log('{\"azureAuthGateProbe\":1,\"token\":'); process.exit(1)",
        ),
      },
      caCertPath: tls.certFile,
      mintServiceAccountToken,
      timeoutMs: 30_000,
    });
    k8s.setHandler(kubernetesService(ctx, runner));

    const dir = mkdtempSync(path.join(tmpdir(), "aag-probe-kube-"));
    const kubeconfigFile = path.join(dir, "kubeconfig.yaml");
    writeFileSync(
      kubeconfigFile,
      kubeconfigYaml(`${k8s.url}/clusters/aks1`, tls.certPem, mintAccessToken(state, { oid: P.writer, aud: AKS_SERVER_APP_ID })),
    );
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigFile);
    const profile: CloudProfile = {
      name: "ProbeSandbox",
      authorityHost: entra.url,
      disableInstanceDiscovery: true,
      resourceManagerEndpoint: "https://127.0.0.1:9",
      resourceManagerAudience: "https://management.azure.com",
      graphEndpoint: "https://127.0.0.1:9",
      graphAudience: "https://graph.microsoft.com",
      keyVaultUrlTemplate: `${kv.url}/{name}`,
      keyVaultAudience: "https://vault.azure.net",
      blobUrlTemplate: `${blob.url}/{account}`,
      queueUrlTemplate: "https://127.0.0.1:9/{account}",
      storageAudience: "https://storage.azure.com",
      tokenExchangeAudience: "api://AzureADTokenExchange",
      disableChallengeResourceVerification: true,
    };
    return {
      state,
      profile,
      kubeconfigFile,
      core: kc.makeApiClient(CoreV1Api),
      batch: kc.makeApiClient(BatchV1Api),
      entra,
      keyVault: kv,
      blob,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function kubeconfigYaml(server: string, caPem: string, token: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: aks1",
    "    cluster:",
    `      server: ${server}`,
    `      certificate-authority-data: ${Buffer.from(caPem).toString("base64")}`,
    "users:",
    "  - name: gate",
    "    user:",
    `      token: ${token}`,
    "contexts:",
    "  - name: aks1",
    "    context: { cluster: aks1, user: gate }",
    "current-context: aks1",
    "",
  ].join("\n");
}
