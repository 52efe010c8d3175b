// Key Vault Secrets Officer on each mapped secret of one RBAC-mode vault — never on the vault: the
// rotation writes new versions of exactly these secrets and updates their tags; every other secret in
// the vault stays out of the Function's reach. The secrets must exist before the deployment (a role
// assignment needs its scope); a soft-deleted mapped secret is then recovered by hand
// (`az keyvault secret recover`), since recovery is a vault-level permission.
param vaultName string
param principalId string

@description('Names of the secrets the rotation mapping points at in this vault.')
@minLength(1)
param secretNames array

var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource secrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = [for name in secretNames: {
  parent: vault
  name: name
}]

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in secretNames: {
  name: guid(vault.id, name, principalId, secretsOfficer)
  scope: secrets[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficer)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]
