/**
 * The exact commands the findings propose, with the user's real names filled in. One builder per
 * command so every rule writes them the same way.
 */
import type { Finding, FixFormat, FixVariants } from "../../findings/model.js";
import { toBicep, toTerraform, type AzureFixPlan, type FicPlan } from "../iac.js";
import { parseResourceId } from "../arm-id.js";
import type { FederatedCredentialFact, IdentityFact, NetworkAclFact } from "../facts/types.js";
import { publicAccessOff } from "./common.js";
import { sh, shWords, type Substitution } from "../../shell.js";

export interface FicSpec {
  name: string;
  issuer: string;
  subject: string;
  audience: string;
}

/** Create (or, with `update`, change) a federated credential on a UAMI or an app registration (the plan's identity). */
export function ficCommand(identity: FicPlan["identity"], fic: FicSpec, update = false): string {
  if (identity.kind === "managedIdentity") {
    return [
      `az identity federated-credential ${update ? "update" : "create"}`,
      `--name ${sh(fic.name)}`,
      `--identity-name ${sh(identity.name)}`,
      `--resource-group ${sh(identity.resourceGroup ?? "<resource-group>")}`,
      ...(identity.subscriptionId ? [`--subscription ${sh(identity.subscriptionId)}`] : []),
      `--issuer ${sh(fic.issuer)}`,
      `--subject ${sh(fic.subject)}`,
      `--audiences ${sh(fic.audience)}`,
    ].join(" ");
  }
  const parameters = JSON.stringify({ name: fic.name, issuer: fic.issuer, subject: fic.subject, audiences: [fic.audience] });
  return update
    ? `az ad app federated-credential update --id ${sh(identity.clientId)} --federated-credential-id ${sh(fic.name)} --parameters ${sh(parameters)}`
    : `az ad app federated-credential create --id ${sh(identity.clientId)} --parameters ${sh(parameters)}`;
}

