/**
 * The shipped broken scenarios do what their descriptions say: the Deployment's pod, run with the
 * REAL @azure/identity / Key Vault / Blob SDKs (node probe image), fails exactly where Azure would.
 */
import { describe, expect, it } from "vitest";
import { startSandbox } from "../sandbox/index.js";
import { runDeploymentAsJob } from "./jobs.js";

interface Case {
  scenario: string;
  namespace?: string;
  azurite?: boolean;
  expect: Record<string, unknown>;
}

const CASES: Case[] = [
  { scenario: "issuer-trailing-slash", azurite: false, expect: { token: { ok: false, message: expect.stringContaining("AADSTS700211") } } },
  {
    scenario: "subject-namespace-mismatch",
    namespace: "production",
    azurite: false,
    expect: { token: { ok: false, message: expect.stringContaining("AADSTS700213") } },
  },
  {
    scenario: "missing-keyvault-role",
    expect: {
      token: { ok: true },
      secrets: { "django-secret-key": { ok: false, status: 403, code: "Forbidden" } },
      blob: { ok: true, count: 1 },
    },
  },
  {
    scenario: "access-policy-vault",
    expect: {
      token: { ok: true },
      secrets: { "django-secret-key": { ok: false, status: 403, code: "Forbidden" } },
      blob: { ok: true, count: 1 },
    },
  },
  {
    scenario: "firewall-closed-storage",
    expect: {
      token: { ok: true },
      secrets: { "django-secret-key": { ok: true, length: 36 } },
      blob: { ok: false, status: 403, code: "AuthorizationFailure" },
    },
  },
  {
    scenario: "aad-pod-identity-leftovers",
    azurite: false,
    expect: { token: { ok: false, message: expect.stringMatching(/ManagedIdentityCredential.*Identity not found/s) } },
  },
];

describe("shipped scenarios fail where they say they fail", () => {
  it.each(CASES)(
    "$scenario",
    async (c) => {
      const sb = await startSandbox(c.scenario, { azurite: c.azurite ?? true });
      try {
        const run = await runDeploymentAsJob(sb, {
          cluster: "aks-prod",
          namespace: c.namespace ?? "app",
          deployment: "backend",
          job: "probe",
          image: "sandbox/node-probe:1",
        });
        expect(run.out).toMatchObject(c.expect);
        expect(run.succeeded).toBe(false);
        expect(sb.log.refusedEgress).toEqual([]);
      } finally {
        await sb.stop();
      }
    },
    90_000,
  );
});
