/**
 * The Azure-side fixes (AG203–AG208) as az, Bicep and Terraform, proven against the sandbox: break
 * the correct scenario, run the gate, apply each finding's fix the way its `az` command does (the
 * same ARM PUT, sent with the Azure SDK as an operator with Owner — the role GUID is taken from the
 * Bicep rendering, so a wrong GUID would grant nothing), and the next `runGate` no longer reports it.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { parseResourceId } from "../../../shared/azure/arm-id.js";
import { AzureClients } from "../../../shared/azure/clients.js";
import { fixVariantsOf, withFixFormat, type FixVariants } from "../../../shared/azure/rules/fix-commands.js";
import { loadCloudProfile } from "../../../shared/cloud/profile.js";
import type { Finding } from "../../../shared/findings/model.js";
import { renderReport } from "../../../shared/report/index.js";
import { ids, runGateOn, sandboxFor } from "../../gate/sandbox-harness.js";
import { correctScenario, NAMESPACE, rg, type Scenario } from "../../gate/sandbox-scenario.js";
import type { Sandbox } from "../../sandbox/index.js";

const TARGET = `targets:
  - workload: ${NAMESPACE}/Deployment/backend
    blob: [{ account: contosomedia, container: media }]
    keyVault: [{ vault: contoso-app-kv, secrets: [django-secret-key] }]
`;

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

/** The correct scenario plus an operator app that may change it (Owner), as the user running the fix. */
function scenario(breakIt: (s: Scenario) => void): Scenario {
  const s = correctScenario();
  s.applications = [...(s.applications ?? []), { name: "operator" }];
  s.roleAssignments = [...(s.roleAssignments ?? []), { principal: "app:operator", role: "Owner", scope: "subscription:prod" }];
  breakIt(s);
  return s;
}

const withoutRole = (s: Scenario, role: string) => {
  s.roleAssignments = s.roleAssignments!.filter((a) => !(a.principal === "identity:backend-id" && a.role === role));
};

/** Does what the finding's az command does, through ARM, as the operator. */
async function applyFix(box: Sandbox, v: FixVariants): Promise<void> {
  const clients = new AzureClients(loadCloudProfile(box.profileFile), box.credentials.app("operator"));
  const plan = v.plan;
  if (plan.kind === "fic") {
    expect(v.az).toMatch(/^az identity federated-credential (create|update) /);
    const { identity, fic } = plan;
    await clients
      .managedIdentity(identity.subscriptionId!)
      .federatedIdentityCredentials.createOrUpdate(identity.resourceGroup!, identity.name, fic.name, {
        issuer: fic.issuer,
        subject: fic.subject,
        audiences: [fic.audience],
      });
  } else if (plan.kind === "roleAssignment") {
    expect(v.az).toBe(
      `az role assignment create --assignee-object-id ${plan.principalId} --assignee-principal-type ServicePrincipal --role '${plan.role}' --scope ${plan.scope}`,
    );
    const roleGuid = /roleDefinitions', '([0-9a-f-]{36})'/.exec(v.bicep)?.[1];
    expect(roleGuid).toBeDefined();
    const sub = parseResourceId(plan.scope)!.subscriptionId;
    await clients.authorization(sub).roleAssignments.create(plan.scope, randomUUID(), {
      roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
      principalId: plan.principalId,
      principalType: "ServicePrincipal",
    });
  } else {
    expect(v.az).toMatch(/^az keyvault set-policy --name /);
    const id = parseResourceId(plan.vault.id)!;
    await clients.keyVaultManagement(id.subscriptionId).vaults.updateAccessPolicy(id.resourceGroup, id.name, "add", {
      properties: {
        accessPolicies: [
          {
            tenantId: plan.tenantId ?? box.state.tenantId,
            objectId: plan.principalId,
            permissions: { secrets: plan.permissions as never },
          },
        ],
      },
    });
  }
}

function variants(findings: readonly Finding[], id: string): FixVariants {
  const f = findings.find((x) => x.id === id);
  expect(f, `${id} in ${findings.map((x) => x.id).join(",")}`).toBeDefined();
  const v = fixVariantsOf(f!);
  expect(v, `${id} carries IaC variants`).toBeDefined();
  expect(f!.fix).toBe(v!.az);
  return v!;
}

