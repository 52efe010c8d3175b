/**
 * The live probe end to end against the sandbox's Kubernetes API (Job controller, kubelet, Workload
 * Identity webhook), Entra token exchange, Key Vault and Blob: each outcome the issue lists — pass,
 * AG301 with the AADSTS code, AG302, AG303, AG304 for every way of not running — and the Job is
 * deleted every time, also on timeout and cancellation. No secret value ever reaches a finding.
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import type { ResolvedTarget } from "../../shared/azure/facts/types.js";
import type { Finding } from "../../shared/findings/model.js";
import { createProbeLayer, type ProbeOptions } from "../../shared/probe/index.js";
import { buildProbeJob, probeJobName } from "../../shared/probe/job.js";
import { buildPlan } from "../../shared/probe/probe-plan.js";
import { builtInCommand } from "../../shared/probe/programs/index.js";
import { assign } from "../sandbox-data/fixtures.js";
import { withLogSink } from "../../shared/log.js";
import {
  CHATTY_IMAGE,
  CLIENT_ID,
  NODE_IMAGE,
  PRINCIPAL_ID,
  PYTHON_IMAGE,
  SECRET_VALUE,
  HOSTILE_IMAGE,
  SKIPPER_IMAGE,
  SLEEPER_IMAGE,
  startProbeHarness,
  type ProbeHarness,
} from "./probe-world.js";
import { pythonSdkMissing } from "../sandbox/python-sdk.js";

let h: ProbeHarness;

beforeAll(async () => {
  h = await startProbeHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function target(over: Partial<ResolvedTarget> = {}): ResolvedTarget {
  return {
    namespace: "production",
    kind: "Deployment",
    name: "backend",
    serviceAccount: "backend",
    clientId: CLIENT_ID,
    image: NODE_IMAGE,
    podLabels: { app: "backend", tier: "web", "pod-template-hash": "7d9f8c" },
    blob: [{ account: "stmedia", container: "media", access: "read" }],
    keyVault: [{ vault: "kv-app", secrets: ["django-secret-key"], access: "get" }],
    ...over,
  };
}

function layer(over: Partial<ProbeOptions> = {}) {
  return createProbeLayer({ profile: h.profile, kubeconfig: h.kubeconfigFile, timeoutSeconds: 30, pollIntervalMs: 100, ...over });
}

async function jobsLeft(): Promise<string[]> {
  return (await h.batch.listNamespacedJob({ namespace: "production" })).items.map((j) => j.metadata?.name ?? "");
}

/** The Python image runs Debian's python3 with the Azure SDK: its cases are skipped without python3-azure. */
function needsRuntime(runtime: "node" | "python", skip: TestContext["skip"]): void {
  const missing = runtime === "python" ? pythonSdkMissing() : undefined;
  if (missing) skip(missing);
}

function expectNoSecret(findings: Finding[]): void {
  expect(JSON.stringify(findings)).not.toContain(SECRET_VALUE);
}

