/**
 * The peer: the script a user writes today to check the same things by hand with the Azure CLI —
 * `az login --service-principal … --federated-token`, then for every target `az aks show`,
 * `az identity federated-credential list`, `az role assignment list --assignee … --all`,
 * `az keyvault show` and `az storage account show`. Run for real (Debian's azure-cli 2.45) against
 * the same sandbox, with the recipe from stack.md: a registered custom cloud, the sandbox CA
 * (REQUESTS_CA_BUNDLE), the guard proxy (MSAL's instance discovery tunnels to the sandbox's Entra,
 * anything else is refused on loopback), telemetry off, and sitecustomize.py for the
 * `az role assignment list` packaging bug.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Sandbox } from "../../test/sandbox/index.js";

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface PeerTarget {
  resourceGroup: string;
  cluster: string;
  identityName: string;
  clientId: string;
  vault: string;
  storageAccount: string;
}

export interface PeerRun {
  seconds: number;
  commands: number;
}

export interface Peer {
  kind: "az-cli" | "sdk-loop";
  /** How the peer got here (installed now, already present, or why it fell back). */
  note: string;
  /** Signs in and checks every target, one command after another, as a user's script does. */
  check(targets: readonly PeerTarget[]): Promise<PeerRun>;
}

/** `az` on PATH, installing Debian's azure-cli with apt when it is missing and apt can be used. */
export function ensureAz(log: (line: string) => void): { path?: string; note: string } {
  const which = (): string | undefined => {
    try {
      return execFileSync("sh", ["-c", "command -v az"], { encoding: "utf8" }).trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const found = which();
  if (found) return { path: found, note: `az found at ${found}` };
  const uid = process.getuid?.() ?? -1;
  if (!existsSync("/usr/bin/apt-get")) return { note: "az is not installed and apt-get is unavailable" };
  const sudo = uid === 0 ? [] : existsSync("/usr/bin/sudo") ? ["sudo", "-n"] : undefined;
  if (!sudo) return { note: "az is not installed and apt-get needs root (no sudo)" };
  log("az not found: installing Debian's azure-cli with apt-get (one-time)…");
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync(sudo[0] ?? "apt-get", [...sudo.slice(1), ...(sudo.length ? ["apt-get"] : []), "install", "-y", "-q", "azure-cli"], {
      stdio: "ignore",
      env,
      timeout: 900_000,
    });
  } catch (err) {
    return { note: `apt-get install azure-cli failed: ${(err as Error).message.split("\n")[0]}` };
  }
  const installed = which();
  return installed
    ? { path: installed, note: `az installed by the benchmark with apt-get (${installed})` }
    : { note: "apt-get install azure-cli did not put az on PATH" };
}

function azEnv(sb: Sandbox, configDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: configDir,
    LANG: "C.UTF-8",
    AZURE_CONFIG_DIR: configDir,
    AZURE_CORE_COLLECT_TELEMETRY: "false",
    AZURE_CORE_ONLY_SHOW_ERRORS: "true",
    AZURE_CORE_NO_COLOR: "true",
    AZURE_CORE_SURVEY_MESSAGE: "false",
    REQUESTS_CA_BUNDLE: sb.tls.certFile,
    HTTPS_PROXY: sb.urls.proxy,
    https_proxy: sb.urls.proxy,
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
    PYTHONPATH: HERE,
    // HERE holds the sitecustomize shim; without this, Python leaves __pycache__ in the repo (as pods.ts avoids too).
    PYTHONDONTWRITEBYTECODE: "1",
  };
}

/** Signs `az` in to the sandbox as `appId` with a GitHub Actions ID token, in its own config dir. */
export async function azPeer(sb: Sandbox, azPath: string, note: string, appId: string): Promise<Peer> {
  const configDir = path.join(sb.workDir, "az-config");
  mkdirSync(configDir, { recursive: true });
  const env = azEnv(sb, configDir);
  const az = async (args: string[]) => {
    try {
      return (await run(azPath, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 })).stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(
        `az ${args.slice(0, 3).join(" ")} failed: ${(e.stderr || e.message).trim().split("\n").slice(-2).join(" | ").slice(0, 400)}`,
        { cause: err },
      );
    }
  };
  const cloudFile = path.join(configDir, "cloud.json");
  writeFileSync(
    cloudFile,
    JSON.stringify({
      endpoints: {
        resourceManager: `${sb.urls.arm}/`,
        activeDirectory: sb.urls.authorityHost,
        activeDirectoryResourceId: "https://management.core.windows.net/",
        activeDirectoryGraphResourceId: `${sb.urls.graph}/`,
        microsoftGraphResourceId: `${sb.urls.graph}/`,
      },
      // `az keyvault …` and `az storage …` refuse a cloud without these DNS suffixes.
      suffixes: { keyvaultDns: ".vault.azure.net", storageEndpoint: "core.windows.net" },
    }),
  );
  await az(["cloud", "register", "-n", "AagSandbox", "--cloud-config", `@${cloudFile}`]);
  await az(["cloud", "set", "-n", "AagSandbox"]);
  const tenant = sb.state.tenantId;
  return {
    kind: "az-cli",
    note,
    async check(targets) {
      let commands = 0;
      // A fresh login per run, as each pipeline run does (the token is minted outside the timing).
      const token = sb.mintGitHubIdToken("api://AzureADTokenExchange");
      await az(["logout"]).catch(() => "");
      const startedLogin = performance.now();
      await az([
        "login",
        "--service-principal",
        "-u",
        appId,
        "--tenant",
        tenant,
        "--federated-token",
        token,
        "--allow-no-subscriptions",
        "-o",
        "none",
      ]);
      commands++;
      for (const t of targets) {
        await az(["aks", "show", "-g", t.resourceGroup, "-n", t.cluster, "-o", "json"]);
        await az(["identity", "federated-credential", "list", "-g", t.resourceGroup, "--identity-name", t.identityName, "-o", "json"]);
        await az(["role", "assignment", "list", "--assignee", t.clientId, "--all", "-o", "json"]);
        await az(["keyvault", "show", "-g", t.resourceGroup, "-n", t.vault, "-o", "json"]);
        await az(["storage", "account", "show", "-g", t.resourceGroup, "-n", t.storageAccount, "-o", "json"]);
        commands += 5;
      }
      return { seconds: (performance.now() - startedLogin) / 1000, commands };
    },
  };
}