describe("Azure fixes as code, applied to the sandbox", () => {
  it("AG203 (no federated credential), AG207 (no Blob role), AG208 (no Key Vault role): Bicep/Terraform with real names; applied, the next run is clean", async () => {
    sb = await sandboxFor(
      scenario((s) => {
        rg(s).identities![0]!.federatedCredentials = [];
        withoutRole(s, "Storage Blob Data Reader");
        withoutRole(s, "Key Vault Secrets User");
      }),
      { azurite: false },
    );
    const { report } = await runGateOn(sb, { config: TARGET });
    expect(ids(report)).toEqual(["AG203", "AG207", "AG208"]);
    const identity = sb.identity("backend-id");
    const issuer = sb.state.clusters[0]!.issuerUrl!;

    const fic = variants(report.findings, "AG203");
    expect(fic.bicep).toContain(
      "resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {\n  name: 'backend-id'\n}",
    );
    expect(fic.bicep).toContain(
      `    issuer: '${issuer}'\n    subject: 'system:serviceaccount:production:backend'\n    audiences: [ 'api://AzureADTokenExchange' ]`,
    );
    expect(fic.bicep).toContain("// Deploy: az deployment group create --resource-group app-rg");
    expect(fic.terraform).toContain(
      `resource "azurerm_federated_identity_credential" "production_backend" {\n  name                      = "production-backend"\n  user_assigned_identity_id = "${identity.id}"`,
    );

    const blob = variants(report.findings, "AG207");
    expect(blob.bicep).toMatch(
      /resource storageAccount 'Microsoft.Storage\/storageAccounts@2023-05-01' existing = \{\n {2}name: 'contosomedia'\n\}/,
    );
    expect(blob.bicep).toContain("  scope: container\n");
    expect(blob.terraform).toContain(
      `  scope                = "${(blob.plan as { scope: string }).scope}"\n  role_definition_name = "Storage Blob Data Reader"\n  principal_id         = "${identity.principalId}"`,
    );
    const secret = variants(report.findings, "AG208");
    expect(secret.bicep).toContain("  scope: secret\n");
    expect(secret.terraform).toContain('role_definition_name = "Key Vault Secrets User"');

    // --fix-format: the finding's fix carries the chosen format, and the report renders it.
    const tf = withFixFormat(report.findings, "terraform");
    expect(tf.find((f) => f.id === "AG207")?.fix).toBe(blob.terraform);
    expect(
      JSON.parse(renderReport({ ...report, findings: withFixFormat(report.findings, "bicep") }, "json")).findings.find(
        (f: Finding) => f.id === "AG203",
      ).fix,
    ).toBe(fic.bicep);

    for (const v of [fic, blob, secret]) await applyFix(sb, v);
    const again = await runGateOn(sb, { config: TARGET });
    // Only the info that the two new role assignments are minutes old (RBAC propagation) remains.
    expect(ids(again.report)).toEqual(["AG212"]);
    expect(again.report.verdict).toBe("pass");
  });

  it("AG205 (issuer without the trailing slash) and AG208 on an access-policy vault: the update and the policy, applied, clear both", async () => {
    sb = await sandboxFor(
      scenario((s) => {
        rg(s).identities![0]!.federatedCredentials![0]!.issuer = "cluster:aks-prod:no-trailing-slash";
        const vault = rg(s).keyVaults![0]!;
        Object.assign(vault, { rbac: false, accessPolicies: [{ principal: "identity:backend-id", secrets: ["list"] }] });
        s.roleAssignments!.push({ principal: "app:azure-auth-gate", role: "Key Vault Reader", scope: "vault:contoso-app-kv" });
      }),
      { azurite: false },
    );
    const { report } = await runGateOn(sb, { config: TARGET });
    expect(ids(report)).toContain("AG205");
    expect(ids(report)).toContain("AG208");
    const update = variants(report.findings, "AG205");
    expect(update.az).toMatch(/^az identity federated-credential update --name aks-backend /);
    // Terraform changes a credential it does not manage yet: import it first.
    expect(update.terraform).toContain(
      `import {\n  to = azurerm_federated_identity_credential.aks_backend\n  id = "${sb.identity("backend-id").id}/federatedIdentityCredentials/aks-backend"\n}`,
    );
    const policy = variants(report.findings, "AG208");
    expect(policy.plan.kind).toBe("accessPolicy");
    expect(policy.bicep).toContain("  name: 'add'");
    expect(policy.bicep).toContain("permissions: { secrets: [ 'list', 'get' ] }");
    expect(policy.terraform).toContain('secret_permissions = ["List", "Get"]');
    expect(policy.terraform).toContain(`import {\n  to = azurerm_key_vault_access_policy.`);

    await applyFix(sb, update);
    await applyFix(sb, policy);
    const again = await runGateOn(sb, { config: TARGET });
    expect(ids(again.report)).not.toContain("AG205");
    expect(ids(again.report)).not.toContain("AG208");
  });
});