describe("the live probe (Node image)", () => {
  it("passes a correctly wired workload: token, container listed and read, secret properties read; the Job is gone", async () => {
    const logs: string[] = [];
    // Progress lines reach whatever sink the host installed (the CLI's stderr, the runner's log).
    const findings = await withLogSink(
      (level, line) => logs.push(`${level}: ${line}`),
      () => layer()(target()),
    );
    expect(findings).toEqual([]);
    expect(await jobsLeft()).toEqual([]);
    expect(logs.some((l) => /^info: probe: created Job production\/aag-probe-backend-/.test(l))).toBe(true);
    expect(logs.some((l) => /^info: probe: deleted Job production\/aag-probe-backend-/.test(l))).toBe(true);
    // The probe really reached both services as the pod's identity.
    expect(
      h.keyVault.log.some((r) => r.method === "GET" && r.url.startsWith("/kv-app/secrets/django-secret-key") && r.status === 200),
    ).toBe(true);
    expect(
      h.blob.log.some((r) => r.method === "GET" && r.url.includes("/stmedia/media?") && r.url.includes("comp=list") && r.status === 200),
    ).toBe(true);
    expect(h.blob.log.some((r) => r.method === "HEAD" && r.url.startsWith("/stmedia/media/logo.png") && r.status === 200)).toBe(true);
  });

  it("runs the pod as the workload: its ServiceAccount, its labels (minus controller labels), the WI label, its scheduling and the plan from the profile", async () => {
    const probe = layer({ image: SLEEPER_IMAGE, timeoutSeconds: 2 });
    const scheduling = {
      nodeSelector: { agentpool: "apppool" },
      tolerations: [{ key: "workload", operator: "Equal", value: "app", effect: "NoSchedule" }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["westeurope-1"] }] }],
          },
        },
      },
    };
    const running = probe(target({ scheduling }));
    let pod;
    for (let i = 0; i < 50 && !pod; i++) {
      pod = (await h.core.listNamespacedPod({ namespace: "production", labelSelector: "app.kubernetes.io/managed-by=azure-auth-gate" }))
        .items[0];
      if (!pod) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pod?.spec?.serviceAccountName).toBe("backend");
    expect(pod?.metadata?.labels).toMatchObject({ app: "backend", tier: "web", "azure.workload.identity/use": "true" });
    expect(pod?.metadata?.labels?.["pod-template-hash"]).toBeUndefined();
    // Through the client's serializer and the API server: the pod asks for the app's node pool.
    expect(pod?.spec?.nodeSelector).toEqual(scheduling.nodeSelector);
    expect(pod?.spec?.tolerations).toEqual(scheduling.tolerations);
    expect(pod?.spec?.affinity).toEqual(scheduling.affinity);
    const env = Object.fromEntries((pod?.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    expect(env.AZURE_CLIENT_ID).toBe(CLIENT_ID); // injected by the webhook, not by the gate
    const plan = JSON.parse(env.AAG_PROBE_PLAN ?? "{}");
    expect(plan.blob).toEqual([{ account: "stmedia", container: "media", url: `${h.blob.url}/stmedia` }]);
    expect(plan.keyVault).toEqual([{ vault: "kv-app", url: `${h.keyVault.url}/kv-app`, secrets: ["django-secret-key"], list: false }]);
    await running;
  });

  it("AG301 with the AADSTS code, its meaning and the presented subject when no federated credential matches (prod vs production)", async () => {
    const fic = h.state.identities[0]!.federatedCredentials[0]!;
    const original = fic.subject;
    fic.subject = "system:serviceaccount:prod:backend";
    try {
      const findings = await layer()(target());
      expect(findings.map((f) => f.id)).toEqual(["AG301"]);
      const [f] = findings;
      expect(f!.evidence).toContain("AADSTS700213: no matching federated identity record found for the presented assertion");
      expect(f!.evidence).toContain("subject 'system:serviceaccount:production:backend'");
      expect(f!.fix).toContain("az identity federated-credential create");
      expect(f!.fix).toContain(`--issuer ${h.state.clusters[0]!.issuerUrl}`);
      expect(f!.fix).toContain("--subject system:serviceaccount:production:backend");
      expect(f!.target).toEqual({ kind: "Deployment", namespace: "production", name: "backend" });
    } finally {
      fic.subject = original;
    }
    expect(await jobsLeft()).toEqual([]);
  });

  it("AG301 'not injected' when the ServiceAccount names no client id", async () => {
    const sa = h.state.clusters[0]!.objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === "backend")!;
    const annotations = sa.metadata.annotations;
    sa.metadata.annotations = {};
    try {
      const findings = await layer()(target());
      expect(findings.map((f) => f.id)).toEqual(["AG301"]);
      expect(findings[0]!.evidence).toContain("Workload Identity was not injected into the pod: AZURE_CLIENT_ID");
      expect(findings[0]!.fix).toContain(
        `kubectl annotate serviceaccount backend -n production azure.workload.identity/client-id=${CLIENT_ID}`,
      );
    } finally {
      sa.metadata.annotations = annotations;
    }
  });

  it("AG302 and AG303 with status and code when the identity has no data roles; a missing secret is AG303 SecretNotFound", async () => {
    const saved = [...h.state.roleAssignments];
    h.state.roleAssignments.length = 0;
    try {
      const findings = await layer()(target({ keyVault: [{ vault: "kv-app", secrets: ["django-secret-key"], access: "get" }] }));
      expect(findings.map((f) => f.id).sort()).toEqual(["AG302", "AG303"]);
      const blob = findings.find((f) => f.id === "AG302")!;
      expect(blob.evidence).toContain(
        "listing container 'media' in storage account 'stmedia' as the pod's identity: HTTP 403 AuthorizationPermissionMismatch",
      );
      expect(blob.fix).toContain(`az role assignment create --assignee ${CLIENT_ID} --role "Storage Blob Data Reader"`);
      const kv = findings.find((f) => f.id === "AG303")!;
      expect(kv.evidence).toMatch(
        /reading secret 'django-secret-key' in vault 'kv-app' as the pod's identity: HTTP 403 Forbidden \(ForbiddenByRbac\)/,
      );
      expect(kv.fix).toContain('--role "Key Vault Secrets User"');
      expectNoSecret(findings);
    } finally {
      h.state.roleAssignments.push(...saved);
    }
    const missing = await layer()(target({ blob: [], keyVault: [{ vault: "kv-app", secrets: ["no-such-secret"], access: "get" }] }));
    expect(missing.map((f) => [f.id, f.evidence.includes("HTTP 404 SecretNotFound")])).toEqual([["AG303", true]]);
    expect(missing[0]!.fix).toContain("az keyvault secret set --vault-name kv-app --name no-such-secret");
  });

  it("lists secret properties for access: list", async () => {
    // Secrets User holds readMetadata: listing works.
    expect(await layer()(target({ blob: [], keyVault: [{ vault: "kv-app", secrets: [], access: "list" }] }))).toEqual([]);
  });

  it("a grant that lands later is seen on the next run (the probe is live, not cached)", async () => {
    const saved = [...h.state.roleAssignments];
    h.state.roleAssignments.length = 0;
    const before = await layer()(target({ keyVault: [] }));
    h.state.roleAssignments.push(assign(PRINCIPAL_ID, "blobReader", h.state.storageAccounts[0]!.id));
    const after = await layer()(target({ keyVault: [] }));
    h.state.roleAssignments.length = 0;
    h.state.roleAssignments.push(...saved);
    expect(before.map((f) => f.id)).toEqual(["AG302"]);
    expect(after).toEqual([]);
  });
});

