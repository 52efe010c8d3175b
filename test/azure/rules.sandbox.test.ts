/**
 * Each AG2xx / AG3xx rule fires against a sandbox scenario that is the correct one with exactly one
 * thing broken, through the whole gate (static layer, control plane as the gate's own app
 * registration, and — for AG3xx — the live probe as the pod). The correct scenario itself passes every
 * layer (test/gate/execute-plan.sandbox.test.ts), so each finding here is caused by its one change.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ruleFor, type RuleId } from "../../shared/findings/catalogue.js";
import type { Sandbox } from "../sandbox/index.js";
import { pythonSdkMissing } from "../sandbox/python-sdk.js";
import { ids, runGateOn, sandboxFor } from "../gate/sandbox-harness.js";
import { APP_IMAGE, clusterObjects, correctScenario, NAMESPACE, rg, SECRET_VALUE, type Scenario } from "../gate/sandbox-scenario.js";

const NEEDS = `    blob: [{ account: contosomedia, container: media }]
    keyVault: [{ vault: contoso-app-kv, secrets: [django-secret-key] }]
`;
const target = (needs = NEEDS) => `targets:\n  - workload: ${NAMESPACE}/Deployment/backend\n${needs}`;

interface Case {
  id: RuleId;
  why: string;
  breakIt(s: Scenario): void;
  config?: string;
  probe?: { image?: string };
  /** Evidence of the expected finding contains this. */
  evidence: string | RegExp;
}

const fic = (s: Scenario) => rg(s).identities![0]!.federatedCredentials![0]!;
const removeRole = (role: string) => (s: Scenario) => {
  s.roleAssignments = s.roleAssignments!.filter((a) => !(a.principal === "identity:backend-id" && a.role === role));
};
const roleOf = (s: Scenario, role: string) => s.roleAssignments!.find((a) => a.principal === "identity:backend-id" && a.role === role)!;

