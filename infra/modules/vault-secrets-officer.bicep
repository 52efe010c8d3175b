// Key Vault Secrets Officer on one RBAC-mode vault: the rotation writes new versions of the mapped
// secrets, updates their tags and recovers soft-deleted ones. Scoped to the vault, never the group.
param vaultName string
param principalId string

var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, secretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficer)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