describe("access: write: the probe creates and deletes one marker blob under .azure-auth-gate/, as the app would write", () => {
  const write = { blob: [{ account: "stmedia", container: "media", access: "write" as const }], keyVault: [] };
  const markerRequests = () => h.blob.log.filter((r) => r.url.startsWith("/stmedia/media/.azure-auth-gate/probe-aag-probe-backend-"));

  it.for([
    ["node", NODE_IMAGE],
    ["python", PYTHON_IMAGE],
  ] as const)(
    "%s: a role that reads but cannot write (Storage Blob Data Reader) is AG302 with the storage error code; the same role passes a read-only need",
    { timeout: 60_000 },
    async ([runtime, image], { skip }) => {
      needsRuntime(runtime, skip);
      const before = markerRequests().length;
      const findings = await layer({ image })(target({ ...write, image }));
      expect(findings.map((f) => f.id)).toEqual(["AG302"]);
      expect(findings[0]!.evidence).toMatch(
        /^writing marker blob '\.azure-auth-gate\/probe-aag-probe-backend-[a-z0-9]+' to container 'media' in storage account 'stmedia' as the pod's identity: HTTP 403 AuthorizationPermissionMismatch/,
      );
      expect(findings[0]!.fix).toContain(`az role assignment create --assignee ${CLIENT_ID} --role "Storage Blob Data Contributor"`);
      // The refusal came from the sandbox's RBAC in front of Azurite, on the PUT of the marker.
      expect(
        markerRequests()
          .slice(before)
          .map((r) => `${r.method} ${r.status}`),
      ).toEqual(["PUT 403"]);
      expect(
        await layer({ image })(target({ blob: [{ account: "stmedia", container: "media", access: "read" }], keyVault: [], image })),
      ).toEqual([]);
    },
  );

  it.for([
    ["node", NODE_IMAGE],
    ["python", PYTHON_IMAGE],
  ] as const)(
    "%s: with Storage Blob Data Contributor the write passes, and real Azurite created and deleted the marker (nothing left behind)",
    { timeout: 60_000 },
    async ([runtime, image], { skip }) => {
      needsRuntime(runtime, skip);
      const grant = assign(PRINCIPAL_ID, "blobContributor", h.state.storageAccounts[0]!.id);
      h.state.roleAssignments.push(grant);
      const before = markerRequests().length;
      try {
        expect(await layer({ image })(target({ ...write, image }))).toEqual([]);
      } finally {
        h.state.roleAssignments.splice(h.state.roleAssignments.indexOf(grant), 1);
      }
      const requests = markerRequests().slice(before);
      expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(["PUT 201", "DELETE 202"]);
      // The same name both times: the blob Azurite created is the one it deleted.
      expect(new Set(requests.map((r) => r.url.split("?")[0])).size).toBe(1);
    },
  );

  /** Contributor under an ABAC condition that grants every data action except `except` (Azure's documented shape). */
  const contributorExcept = (except: "write" | "delete") => ({
    ...assign(PRINCIPAL_ID, "blobContributor", h.state.storageAccounts[0]!.id),
    condition: `((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/${except}'})))`,
    conditionVersion: "2.0",
  });

  it("an ABAC condition that allows read and denies write (the case the control plane leaves to the probe, AG215) is AG302", async () => {
    const grant = contributorExcept("write");
    h.state.roleAssignments.push(grant);
    try {
      const findings = await layer()(target(write));
      expect(findings.map((f) => f.id)).toEqual(["AG302"]);
      expect(findings[0]!.evidence).toMatch(/^writing marker blob .* HTTP 403 AuthorizationPermissionMismatch/);
    } finally {
      h.state.roleAssignments.splice(h.state.roleAssignments.indexOf(grant), 1);
    }
  }, 60_000);

  it("a role that writes but cannot delete: the write check passes as a warning naming the marker to delete", async () => {
    const grant = contributorExcept("delete");
    h.state.roleAssignments.push(grant);
    try {
      // Its own container: the marker it cannot delete stays there, away from the other tests' "media".
      const findings = await layer()(target({ blob: [{ account: "stmedia", container: "scratch", access: "write" }], keyVault: [] }));
      expect(findings.map((f) => [f.id, f.severity])).toEqual([["AG302", "warning"]]);
      expect(findings[0]!.evidence).toMatch(/but could not delete it: HTTP 403 AuthorizationPermissionMismatch/);
      expect(findings[0]!.fix).toMatch(
        /^Delete the marker: `az storage blob delete --account-name stmedia --container-name scratch --name \.azure-auth-gate\/probe-aag-probe-backend-[a-z0-9]+ --auth-mode login`/,
      );
    } finally {
      h.state.roleAssignments.splice(h.state.roleAssignments.indexOf(grant), 1);
    }
  }, 60_000);
});

