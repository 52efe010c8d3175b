/**
 * The Azure-side fixes (federated credential, role assignment at the narrowest scope, Key Vault access
 * policy) as Bicep and Terraform with the user's real names — for teams whose Azure wiring lives in
 * IaC, where a one-off `az` command would be reverted by the next deployment. Same change, same
 * values as the `az` command (shared/azure/rules/fix-commands.ts builds all three from one plan).
 */
import type { AccessPolicyPlan, AzureFixPlan, FicPlan, RoleAssignmentPlan } from "../findings/fix-plan.js";
import { parseResourceId } from "./arm-id.js";
import { sh } from "../shell.js";

export type { AccessPolicyPlan, AzureFixPlan, FicPlan, RoleAssignmentPlan };

/** Built-in roles the fixes propose (reference.md); Bicep needs the GUID, Terraform takes the name. */
const ROLE_IDS: Readonly<Record<string, string>> = {
  "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
};

const API: Readonly<Record<string, string>> = {
  "microsoft.storage": "2023-05-01",
  "microsoft.keyvault": "2023-07-01",
  "microsoft.managedidentity": "2023-01-31",
};

const bq = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const tq = (s: string) => JSON.stringify(s);
/** A Terraform / Bicep identifier from a name. */
function ident(s: string): string {
  const out = s.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  return /^[A-Za-z_]/.test(out) ? out : `r_${out}`;
}

function deployHint(resourceGroup: string | undefined, subscriptionId: string | undefined, file: string): string {
  return resourceGroup
    ? `// Deploy: az deployment group create --resource-group ${sh(resourceGroup)}${subscriptionId ? ` --subscription ${sh(subscriptionId)}` : ""} --template-file ${sh(file)}`
    : `// Deploy: az deployment group create --resource-group '<resource group>' --template-file ${sh(file)}`;
}

// ---------------------------------------------------------------------------------------------
// Bicep
// ---------------------------------------------------------------------------------------------

