/**
 * The demo's world: the local Azure sandbox running the seed-000 outage, and a working copy of the team's
 * files (examples/sandbox/: the manifests as deployed, the gate's config) with the sandbox's ids and
 * URLs filled in. The sandbox's AKS cluster serves the very objects of those manifests, so what the gate
 * reads and what the cluster runs are the same YAML.
 *
 * The scenario is the shipped `seed-000-outage` as it is: it already gives the gate its own client secret
 * (it signs in as its app registration, from `sb.gateEnv`) and `Key Vault Reader` (to list secret
 * properties, docs/config.md), and the media container a blob for the fixed app to list.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments, parseDocument } from "yaml";
import { startSandbox, type Sandbox, type ScenarioInput } from "../../test/sandbox/index.js";
import type { ImageSpec } from "../../test/sandbox/pods.js";
import { pythonSdkMissing as sandboxPythonSdkMissing } from "../../test/sandbox/python-sdk.js";
import { renderPlaceholders } from "./render.js";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const EXAMPLE = join(ROOT, "examples/sandbox");
const PODS = join(ROOT, "test/sandbox/pods");
/** The Deployment's image; the sandbox runs it as a local program (see `appImage`). */
export const APP_IMAGE = "sandbox/django-app:1";

export interface DemoWorld {
  sb: Sandbox;
  /** The team's checkout: `k8s/backend.yaml` and `azure-auth-gate.yml`, placeholders filled in. */
  dir: string;
  manifests: string;
  config: string;
  /** Which Azure SDK the app image runs: the real Python SDK when installed, else the Node SDK. */
  runtime: "python" | "node";
  /** Environment of the gate's process: the sandbox's endpoints and CA, the gate's own sign-in, no az on PATH. */
  gateEnv: Record<string, string>;
  /** Values that must never appear in anything the demo prints. */
  secrets: string[];
  stop(): Promise<void>;
}

/**
 * Why the real Python SDK cannot run here, or undefined when it can. AAG_DEMO_APP_SDK=node takes the
 * Node path on purpose (what a machine without python3-azure gets; the demo's test runs it).
 */
export function pythonSdkMissing(): string | undefined {
  if (process.env.AAG_DEMO_APP_SDK === "node") return "AAG_DEMO_APP_SDK=node: the app runs on the Azure SDK for Node";
  if (sandboxPythonSdkMissing() === undefined) return undefined;
  return "the Azure SDK for Python is not installed (Debian: apt-get install python3-azure), so the app runs on the Azure SDK for Node instead";
}

type Editable = ScenarioInput & { subscriptions: { resourceGroups: { clusters: { objects: Record<string, unknown>[] }[] }[] }[] };

function scenario(): ScenarioInput {
  const input = parse(readFileSync(join(ROOT, "test/sandbox/scenarios/seed-000-outage.yaml"), "utf8")) as Editable;
  // The cluster serves the team's manifests (the sandbox resolves the same {{…}} placeholders).
  input.subscriptions[0]!.resourceGroups[0]!.clusters[0]!.objects = parseAllDocuments(
    readFileSync(join(EXAMPLE, "backend.yaml"), "utf8"),
  ).map((d) => d.toJS() as Record<string, unknown>);
  return input;
}

/**
 * The app image as a tiny root filesystem: PATH holds only python3 and node (never az/azd/pwsh, so
 * DefaultAzureCredential cannot fall through to a developer's login), and the app as the image's CMD: a
 * container `command` (the probe Job's) replaces it, as in Kubernetes.
 */
function appImage(root: string, runtime: DemoWorld["runtime"]): ImageSpec {
  const bin = join(root, "bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync("/usr/bin/python3", join(bin, "python3"));
  symlinkSync(process.execPath, join(bin, "node"));
  return {
    cmd: runtime === "python" ? ["python3", join(PODS, "django_app.py")] : ["node", join(PODS, "node_probe_app.mjs")],
    env: { PATH: bin },
  };
}

/** Writes a working copy of an example file with the sandbox's values filled in. */
function copyExample(sb: Sandbox, from: string, to: string, edit?: (text: string) => string): void {
  const text = renderPlaceholders(readFileSync(join(EXAMPLE, from), "utf8"), sb, `examples/sandbox/${from}`);
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, edit ? edit(text) : text);
}

export async function startWorld(): Promise<DemoWorld> {
  const runtime = pythonSdkMissing() === undefined ? "python" : "node";
  const dir = mkdtempSync(join(tmpdir(), "aag-demo-"));
  let sb: Sandbox | undefined;
  try {
    sb = await startSandbox(scenario(), { images: { [APP_IMAGE]: appImage(join(dir, ".image"), runtime) }, podTimeoutMs: 60_000 });
    const started = sb;
    copyExample(started, "backend.yaml", join(dir, "k8s/backend.yaml"));
    copyExample(started, "azure-auth-gate.yml", join(dir, "azure-auth-gate.yml"), (text) => {
      if (runtime === "python") return text;
      // The image name suggests Python; without the Python SDK the probe must use the Node one.
      const doc = parseDocument(text);
      doc.setIn(["probe", "runtime"], "node");
      return doc.toString();
    });
    const kvSecrets = started.state.keyVaults.flatMap((v) => v.secrets.flatMap((s) => s.versions.map((x) => x.value)));
    return {
      sb: started,
      dir,
      manifests: "k8s/backend.yaml",
      config: "azure-auth-gate.yml",
      runtime,
      gateEnv: {
        ...started.env,
        PATH: dirname(process.execPath),
        HOME: dir,
        NO_COLOR: "1",
        ...started.gateEnv,
      },
      secrets: [started.gateEnv.AZURE_CLIENT_SECRET!, ...kvSecrets],
      async stop() {
        await started.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await sb?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
