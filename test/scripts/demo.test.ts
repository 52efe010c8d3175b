/**
 * `npm run demo` (run by CI): the seed-000 outage on the local sandbox fails, the gate blocks it, the fix
 * is applied, the gate passes on every layer and the app starts — and the demo exits non-zero as soon as
 * a step does not behave as expected (a skipped fix is caught by the second gate run), always stopping
 * the sandbox and never printing a secret.
 */
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { demo, DemoSession, runDemo, sandboxSteps, type DemoStep } from "../../scripts/demo.js";
import { fixManifests } from "../../scripts/demo/fix.js";
import { say } from "../../scripts/demo/runner.js";
import type { Finding } from "../../shared/findings/model.js";

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.AAG_DEMO_APP_SDK;
});

function quiet(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  return lines;
}

/** The sandbox is gone: its work files removed and its ARM endpoint closed. */
async function expectStopped(session: DemoSession): Promise<void> {
  const world = session.world!;
  expect(existsSync(world.dir)).toBe(false);
  expect(existsSync(world.sb.workDir)).toBe(false);
  await expect(fetch(`${world.sb.urls.arm}/subscriptions`)).rejects.toThrow();
}

function expectNoSecrets(text: string, session: DemoSession): void {
  expect(session.secrets.length).toBeGreaterThanOrEqual(2);
  for (const secret of session.secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(secret).toString("base64"));
  }
}

describe("npm run demo", () => {
  it("shows the outage, the gate blocking it, the fix, the gate passing on every layer and the app working", async () => {
    const out = quiet();
    const session = new DemoSession();
    const code = await demo(session);
    vi.restoreAllMocks();
    const text = out.join("");
    expect(code, text).toBe(0);
    // The outage in the real SDK's words (Python when installed, else the JS SDK's wording of the same failure).
    expect(text).toMatch(
      /ClientAuthenticationError: DefaultAzureCredential failed to retrieve a token from the included credentials|AggregateAuthenticationError: ChainedTokenCredential authentication failed/,
    );
    expect(text).toContain("$ azure-auth-gate check k8s/backend.yaml --config azure-auth-gate.yml --probe --allow-custom-cloud");
    expect(text).toMatch(/FAIL {2}\d+ errors/);
    expect(text).toMatch(/error {3}AG104 .*k8s\/backend\.yaml:\d+/);
    expect(text).toMatch(/error {3}AG102 /);
    expect(text).toMatch(/exit code 1 · static ✘ \d+ errors · control plane ✔ · probe ✔ · \d+ Azure calls/);
    expect(text).toContain('+         azure.workload.identity/use: "true"');
    expect(text).toContain("-             - name: AZURE_TENANT_ID");
    expect(text).toContain("deployment.apps/backend configured");
    expect(text).toContain("PASS  0 errors");
    expect(text).toMatch(/exit code 0 · static ✔ · control plane ✔ · probe ✔ · [1-9]\d* Azure calls/);
    expect(text).toContain("Key Vault secret django-secret-key: read (36 characters; value not shown)");
    expect(text).toContain("Blob container: listed (1 blob)");
    expect(text).toMatch(/Demo OK: 6\/6 steps behaved as expected \(\d+ s\)\./);
    expectNoSecrets(text, session);
    // Nothing tried to leave 127.0.0.1, and the sandbox is gone.
    expect(session.world!.sb.log.refusedEgress).toEqual([]);
    await expectStopped(session);
  }, 120_000);

  it("catches a fix that was not made: the second gate run blocks, the demo exits 1 and still stops the sandbox", async () => {
    // The Node app image, as on a machine without python3-azure (proves that path too).
    process.env.AAG_DEMO_APP_SDK = "node";
    const out = quiet();
    const session = new DemoSession();
    const steps = sandboxSteps(session);
    const pretend: DemoStep = { title: "pretend the fixes were applied", run: async () => [] };
    const code = await runDemo([...steps.slice(0, 3), pretend, ...steps.slice(4)], {
      cleanup: () => session.stop(),
      secrets: () => session.secrets,
    });
    vi.restoreAllMocks();
    const text = out.join("");
    expect(code, text).toBe(1);
    expect(text).toContain("Note: AAG_DEMO_APP_SDK=node");
    expect(text).toContain("AggregateAuthenticationError: ChainedTokenCredential authentication failed");
    expect(text).toContain("✘ expected exit 0, got 1");
    expect(text).toContain("--- 6/6 The fixed app starts: token, Key Vault secret and Blob container: skipped");
    expect(text).toMatch(/Demo FAILED at step 5\/6 \(Run the gate again: pass on every layer\): expected exit 0, got 1\n/);
    expectNoSecrets(text, session);
    await expectStopped(session);
  }, 120_000);
});

describe("the demo's frame", () => {
  it("turns a crashing step into a one-line reason, skips the rest and still cleans up", async () => {
    const out = quiet();
    const cleanup = vi.fn(async () => undefined);
    const later = vi.fn(async () => []);
    const crash: DemoStep = { title: "a step that crashes", run: () => Promise.reject(new Error("boom\nstack line")) };
    const code = await runDemo([crash, { title: "a later step", run: later }], { cleanup });
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(cleanup).toHaveBeenCalledOnce();
    expect(later).not.toHaveBeenCalled();
    expect(out.join("")).toContain("Demo FAILED at step 1/2 (a step that crashes): step crashed: boom\n");
    expect(out.join("")).not.toContain("stack line");
  });

  it("fails a run whose output shows a secret value, even when every step passed", async () => {
    const out = quiet();
    const secret = "demo-secret-value-0123456789";
    const leaky: DemoStep = {
      title: "a step that prints a secret",
      run: async () => (say(`the value is ${Buffer.from(secret).toString("base64")}`), []),
    };
    const code = await runDemo([leaky], { secrets: () => [secret] });
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(out.join("")).toContain("Demo FAILED: a secret value appeared in the demo's output");
  });

  it("refuses to pretend: a finding the fix leaves in the manifests is a problem, not a skipped line", () => {
    // A literal client secret: the fix never deletes it silently (rotate it first), so it stays.
    const manifest = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: backend",
      "  namespace: app",
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      "        - name: django",
      "          image: sandbox/django-app:1",
      "          env:",
      "            - name: AZURE_CLIENT_SECRET",
      '              value: "abc~defghijklmnopqrstuvwxyz0123456789AB"',
      "",
    ].join("\n");
    const fix = fixManifests(manifest, "k8s/backend.yaml");
    expect(fix.changes).toEqual([]);
    expect(fix.text).toBe(manifest);
    expect(fix.problems).toContainEqual(
      expect.stringMatching(/^AG101 \(Credential as a literal in container env\) is left in k8s\/backend\.yaml: .*rotate it/),
    );
  });

  it("refuses to pretend: a gate finding outside the manifests (Azure side) is a problem too", () => {
    const finding: Finding = {
      id: "AG203",
      severity: "error",
      title: "No federated credential for the pod",
      target: {
        kind: "azure",
        name: "/subscriptions/x/resourceGroups/app-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/backend-id",
      },
      evidence: "no federated credential",
      fix: "az identity federated-credential create …",
    };
    const fix = fixManifests("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n", "k8s/backend.yaml", { targets: [] }, [finding]);
    expect(fix.changes).toEqual([]);
    expect(fix.problems).toEqual([
      expect.stringMatching(/^AG203 \(No federated credential for the pod\) has no fix in the manifests: apply its fix by hand/),
    ]);
  });
});
