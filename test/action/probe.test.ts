/**
 * `mode: probe`: after the control plane, the Action starts a short-lived Job in the cluster (from the
 * KUBECONFIG an earlier step left) that runs as the app's ServiceAccount and really calls Key Vault and
 * Blob Storage. Against the sandbox's Kubernetes API (pods run as local processes), Workload Identity
 * webhook, Entra ID, Key Vault and Azurite.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strippedPath } from "../sandbox/pods.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { runnerEnv, scenario, SECRET_VALUE, step, workspace } from "./action-runner.js";

const IMAGE = "ghcr.io/contoso/node-app:1";
let sb: Sandbox;

beforeAll(async () => {
  const objects = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "app" } },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: "backend",
        namespace: "app",
        annotations: { "azure.workload.identity/client-id": "{{identity:backend-id.clientId}}" },
      },
    },
  ];
  // The image stands for a Node image that ships the Azure SDK: `node` on its PATH, this repository's node_modules.
  const imagePath = [path.dirname(process.execPath), strippedPath()].join(path.delimiter);
  sb = await startSandbox(scenario({ clusterObjects: objects }), { images: { [IMAGE]: { env: { PATH: imagePath } } } });
}, 60_000);

afterAll(async () => {
  await sb?.stop();
});

describe("mode: probe", () => {
  it("runs the live probe as the pod and passes when it really reaches Key Vault and Blob", async () => {
    const ws = workspace(sb, { image: IMAGE });
    const env = {
      ...runnerEnv(sb, ws, { inputs: { mode: "probe", comment: "false", "probe-on-pull-request": "true" } }),
      KUBECONFIG: sb.kubeconfigFile,
    };
    const s = await step(ws, env);
    expect(s.result?.report.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(s.result?.report.metadata.layers).toEqual(["static", "control-plane", "data-plane"]);
    expect(s.result?.report.verdict).toBe("pass");
    expect(sb.log.count({ service: "kubernetes", method: "POST" })).toBeGreaterThan(0);
    expect(s.stdout).not.toContain(SECRET_VALUE);
  }, 90_000);
});