describe("AG304: a probe that did not run is never a pass", () => {
  it("image pull failure: reported without waiting for the timeout, with kubelet's message, Job deleted", async () => {
    // A 10-minute timeout: the pull failure must end the wait, not the clock (this test's own timeout would fire first).
    const findings = await layer({ image: "ghcr.io/acme/typo:9.9", timeoutSeconds: 600 })(target());
    expect(findings.map((f) => f.id)).toEqual(["AG304"]);
    expect(findings[0]!.evidence).not.toMatch(/no result after/);
    expect(findings[0]!.evidence).toContain('Failed to pull image "ghcr.io/acme/typo:9.9"');
    expect(findings[0]!.fix).toContain("probe.image");
    expect(findings[0]!.severity).toBe("error");
    expect(await jobsLeft()).toEqual([]);
  });

  it("timeout: the Job is deleted and the pod's state is in the evidence", async () => {
    const findings = await layer({ image: SLEEPER_IMAGE, timeoutSeconds: 2 })(target());
    expect(findings.map((f) => f.id)).toEqual(["AG304"]);
    expect(findings[0]!.evidence).toMatch(/no result after 2 s: pod aag-probe-backend-\w+-\w+ is Running/);
    expect(findings[0]!.fix).toContain("probe.timeoutSeconds");
    expect(await jobsLeft()).toEqual([]);
  });

  it("cancellation (AbortSignal): stops waiting, deletes the Job", async () => {
    const controller = new AbortController();
    // A 10-minute timeout: the abort must end the wait, not the clock (this test's own timeout would fire first).
    const running = layer({ image: SLEEPER_IMAGE, timeoutSeconds: 600, signal: controller.signal })(target());
    setTimeout(() => controller.abort(), 1000);
    const findings = await running;
    expect(findings.map((f) => f.id)).toEqual(["AG304"]);
    expect(findings[0]!.evidence).toContain("cancelled");
    expect(findings[0]!.evidence).not.toMatch(/no result after/);
    expect(await jobsLeft()).toEqual([]);
  });

  it("no parseable result line: AG304 says how much the pod printed, never what", async () => {
    const findings = await layer({ image: CHATTY_IMAGE })(target());
    expect(findings.map((f) => f.id)).toEqual(["AG304"]);
    expect(findings[0]!.evidence).toContain("printed a result line that is not valid JSON");
    expect(findings[0]!.evidence).toContain("(exit code 1)");
    expect(findings[0]!.evidence).toContain("2 lines of output, not shown");
    expect(findings[0]!.evidence).not.toContain("starting gunicorn");
  });

  it("a hostile image: only parsed, capped fields of its result line reach findings, its token masked", async () => {
    const findings = await layer({ image: HOSTILE_IMAGE })(target());
    expect(
      findings.map((f) => f.id),
      findings[0]?.evidence,
    ).toEqual(["AG301"]);
    const text = JSON.stringify(findings);
    expect(text).not.toMatch(/eyJ[\w-]{8,}\.[\w-]{8,}/);
    expect(text).toContain("[token]");
    // JSON.stringify writes an escape character as \u001b: neither it nor BEL survives podText.
    expect(text).not.toMatch(/\\u001b|\\u0007/);
    expect(text).not.toContain("attacker.example\u0007");
    expect(text).not.toContain("projected token");
    expect(findings[0]!.evidence.length).toBeLessThan(2_000);
  });

  it("a ServiceAccount that does not exist: the Job controller's FailedCreate", async () => {
    const findings = await layer()(target({ serviceAccount: "ghost" }));
    expect(findings.map((f) => f.id)).toEqual(["AG304"]);
    expect(findings[0]!.evidence).toContain('serviceaccount "ghost" not found');
    expect(findings[0]!.fix).toContain("kubectl get serviceaccount ghost -n production");
    expect(await jobsLeft()).toEqual([]);
  });

  it("a namespace that does not exist: creating the Job is refused", async () => {
    const findings = await layer()(target({ namespace: "staging" }));
    expect(findings.map((f) => f.id)).toEqual(["AG304"]);
    expect(findings[0]!.evidence).toContain("creating Job staging/aag-probe-backend-");
    expect(findings[0]!.evidence).toContain("HTTP 404");
  });

  it("the workload's image is unknown and none is configured: AG304 with the fix, no Job created", async () => {
    const { image: _image, ...noImage } = target();
    const findings = await layer()(noImage);
    expect(findings.map((f) => f.id)).toEqual(["AG304"]);
    expect(findings[0]!.evidence).toContain("the image of Deployment production/backend is unknown");
    expect(findings[0]!.fix).toContain("Set `probe.image` in azure-auth-gate.yml");
  });

  it("an image that skips a need is not a pass", async () => {
    const findings = await layer({ image: SKIPPER_IMAGE })(target());
    expect(findings.map((f) => f.id)).toEqual(["AG304"]);
    expect(findings[0]!.evidence).toContain("does not report on container stmedia/media, secret kv-app/django-secret-key");
  });
});

