/**
 * The Function's log seam masks what a library writes, not only what the product writes itself. A real
 * rotation runs against the sandbox with the Azure SDK at AZURE_LOG_LEVEL verbose (its request, response
 * and retry lines flow into each invocation's context), and while the new secret is held an Azure SDK
 * logger quotes it — the way MSAL's PII logging or an SDK error message can. Every line the
 * InvocationContext receives, at every level, is captured and scanned for the secret in each encoding the
 * mask knows; the marker proves the quoting lines arrived, masked.
 */
import { createClientLogger, getLogLevel, setLogLevel, type AzureLogLevel } from "@azure/logger";
import { InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHandlers } from "../../functions/sweep-handlers.js";
import { createRuntime } from "../../functions/sweep-runtime.js";
import type { PartResult } from "../../shared/sweep/pipeline.js";
import { paths } from "../../shared/sweep/queue-messages.js";
import { findSecrets } from "../reliability/secret-scan.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { scenario, STATE_ACCOUNT, VAULT, writeConfig } from "./function-world.js";

const APP = "masked-logs-app";
/** An SDK's own logger, as @azure/identity or @azure/msal-node-backed code would write through @azure/logger. */
const sdkLogger = createClientLogger("identity");

let sb: Sandbox;
let levelBefore: AzureLogLevel | undefined;
beforeAll(async () => {
  levelBefore = getLogLevel();
  setLogLevel("verbose");
  sb = await startSandbox(scenario([APP]));
});
afterAll(async () => {
  if (levelBefore) setLogLevel(levelBefore);
  else setLogLevel("warning");
  await sb?.stop();
});

function newManagedSecret(): string | undefined {
  return sb.app(APP).passwordCredentials.find((p) => p.displayName.startsWith("azure-auth-gate managed"))?.secretText;
}

describe("the Function's invocation log, with a library that quotes the secret", () => {
  it("every line the InvocationContext receives is free of the new secret, and the quoting lines arrive masked", async () => {
    const configFile = writeConfig(sb, {
      scopes: [{ name: APP, subscriptions: [sb.state.subscriptions[0]!.subscriptionId], applications: { appIds: [sb.app(APP).appId] } }],
      rotation: {
        optIn: { allMapped: true },
        keyVault: [{ appId: sb.app(APP).appId, vault: VAULT, secret: `${APP}-client-secret` }],
        verifyAttempts: 3,
        verifyDelaySeconds: 0,
        overlapHours: 24,
      },
    });
    let quoted = 0;
    const rt = createRuntime({
      env: { AAG_SWEEP_CONFIG: configFile, AAG_STORAGE_ACCOUNT: STATE_ACCOUNT },
      credential: sb.credentials.app("aag-function"),
      now: () => new Date(sb.clock.now()),
      sleep: () => new Promise((r) => setTimeout(r, 5)),
      retry: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
      pollIntervalMs: 20,
      // Runs inside the invocation, between the protocol's steps: after `add`, the new secret exists.
      beforeStep: (step) => {
        const secret = newManagedSecret();
        if (!secret || (step !== "store" && step !== "verify")) return;
        quoted++;
        sdkLogger.info(`token request: grant_type=client_credentials&client_secret=${encodeURIComponent(secret)}`);
        sdkLogger.warning(`credential '${secret}' was refused once; retrying (base64 ${Buffer.from(secret).toString("base64")})`);
      },
    });
    const lines: { level: string; text: string }[] = [];
    const context = new InvocationContext({
      functionName: "rotateSecrets",
      invocationId: "rotate-masking",
      logHandler: (level, ...args) =>
        lines.push({ level, text: args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(" ") }),
      triggerMetadata: { dequeueCount: 1 },
    });

    const runId = "20260101T000000Z-000900";
    await makeHandlers(() => rt).rotateSecrets({ kind: "secrets", runId, scope: APP, part: "secrets", rotate: true }, context);
    const part = (await rt.store.getJson<PartResult>(paths.part(runId, "secrets")))!;
    expect(part.rotations?.[0]?.state, JSON.stringify(part.findings.map((f) => [f.id, f.evidence]))).toBe("rotated");

    const secret = newManagedSecret()!;
    expect(
      sb.state.keyVaults
        .find((v) => v.name === VAULT)!
        .secrets.find((s) => s.name === `${APP}-client-secret`)!
        .versions.at(-1)!.value,
    ).toBe(secret);
    expect(quoted).toBe(2); // before `store` and before `verify`
    // The SDK's own verbose lines came through the seam (requests to Graph, Key Vault and Entra).
    expect(lines.filter((l) => /azure:[a-z-]+:(verbose|info)/.test(l.text)).length).toBeGreaterThan(5);
    expect(findSecrets({ context: lines.map((l) => `${l.level}: ${l.text}`).join("\n") }, [secret])).toEqual([]);
    expect(lines.filter((l) => l.text.includes("[secret redacted]")).length).toBeGreaterThanOrEqual(4);
  }, 60_000);
});