/** `existing` declarations for an ARM resource id's chain (account → blobServices → container…), innermost last. */
function existingChain(id: string): { lines: string[]; symbol: string } | undefined {
  const parsed = parseResourceId(id);
  if (!parsed) return undefined;
  const tail = id
    .replace(/^.*?\/providers\//i, "")
    .split("/")
    .filter(Boolean);
  const namespace = tail[0] ?? "";
  const api = API[namespace.toLowerCase()] ?? "2023-01-01";
  const lines: string[] = [];
  let type = namespace;
  let parent: string | undefined;
  let symbol = "";
  for (let i = 1; i + 1 < tail.length; i += 2) {
    type += `/${tail[i]}`;
    symbol = ident((tail[i] ?? "r").replace(/s$/, ""));
    lines.push(
      `resource ${symbol} '${type}@${api}' existing = {`,
      ...(parent ? [`  parent: ${parent}`] : []),
      `  name: ${bq(tail[i + 1] ?? "")}`,
      "}",
      "",
    );
    parent = symbol;
  }
  return { lines, symbol };
}

function ficBicep(p: FicPlan): string {
  if (p.identity.kind === "application") {
    return [
      `// Federated credential on app registration '${p.identity.name}' (client id ${p.identity.clientId}), with the Microsoft Graph Bicep extension.`,
      `// Graph resources are found by uniqueName: set it on the app registration if it has none.`,
      "extension microsoftGraphV1",
      "",
      `param appUniqueName string // uniqueName of app registration '${p.identity.name}'`,
      "",
      "resource app 'Microsoft.Graph/applications@v1.0' existing = {",
      "  uniqueName: appUniqueName",
      "}",
      "",
      "resource fic 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0' = {",
      `  name: '\${app.uniqueName}/${p.fic.name}'`,
      `  issuer: ${bq(p.fic.issuer)}`,
      `  subject: ${bq(p.fic.subject)}`,
      `  audiences: [ ${bq(p.fic.audience)} ]`,
      "}",
    ].join("\n");
  }
  return [
    `// ${p.update ? "Corrects" : "Creates"} federated credential '${p.fic.name}' on managed identity '${p.identity.name}'.`,
    deployHint(p.identity.resourceGroup, p.identity.subscriptionId, "fic.bicep"),
    "resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {",
    `  name: ${bq(p.identity.name)}`,
    "}",
    "",
    "resource fic 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {",
    "  parent: identity",
    `  name: ${bq(p.fic.name)}`,
    "  properties: {",
    `    issuer: ${bq(p.fic.issuer)}`,
    `    subject: ${bq(p.fic.subject)}`,
    `    audiences: [ ${bq(p.fic.audience)} ]`,
    "  }",
    "}",
  ].join("\n");
}

function roleBicep(p: RoleAssignmentPlan): string {
  const chain = existingChain(p.scope);
  const parsed = parseResourceId(p.scope);
  const roleId = ROLE_IDS[p.role];
  const roleExpr = roleId
    ? `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${roleId}')`
    : `roleDefinitionId // '${p.role}'`;
  return [
    `// Grants '${p.role}' to principal ${p.principalId} at ${p.scope}.`,
    deployHint(parsed?.resourceGroup, parsed?.subscriptionId, "role.bicep"),
    ...(roleId ? [] : [`param roleDefinitionId string // resource id of role '${p.role}'`, ""]),
    ...(chain?.lines ?? []),
    "resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
    `  name: guid(${chain ? `${chain.symbol}.id` : bq(p.scope)}, '${p.principalId}', ${roleId ? `'${roleId}'` : "roleDefinitionId"})`,
    ...(chain ? [`  scope: ${chain.symbol}`] : []),
    "  properties: {",
    `    roleDefinitionId: ${roleExpr}`,
    `    principalId: '${p.principalId}'`,
    "    principalType: 'ServicePrincipal'",
    "  }",
    "}",
  ].join("\n");
}

function policyBicep(p: AccessPolicyPlan): string {
  const parsed = parseResourceId(p.vault.id);
  return [
    `// Adds secret permissions [${p.permissions.join(", ")}] for principal ${p.principalId} to vault '${p.vault.name}' (access-policy vault).`,
    deployHint(parsed?.resourceGroup, parsed?.subscriptionId, "access-policy.bicep"),
    "resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {",
    `  name: ${bq(p.vault.name)}`,
    "}",
    "",
    "resource policy 'Microsoft.KeyVault/vaults/accessPolicies@2023-07-01' = {",
    "  parent: vault",
    "  name: 'add'",
    "  properties: {",
    "    accessPolicies: [",
    "      {",
    `        tenantId: ${p.tenantId ? `'${p.tenantId}'` : "tenant().tenantId"}`,
    `        objectId: '${p.principalId}'`,
    `        permissions: { secrets: [ ${p.permissions.map(bq).join(", ")} ] }`,
    "      }",
    "    ]",
    "  }",
    "}",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Terraform
// ---------------------------------------------------------------------------------------------

function ficTerraform(p: FicPlan): string {
  const name = ident(p.fic.name);
  if (p.identity.kind === "application") {
    return [
      `# Federated credential on app registration '${p.identity.name}' (azuread provider: app registrations are not ARM resources).`,
      `data "azuread_application" "app" {`,
      `  client_id = ${tq(p.identity.clientId)}`,
      "}",
      "",
      ...(p.update
        ? [
            "import {",
            `  to = azuread_application_federated_identity_credential.${name}`,
            `  id = "\${data.azuread_application.app.id}/federatedIdentityCredential/<credential id of '${p.fic.name}'>"`,
            "}",
            "",
          ]
        : []),
      `resource "azuread_application_federated_identity_credential" ${tq(name)} {`,
      "  application_id = data.azuread_application.app.id",
      `  display_name   = ${tq(p.fic.name)}`,
      `  issuer         = ${tq(p.fic.issuer)}`,
      `  subject        = ${tq(p.fic.subject)}`,
      `  audiences      = [${tq(p.fic.audience)}]`,
      "}",
    ].join("\n");
  }
  return [
    `# ${p.update ? "Corrects" : "Creates"} federated credential '${p.fic.name}' on managed identity '${p.identity.name}'.`,
    ...(p.update
      ? [
          "import {",
          `  to = azurerm_federated_identity_credential.${name}`,
          `  id = ${tq(`${p.identity.id}/federatedIdentityCredentials/${p.fic.name}`)}`,
          "}",
          "",
        ]
      : []),
    `resource "azurerm_federated_identity_credential" ${tq(name)} {`,
    `  name                      = ${tq(p.fic.name)}`,
    `  user_assigned_identity_id = ${tq(p.identity.id)} # azurerm < 4.x: parent_id = (same id) and resource_group_name = ${tq(p.identity.resourceGroup ?? "")}`,
    `  issuer                    = ${tq(p.fic.issuer)}`,
    `  subject                   = ${tq(p.fic.subject)}`,
    `  audience                  = [${tq(p.fic.audience)}]`,
    "}",
  ].join("\n");
}

function roleTerraform(p: RoleAssignmentPlan): string {
  const last = p.scope.split("/").filter(Boolean).pop() ?? "scope";
  return [
    `# Grants '${p.role}' to principal ${p.principalId} at the narrowest scope.`,
    `resource "azurerm_role_assignment" ${tq(ident(`${last}_${p.role}`).toLowerCase())} {`,
    `  scope                = ${tq(p.scope)}`,
    `  role_definition_name = ${tq(p.role)}`,
    `  principal_id         = ${tq(p.principalId)}`,
    `  principal_type       = "ServicePrincipal"`,
    "}",
  ].join("\n");
}

function policyTerraform(p: AccessPolicyPlan): string {
  const name = ident(`${p.vault.name}_${p.principalId.slice(0, 8)}`).toLowerCase();
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return [
    `# Secret permissions [${p.permissions.join(", ")}] for principal ${p.principalId} on vault '${p.vault.name}' (access-policy vault).`,
    ...(p.tenantId ? [] : ['data "azurerm_client_config" "current" {}', ""]),
    ...(p.existing
      ? ["import {", `  to = azurerm_key_vault_access_policy.${name}`, `  id = ${tq(`${p.vault.id}/objectId/${p.principalId}`)}`, "}", ""]
      : []),
    `resource "azurerm_key_vault_access_policy" ${tq(name)} {`,
    `  key_vault_id       = ${tq(p.vault.id)}`,
    `  tenant_id          = ${p.tenantId ? tq(p.tenantId) : "data.azurerm_client_config.current.tenant_id"}`,
    `  object_id          = ${tq(p.principalId)}`,
    `  secret_permissions = [${p.permissions.map((x) => tq(capital(x))).join(", ")}]`,
    "}",
  ].join("\n");
}

export function toBicep(p: AzureFixPlan): string {
  return p.kind === "fic" ? ficBicep(p) : p.kind === "roleAssignment" ? roleBicep(p) : policyBicep(p);
}

export function toTerraform(p: AzureFixPlan): string {
  return p.kind === "fic" ? ficTerraform(p) : p.kind === "roleAssignment" ? roleTerraform(p) : policyTerraform(p);
}