describe.skipIf(pythonSdkMissing() !== undefined)(
  "the live probe (Python image, Debian's azure-identity / azure-storage-blob / azure-keyvault-secrets)",
  () => {
    it("passes the correct workload and reports AG301 / AG302 / AG303 like the Node probe", async () => {
      const probe = layer({ image: PYTHON_IMAGE });
      expect(await probe(target())).toEqual([]);

      const fic = h.state.identities[0]!.federatedCredentials[0]!;
      const original = fic.subject;
      fic.subject = "system:serviceaccount:prod:backend";
      const token = await probe(target()).finally(() => (fic.subject = original));
      expect(token.map((f) => f.id)).toEqual(["AG301"]);
      expect(token[0]!.evidence).toContain("AADSTS70021");
      expect(token[0]!.evidence).toContain("subject 'system:serviceaccount:production:backend'");

      const saved = [...h.state.roleAssignments];
      h.state.roleAssignments.length = 0;
      const refused = await probe(target()).finally(() => h.state.roleAssignments.push(...saved));
      expect(refused.map((f) => f.id).sort()).toEqual(["AG302", "AG303"]);
      expect(refused.find((f) => f.id === "AG302")!.evidence).toContain("HTTP 403 AuthorizationPermissionMismatch");
      expect(refused.find((f) => f.id === "AG303")!.evidence).toMatch(/HTTP 403 Forbidden \(ForbiddenByRbac\)/);
      expectNoSecret(refused);
    }, 60_000);
  },
);

