/**
 * An Azure-side fix as data (federated credential, role assignment, Key Vault access policy): the AG2xx
 * rules build one plan per fix, and shared/azure/iac.ts renders it as Bicep and Terraform beside the az
 * command. Here in the findings layer because a finding carries its plan (FindingInternals.fixVariants).
 */

export interface FicPlan {
  kind: "fic";
  identity: {
    kind: "managedIdentity" | "application";
    name: string;
    id: string;
    clientId: string;
    resourceGroup?: string;
    subscriptionId?: string;
  };
  fic: { name: string; issuer: string; subject: string; audience: string };
  /** An existing credential is changed (IaC: same resource, new values; Terraform imports it first). */
  update: boolean;
}
export interface RoleAssignmentPlan {
  kind: "roleAssignment";
  principalId: string;
  role: string;
  scope: string;
}
export interface AccessPolicyPlan {
  kind: "accessPolicy";
  vault: { id: string; name: string };
  principalId: string;
  tenantId?: string;
  permissions: string[];
  /** The principal already has a policy (Terraform must import it before changing it). */
  existing: boolean;
}
export type AzureFixPlan = FicPlan | RoleAssignmentPlan | AccessPolicyPlan;