/** A federated credential name for the pod that does not clash with the identity's existing ones. */
export function newFicName(namespace: string, serviceAccount: string, existing: readonly FederatedCredentialFact[]): string {
  let base = `${namespace}-${serviceAccount}`
    .replace(/[^A-Za-z0-9_-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 110);
  if (base.length < 3) base = `${base}-fic`;
  const taken = new Set(existing.map((f) => f.name.toLowerCase()));
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}-${i}`;
  return name;
}

export function roleAssignmentCommand(principalId: string, role: string, scope: string): string {
  return `az role assignment create --assignee-object-id ${sh(principalId)} --assignee-principal-type ServicePrincipal --role ${sh(role)} --scope ${sh(scope)}`;
}

export function setPolicyCommand(vaultName: string, principalId: string, permissions: readonly string[], subscriptionId?: string): string {
  return `az keyvault set-policy --name ${sh(vaultName)} --object-id ${sh(principalId)} --secret-permissions ${shWords(permissions)}${subscriptionId ? ` --subscription ${sh(subscriptionId)}` : ""}`;
}

export function aksUpdateCommand(resourceGroup: string, name: string, flags: readonly string[], subscriptionId?: string): string {
  return `az aks update --resource-group ${sh(resourceGroup)} --name ${sh(name)}${subscriptionId ? ` --subscription ${sh(subscriptionId)}` : ""} ${shWords(flags)}`;
}

export function annotateClientIdCommand(namespace: string, serviceAccount: string, clientId: string | Substitution): string {
  return `kubectl annotate serviceaccount --namespace ${sh(namespace)} ${sh(serviceAccount)} azure.workload.identity/client-id=${sh(clientId)} --overwrite`;
}

/** Ways through a storage account's or vault's firewall for the cluster, most specific first. */
export function networkFixCommands(
  kind: "storage" | "vault",
  resource: { id: string; name: string; resourceGroup: string },
  network: NetworkAclFact,
  subnetIds: readonly string[],
  egressIps: readonly string[],
): string[] {
  const out: string[] = [];
  if (publicAccessOff(network)) {
    const subnet = subnetIds[0] ? parseSubnet(subnetIds[0]) : undefined;
    out.push(
      [
        "az network private-endpoint create",
        `--name ${sh(`${resource.name}-pe`)}`,
        // The VNet's resource group (az resolves --vnet-name there): unknown without the subnet, so a placeholder, not the resource's.
        `--resource-group ${sh(subnet?.resourceGroup ?? "<cluster-vnet-resource-group>")}`,
        `--vnet-name ${sh(subnet?.vnet ?? "<cluster-vnet>")}`,
        `--subnet ${sh(subnet?.subnet ?? "<cluster-subnet>")}`,
        `--private-connection-resource-id ${sh(resource.id)}`,
        `--group-id ${kind === "storage" ? "blob" : "vault"}`,
        `--connection-name ${sh(`${resource.name}-pe`)}`,
      ].join(" "),
    );
    return out;
  }
  const base =
    kind === "storage"
      ? `az storage account network-rule add --resource-group ${sh(resource.resourceGroup)} --account-name ${sh(resource.name)}`
      : `az keyvault network-rule add --resource-group ${sh(resource.resourceGroup)} --name ${sh(resource.name)}`;
  for (const s of subnetIds) out.push(`${base} --subnet ${sh(s)}`);
  for (const ip of egressIps) out.push(`${base} --ip-address ${sh(ip)}`);
  if (out.length === 0) out.push(`${base} --subnet <the cluster's node subnet id>   # or --ip-address <the cluster's egress IP>`);
  return out;
}

function parseSubnet(id: string): { resourceGroup: string; vnet: string; subnet: string } | undefined {
  const p = parseResourceId(id);
  const m = /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)/i.exec(id);
  if (!p || !m || !m[1] || !m[2]) return undefined;
  return { resourceGroup: p.resourceGroup, vnet: m[1], subnet: m[2] };
}

// ---------------------------------------------------------------------------------------------
// The same fix as az, Bicep or Terraform (`check --fix-format`). The rules build one plan; the
// finding's `fix` is the az command, and the other renderings travel with the finding in
// `internal.fixVariants`: object spread (policy, severity overrides) keeps them, no writer shows them.
// ---------------------------------------------------------------------------------------------

export type { FixFormat, FixVariants };

export function ficPlan(identity: IdentityFact, fic: FicSpec, update = false): AzureFixPlan {
  return {
    kind: "fic",
    identity: {
      kind: identity.kind,
      name: identity.name,
      id: identity.id,
      clientId: identity.clientId,
      ...(identity.resourceGroup ? { resourceGroup: identity.resourceGroup } : {}),
      ...(identity.subscriptionId ? { subscriptionId: identity.subscriptionId } : {}),
    },
    fic,
    update,
  };
}

/** The az command for a plan: the builders above, so `fix` reads exactly as before. */
export function azCommand(plan: AzureFixPlan): string {
  switch (plan.kind) {
    case "fic":
      return ficCommand(plan.identity, plan.fic, plan.update);
    case "roleAssignment":
      return roleAssignmentCommand(plan.principalId, plan.role, plan.scope);
    case "accessPolicy":
      return setPolicyCommand(plan.vault.name, plan.principalId, plan.permissions, parseResourceId(plan.vault.id)?.subscriptionId);
  }
}

/** Attaches the Bicep and Terraform renderings of `plan` to a finding whose `fix` is its az command. */
export function withFixVariants(finding: Finding, plan: AzureFixPlan): Finding {
  finding.internal = { ...finding.internal, fixVariants: { plan, az: finding.fix, bicep: toBicep(plan), terraform: toTerraform(plan) } };
  return finding;
}

export function fixVariantsOf(finding: Finding): FixVariants | undefined {
  return finding.internal?.fixVariants;
}

/** Findings with `fix` in the chosen format (findings without IaC variants keep their fix). */
export function withFixFormat(findings: readonly Finding[], format: FixFormat): Finding[] {
  return findings.map((f) => {
    const v = fixVariantsOf(f);
    return v ? { ...f, fix: v[format] } : f;
  });
}