const CASES: Case[] = [
  {
    id: "AG201",
    why: "the ServiceAccount names a client id no identity has",
    breakIt: (s) => {
      const sa = clusterObjects(s).find((o) => o.kind === "ServiceAccount") as { metadata: { annotations: Record<string, string> } };
      sa.metadata.annotations["azure.workload.identity/client-id"] = "0badc0de-0000-4000-8000-000000000001";
    },
    evidence: "0badc0de-0000-4000-8000-000000000001",
  },
  {
    id: "AG202",
    why: "the cluster has no OIDC issuer and no Workload Identity",
    breakIt: (s) => {
      Object.assign(rg(s).clusters![0]!, { oidcIssuer: false, workloadIdentity: false });
      fic(s).issuer = "https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/";
    },
    evidence: /OIDC issuer|Workload Identity/i,
  },
  {
    id: "AG203",
    why: "the identity has no federated credential",
    breakIt: (s) => (rg(s).identities![0]!.federatedCredentials = []),
    evidence: /federated/i,
  },
  {
    id: "AG204",
    why: "the federated credential's subject names namespace prod",
    breakIt: (s) => (fic(s).subject = "system:serviceaccount:prod:backend"),
    evidence: "system:serviceaccount:prod:backend",
  },
  {
    id: "AG205",
    why: "the federated credential's issuer lacks the trailing slash",
    breakIt: (s) => (fic(s).issuer = "cluster:aks-prod:no-trailing-slash"),
    evidence: /issuer/i,
  },
  {
    id: "AG206",
    why: "the federated credential's audience is wrong",
    breakIt: (s) => (fic(s).audiences = ["api://AzureADTokenExchange/"]),
    evidence: "api://AzureADTokenExchange/",
  },
  { id: "AG207", why: "no Blob data role", breakIt: removeRole("Storage Blob Data Reader"), evidence: /blobs\/read/ },
  { id: "AG208", why: "no Key Vault secrets role", breakIt: removeRole("Key Vault Secrets User"), evidence: /getSecret/ },
  {
    id: "AG209",
    why: "the identity is Owner of the resource group",
    breakIt: (s) => s.roleAssignments!.push({ principal: "identity:backend-id", role: "Owner", scope: "rg:prod/app-rg" }),
    evidence: /Owner/,
  },
  {
    id: "AG210",
    why: "a deny assignment removes blob reads",
    breakIt: (s) => {
      s.denyAssignments = [
        {
          name: "no-blob-reads",
          scope: "storage:contosomedia",
          principals: ["identity:backend-id"],
          dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
        },
      ];
    },
    evidence: /no-blob-reads|deny/i,
  },
  {
    id: "AG211",
    why: "the storage firewall denies by default with no rule for the cluster",
    breakIt: (s) => Object.assign(rg(s).storageAccounts![0]!, { defaultAction: "Deny" }),
    evidence: /contosomedia/,
  },
  {
    id: "AG212",
    why: "the Blob role was assigned five minutes ago",
    breakIt: (s) => (roleOf(s, "Storage Blob Data Reader").createdOn = "-5m"),
    evidence: /Storage Blob Data Reader|minutes/,
  },
  {
    id: "AG213",
    why: "the secret is disabled",
    breakIt: (s) => (rg(s).keyVaults![0]!.secrets![0]!.enabled = false),
    evidence: /django-secret-key/,
  },
  {
    id: "AG214",
    why: "the container the app needs does not exist",
    breakIt: () => undefined,
    config: target("    blob: [{ account: contosomedia, container: uploads }]\n"),
    evidence: /uploads/,
  },
  {
    id: "AG215",
    why: "the Blob role carries an ABAC condition",
    breakIt: (s) =>
      (roleOf(s, "Storage Blob Data Reader").condition =
        "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'media'"),
    evidence: /condition/i,
  },
  {
    id: "AG301",
    why: "the pod's token exchange is refused (subject names prod)",
    breakIt: (s) => (fic(s).subject = "system:serviceaccount:prod:backend"),
    probe: {},
    evidence: /^AADSTS700213: /,
  },
  {
    id: "AG302",
    why: "the pod is refused by Blob (no data role)",
    breakIt: removeRole("Storage Blob Data Reader"),
    probe: {},
    evidence: "HTTP 403 AuthorizationPermissionMismatch",
  },
  {
    id: "AG303",
    why: "the pod is refused by Key Vault (no secrets role)",
    breakIt: removeRole("Key Vault Secrets User"),
    probe: {},
    evidence: /HTTP 403 Forbidden \(ForbiddenByRbac\)/,
  },
  {
    id: "AG304",
    why: "the probe image cannot be pulled",
    breakIt: () => undefined,
    probe: { image: "ghcr.io/contoso/django-app:1.4-typo" },
    evidence: 'Failed to pull image "ghcr.io/contoso/django-app:1.4-typo"',
  },
];

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

describe("each rule fires on its scenario", () => {
  it.for(CASES)("$id when $why", { timeout: 90_000 }, async (c, { skip }) => {
    // The probe of the app's own image runs Debian's python3 with the Azure SDK.
    const python = c.probe && c.probe.image === undefined ? pythonSdkMissing() : undefined;
    if (python) skip(python);
    const scenario = correctScenario();
    c.breakIt(scenario);
    sb = await sandboxFor(scenario, { azurite: c.probe !== undefined });
    const probeConfig = c.probe ? `probe: { image: "${c.probe.image ?? APP_IMAGE}", timeoutSeconds: 60 }\n` : "";
    const { report } = await runGateOn(sb, { config: (c.config ?? target()) + probeConfig, probe: c.probe !== undefined });
    expect(ids(report)).toContain(c.id);
    // The broken thing decides the verdict at the rule's catalogue severity (AG212 is only info).
    expect(report.verdict).toBe({ error: "fail", warning: "warn", info: "pass" }[ruleFor(c.id).severity]);
    const finding = report.findings.find((f) => f.id === c.id)!;
    if (typeof c.evidence === "string") expect(finding.evidence).toContain(c.evidence);
    else expect(finding.evidence).toMatch(c.evidence);
    expect(finding.fix.length).toBeGreaterThan(10);
    expect(JSON.stringify(report)).not.toContain(SECRET_VALUE);
  });
});