describe("the probe programs' own output", () => {
  it.for([
    ["node", NODE_IMAGE],
    ["python", PYTHON_IMAGE],
  ] as const)(
    "%s: the pod log is the one result line, with the secret's properties and never its value",
    { timeout: 60_000 },
    async ([runtime, image], { skip }) => {
      needsRuntime(runtime, skip);
      const t = target({ image });
      const name = probeJobName(`raw-${runtime}`);
      await h.batch.createNamespacedJob({
        namespace: "production",
        body: buildProbeJob({
          name,
          target: t,
          image,
          command: builtInCommand(runtime),
          plan: buildPlan(t, h.profile),
          timeoutSeconds: 30,
        }),
      });
      try {
        let log: string | undefined;
        for (let i = 0; i < 200 && log === undefined; i++) {
          const pod = (await h.core.listNamespacedPod({ namespace: "production", labelSelector: `job-name=${name}` })).items[0];
          if (pod?.status?.containerStatuses?.[0]?.state?.terminated)
            log = await h.core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: "production" });
          else await new Promise((r) => setTimeout(r, 100));
        }
        expect(log).toBeDefined();
        expect(log).not.toContain(SECRET_VALUE);
        expect(log!.trim().split("\n")).toHaveLength(1);
        const result = JSON.parse(log!);
        expect(result).toMatchObject({
          azureAuthGateProbe: 1,
          runtime,
          token: { ok: true },
          blob: [{ account: "stmedia", container: "media", ok: true, listed: 1, read: true }],
          keyVault: [{ vault: "kv-app", secret: "django-secret-key", ok: true, enabled: true }],
        });
        expect(result.identity).toMatchObject({
          clientId: CLIENT_ID,
          missing: [],
          assertion: { sub: "system:serviceaccount:production:backend" },
        });
      } finally {
        await h.batch.deleteNamespacedJob({ name, namespace: "production", propagationPolicy: "Background" });
      }
    },
  );
});
