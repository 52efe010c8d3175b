/**
 * The probe's pure parts: plan URLs from the cloud profile, the Job manifest, runtime choice, result
 * line parsing, AADSTS meanings, the finding mapping for refusals the live tests do not produce, and
 * the kubeconfig / config plumbing (InputErrors naming the file or field).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILT_IN_CLOUDS } from "../../shared/cloud/profile.js";
import { parseConfigText } from "../../shared/config/load.js";
import { gateConfigSchema } from "../../shared/config/schema.js";
import type { ResolvedTarget } from "../../shared/azure/facts/types.js";
import { InputError } from "../../shared/errors.js";
import { staticLayer } from "../../shared/gate/static-layer.js";
import { resolveTargets } from "../../shared/gate/targets.js";
import { explainAadsts } from "../../shared/probe/aadsts.js";
import { resultFindings } from "../../shared/probe/findings.js";
import { probeOptionsFromConfig } from "../../shared/probe/index.js";
import { buildProbeJob, NEVER_READY_GATE, probeJobName } from "../../shared/probe/job.js";
import { loadKubeConfig } from "../../shared/probe/kube.js";
import { buildPlan } from "../../shared/probe/probe-plan.js";
import { builtInCommand, guessRuntime, NODE_PROBE, PYTHON_PROBE } from "../../shared/probe/programs/index.js";
import { parseProbeLog, probeResultSchema } from "../../shared/probe/result.js";
import { parseManifests } from "../../shared/static/index.js";

const SUB = "11111111-1111-1111-1111-111111111111";
const target: ResolvedTarget = {
  namespace: "production",
  kind: "Deployment",
  name: "backend",
  serviceAccount: "backend",
  clientId: "aaaaaaaa-0000-0000-0000-000000000001",
  image: "ghcr.io/acme/django-app:1.4",
  podLabels: { app: "backend", "pod-template-hash": "abc", "batch.kubernetes.io/job-name": "x" },
  imagePullSecrets: ["ghcr"],
  blob: [
    {
      account: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stmedia`,
      container: "media",
      access: "write",
    },
  ],
  keyVault: [{ vault: "kv-app", secrets: ["django-secret-key"], access: "list" }],
};

describe("plan and Job", () => {
  it("takes every URL and scope from the cloud profile (Azure China here), and account names from ARM ids", () => {
    const plan = buildPlan(target, BUILT_IN_CLOUDS.AzureChinaCloud!, "aag-probe-backend-1a2b3");
    // access: write → the marker blob the probe creates and deletes, under the gate's reserved prefix, named after the run.
    expect(plan.blob).toEqual([
      {
        account: "stmedia",
        container: "media",
        url: "https://stmedia.blob.core.chinacloudapi.cn",
        write: ".azure-auth-gate/probe-aag-probe-backend-1a2b3",
      },
    ]);
    expect(plan.keyVault).toEqual([{ vault: "kv-app", url: "https://kv-app.vault.azure.cn", secrets: ["django-secret-key"], list: true }]);
    expect(plan.tokenScope).toBe("https://storage.azure.com/.default");
    expect(plan.vaultScope).toBe("https://vault.azure.cn/.default");
    expect(plan.disableInstanceDiscovery).toBe(false);
    expect(buildPlan({ ...target, blob: [], keyVault: [] }, BUILT_IN_CLOUDS.AzureCloud!).tokenScope).toBe(
      "https://management.azure.com/.default",
    );
  });

  it("builds a one-shot Job under the workload's ServiceAccount, with its labels (not the controller's), the WI label and its pull secrets", () => {
    const name = probeJobName("Backend_API.v2-with-a-very-long-name-that-goes-on-and-on");
    expect(name).toMatch(/^aag-probe-backend-api-v2-with-a-very-long-name-tha-[0-9a-f]{5}$/);
    expect(name.length).toBeLessThanOrEqual(63);
    const job = buildProbeJob({
      name,
      target,
      image: "img:1",
      command: ["python3", "-c", "x"],
      plan: buildPlan(target, BUILT_IN_CLOUDS.AzureCloud!),
      timeoutSeconds: 90,
    });
    expect(job.metadata?.namespace).toBe("production");
    expect(job.spec?.backoffLimit).toBe(0);
    expect(job.spec?.activeDeadlineSeconds).toBe(150);
    expect(job.spec?.ttlSecondsAfterFinished).toBe(600);
    const pod = job.spec!.template;
    expect(pod.metadata?.labels).toEqual({
      app: "backend",
      "app.kubernetes.io/managed-by": "azure-auth-gate",
      "app.kubernetes.io/component": "probe",
      "azure.workload.identity/use": "true",
    });
    expect(pod.spec?.serviceAccountName).toBe("backend");
    expect(pod.spec?.restartPolicy).toBe("Never");
    // It shares the app's labels (network policies) but must never receive the app's Service traffic.
    expect(pod.spec?.readinessGates).toEqual([{ conditionType: NEVER_READY_GATE }]);
    expect(pod.spec?.imagePullSecrets).toEqual([{ name: "ghcr" }]);
    expect(pod.spec?.containers[0]).toMatchObject({ name: "probe", image: "img:1", command: ["python3", "-c", "x"] });
    expect(JSON.parse(pod.spec!.containers[0]!.env![0]!.value!)).toMatchObject({ version: 1, blob: [{ account: "stmedia" }] });
    // A workload that sets no scheduling gets none: the cluster's defaults, like the app's pods.
    for (const key of ["nodeSelector", "tolerations", "affinity", "priorityClassName"]) expect(pod.spec).not.toHaveProperty(key);
  });

  it("schedules like the workload: exactly its nodeSelector, tolerations and affinity, never its priority class", () => {
    const scheduling = {
      nodeSelector: { agentpool: "apppool", "kubernetes.io/os": "linux" },
      tolerations: [
        { key: "workload", operator: "Equal", value: "app", effect: "NoSchedule" },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
      ],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["westeurope-1", "westeurope-2"] }] },
            ],
          },
        },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "backend" } } } },
          ],
        },
      },
    };
    const scheduled: ResolvedTarget = { ...target, scheduling };
    const job = buildProbeJob({
      name: "aag-probe-backend-abcde",
      target: scheduled,
      image: "img:1",
      command: ["x"],
      plan: buildPlan(scheduled, BUILT_IN_CLOUDS.AzureCloud!),
      timeoutSeconds: 90,
    });
    const spec = job.spec!.template.spec!;
    expect(spec.nodeSelector).toEqual(scheduling.nodeSelector);
    expect(spec.tolerations).toEqual(scheduling.tolerations);
    expect(spec.affinity).toEqual(scheduling.affinity);
    expect(spec).not.toHaveProperty("priorityClassName");
    // Copies: whatever later touches the Job (the client's serializer, a test) cannot change the target.
    spec.tolerations!.pop();
    expect(scheduled.scheduling?.tolerations).toHaveLength(2);
    // Only what the workload sets: a nodeSelector alone brings no empty tolerations or affinity.
    const onlySelector = buildProbeJob({
      name: "n",
      target: { ...target, scheduling: { nodeSelector: { agentpool: "apppool" } } },
      image: "i",
      command: ["x"],
      plan: buildPlan(target, BUILT_IN_CLOUDS.AzureCloud!),
      timeoutSeconds: 90,
    });
    expect(onlySelector.spec!.template.spec).toMatchObject({ nodeSelector: { agentpool: "apppool" } });
    expect(onlySelector.spec!.template.spec).not.toHaveProperty("tolerations");
    expect(onlySelector.spec!.template.spec).not.toHaveProperty("affinity");
  });

  it("carries the scheduling from the manifests to the Job (static layer → target → Job)", () => {
    const manifests = parseManifests([
      {
        file: "k8s/app.yaml",
        text: [
          "apiVersion: v1",
          "kind: ServiceAccount",
          "metadata: {name: backend, namespace: production, annotations: {azure.workload.identity/client-id: aaaaaaaa-0000-0000-0000-000000000001}}",
          "---",
          "apiVersion: apps/v1",
          "kind: Deployment",
          "metadata: {name: backend, namespace: production}",
          "spec:",
          "  template:",
          '    metadata: {labels: {app: backend, azure.workload.identity/use: "true"}}',
          "    spec:",
          "      serviceAccountName: backend",
          "      priorityClassName: business-critical",
          "      nodeSelector: {agentpool: apppool}",
          "      tolerations:",
          "        - {key: workload, operator: Equal, value: app, effect: NoSchedule}",
          "      affinity:",
          "        nodeAffinity:",
          "          requiredDuringSchedulingIgnoredDuringExecution:",
          "            nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.azure.com/mode, operator: NotIn, values: [system]}]}]",
          "      containers: [{name: web, image: ghcr.io/acme/django-app:1.4}]",
        ].join("\n"),
      },
    ]);
    const { workloads } = staticLayer(manifests);
    for (const targets of [[], [{ workload: "production/Deployment/backend" }]]) {
      const [resolved] = resolveTargets(gateConfigSchema.parse({ subscriptions: [SUB], targets }), workloads);
      const job = buildProbeJob({
        name: "n",
        target: resolved!,
        image: "i",
        command: ["x"],
        plan: buildPlan(resolved!, BUILT_IN_CLOUDS.AzureCloud!),
        timeoutSeconds: 90,
      });
      expect(job.spec!.template.spec).toMatchObject({
        serviceAccountName: "backend",
        nodeSelector: { agentpool: "apppool" },
        tolerations: [{ key: "workload", operator: "Equal", value: "app", effect: "NoSchedule" }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.azure.com/mode", operator: "NotIn", values: ["system"] }] }],
            },
          },
        },
      });
      expect(job.spec!.template.spec).not.toHaveProperty("priorityClassName");
    }
  });

  it("picks the Node probe for Node images and the Python probe otherwise", () => {
    expect(guessRuntime("node:22-slim")).toBe("node");
    expect(guessRuntime("ghcr.io/acme/node-api:3")).toBe("node");
    expect(guessRuntime("acme.azurecr.io/web/nodejs-frontend@sha256:abc")).toBe("node");
    expect(guessRuntime("ghcr.io/acme/django-app:1.4")).toBe("python");
    expect(guessRuntime("ghcr.io/acme/nodeless:1")).toBe("python");
    expect(guessRuntime("registry:5000/app:node")).toBe("python"); // a tag is not a runtime
    expect(builtInCommand("node").slice(0, 3)).toEqual(["node", "--input-type=module", "-e"]);
    expect(builtInCommand("python").slice(0, 2)).toEqual(["python3", "-c"]);
  });

  it("the built-in programs keep only a secret's properties", () => {
    // The live tests scan the pod log and the findings for the secret's bytes; this pins the intent.
    expect(NODE_PROBE).toContain("(await client.getSecret(name)).properties");
    expect(NODE_PROBE).not.toMatch(/getSecret\(name\)\)?\.value/);
    expect(PYTHON_PROBE).toContain("client.get_secret(name).properties");
    expect(PYTHON_PROBE).not.toMatch(/get_secret\(name\)\.value/);
  });
});

describe("result line", () => {
  const ok = { azureAuthGateProbe: 1, token: { ok: true }, blob: [], keyVault: [] };

  it("finds the last result line among other log output", () => {
    const log = `Booting worker\n${JSON.stringify({ ...ok, token: { ok: false, message: "old" } })}\nnoise\n${JSON.stringify(ok)}\n`;
    const parsed = parseProbeLog(log);
    expect(parsed.ok && parsed.result.token?.ok).toBe(true);
  });

  it("tells an empty log, a log without a result line and an invalid result line apart", () => {
    expect(parseProbeLog("")).toEqual({ ok: false, reason: "an empty log" });
    expect(parseProbeLog("Traceback (most recent call last):\nImportError\n")).toEqual({ ok: false, reason: "no result line" });
    expect(parseProbeLog('{"azureAuthGateProbe": 1, "token": {"ok": "yes"}}')).toMatchObject({
      ok: false,
      reason: expect.stringContaining("invalid field token.ok"),
    });
  });

  it("means what the catalogue says for AADSTS codes", () => {
    expect(explainAadsts("AADSTS700213: No matching federated identity record found for presented assertion subject")).toMatchObject({
      code: "AADSTS700213",
      federation: true,
    });
    expect(explainAadsts("AADSTS700016: Application with identifier 'x' was not found")?.meaning).toBe(
      "application not found in the directory",
    );
    expect(explainAadsts("AADSTS90002: Tenant 'x' not found.")?.meaning).toBe("tenant not found");
    expect(explainAadsts("AADSTS7000215: Invalid client secret provided.")?.meaning).toBe("invalid client secret provided");
    expect(explainAadsts("AADSTS700024: Client assertion is not within its valid time range.")?.meaning).toBe(
      "client assertion is not within its valid time range",
    );
    expect(explainAadsts("AADSTS12345: something new")).toMatchObject({ code: "AADSTS12345", federation: false });
    expect(explainAadsts("connect ECONNREFUSED")).toBeUndefined();
  });
});

describe("finding mapping", () => {
  const result = (over: object) => probeResultSchema.parse({ azureAuthGateProbe: 1, token: { ok: true }, ...over });

  it("names the fix for access-policy, firewall and disabled-secret refusals", () => {
    const findings = resultFindings(
      target,
      result({
        blob: [
          {
            account: "stmedia",
            container: "media",
            ok: false,
            status: 403,
            code: "AuthorizationFailure",
            message: "This request is not authorized to perform this operation.",
          },
        ],
        keyVault: [
          {
            vault: "kv-app",
            secret: "a",
            ok: false,
            status: 403,
            code: "Forbidden",
            innerCode: "ForbiddenByPolicy",
            message: "no get permission",
          },
          {
            vault: "kv-app",
            secret: "b",
            ok: false,
            status: 403,
            code: "Forbidden",
            innerCode: "ForbiddenByFirewall",
            message: "Client address is not authorized",
          },
          { vault: "kv-app", secret: "c", ok: false, status: 403, code: "Forbidden", innerCode: "SecretDisabled", message: "disabled" },
          {
            vault: "kv-app",
            secret: null,
            operation: "list",
            ok: false,
            status: 403,
            code: "Forbidden",
            innerCode: "ForbiddenByPolicy",
            message: "no list permission",
          },
        ],
      }),
      "img",
    );
    expect(findings.map((f) => f.id)).toEqual(["AG302", "AG303", "AG303", "AG303", "AG303"]);
    expect(findings[0]!.fix).toContain("az storage account network-rule add --account-name stmedia");
    expect(findings[1]!.fix).toBe(
      `Give the identity an access policy: \`az keyvault set-policy --name kv-app --spn ${target.clientId} --secret-permissions get\`.`,
    );
    expect(findings[2]!.fix).toContain("az keyvault network-rule add --name kv-app");
    expect(findings[3]!.fix).toContain("az keyvault secret set-attributes --vault-name kv-app --name c --enabled true");
    expect(findings[4]!.evidence).toContain("listing secret properties in vault 'kv-app'");
    expect(findings[4]!.fix).toContain("--secret-permissions get list");
    expect(findings.every((f) => f.target.name === "backend" && f.target.namespace === "production")).toBe(true);
  });

  it("a token failure stops there (AG301 only); a setup failure in the image is AG304, not a pass", () => {
    const token = resultFindings(
      target,
      result({
        token: {
          ok: false,
          name: "AuthenticationError",
          message: "AADSTS700016: Application with identifier 'x' was not found in the directory 'contoso'.",
        },
        blob: [{ account: "stmedia", container: "media", ok: false, status: 403 }],
      }),
      "img",
    );
    expect(token.map((f) => f.id)).toEqual(["AG301"]);
    expect(token[0]!.evidence).toContain("AADSTS700016: application not found in the directory");
    expect(token[0]!.fix).toContain("client id aaaaaaaa-0000-0000-0000-000000000001");
    const setup = resultFindings(
      target,
      result({ token: null, setup: { ok: false, message: "cannot load the Azure SDK for Python: No module named 'azure'" } }),
      "python:3.12-slim",
    );
    expect(setup.map((f) => [f.id, f.severity])).toEqual([["AG304", "error"]]);
    expect(setup[0]!.evidence).toContain("in image 'python:3.12-slim': cannot load the Azure SDK for Python");
  });
});

describe("kubeconfig and config", () => {
  it("is an InputError naming the field or file when there is no kubeconfig, a bad file or an unknown context", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "aag-kube-"));
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error("expected an InputError");
    };
    const none = err(() => loadKubeConfig({ env: { HOME: dir } }));
    expect(none).toBeInstanceOf(InputError);
    expect((none as InputError).oneLine()).toBe(
      "kubeconfig: the probe needs a kubeconfig: set KUBECONFIG (azure/aks-set-context does), or pass --kubeconfig FILE to the CLI",
    );
    const bad = path.join(dir, "bad.yaml");
    writeFileSync(bad, "clusters: [");
    expect((err(() => loadKubeConfig({ file: bad })) as InputError).oneLine()).toMatch(new RegExp(`^${bad}: cannot read the kubeconfig`));
    const good = path.join(dir, "good.yaml");
    writeFileSync(
      good,
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: one, context: {cluster: c, user: u}}]\ncurrent-context: one\n",
    );
    expect((err(() => loadKubeConfig({ file: good, context: "two" })) as InputError).oneLine()).toBe(
      `probe.context: context 'two' is not in ${good} (it has: one)`,
    );
    expect(loadKubeConfig({ env: { KUBECONFIG: `${good}${path.delimiter}/nope` } }).getCurrentCluster()?.server).toBe(
      "https://127.0.0.1:6443",
    );
  });

  it("reads probe.* from azure-auth-gate.yml but the kubeconfig only from the caller; unknown keys are errors", () => {
    const text = `subscriptions: [${SUB}]\nprobe: { image: "ghcr.io/acme/app:1", runtime: node, timeoutSeconds: 30, context: prod }\n`;
    const { config, profile } = parseConfigText(text, "/repo/deploy/azure-auth-gate.yml");
    expect(probeOptionsFromConfig(config.probe, { profile })).not.toHaveProperty("kubeconfig");
    const options = probeOptionsFromConfig(config.probe, { profile, kubeconfig: "/home/me/.kube/aks.yaml" });
    expect(options).toMatchObject({
      image: "ghcr.io/acme/app:1",
      runtime: "node",
      timeoutSeconds: 30,
      kubeconfig: "/home/me/.kube/aks.yaml",
      context: "prod",
    });
    expect(() => parseConfigText(`subscriptions: [${SUB}]\nprobe: { kubeconfg: x }\n`, "gate.yml")).toThrow(/unknown key 'kubeconfg'/);
  });

  it.each([
    ["kubeconfig: kube/aks.yaml", "probe.kubeconfig", /set KUBECONFIG in the job's environment, or pass --kubeconfig FILE to the CLI/],
    [
      "command: [sh, -c, 'cat /var/run/secrets/azure/tokens/azure-identity-token']",
      "probe.command",
      /choose its interpreter with probe.runtime/,
    ],
    ["enabled: true", "probe.enabled", /with --probe \(CLI\) or mode: probe \(Action\)/],
  ])("the removed key %s is an input error naming its replacement", (entry, field, replacement) => {
    const text = `subscriptions: [${SUB}]\nprobe:\n  timeoutSeconds: 30\n  ${entry}\n`;
    let error: unknown;
    try {
      parseConfigText(text, "gate.yml");
    } catch (e) {
      error = e;
    }
    if (!(error instanceof InputError)) throw new Error(`expected an InputError, got ${String(error)}`);
    expect(error.oneLine()).toMatch(new RegExp(`^gate\\.yml:4: ${field.replace(".", "\\.")}: `));
    expect(error.oneLine()).toMatch(replacement);
  });
});
