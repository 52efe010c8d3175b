// Azure Auth Gate — the compliance-sweep Function app, its own identity, storage and least-privilege roles.
//
//   az deployment group create -g rg-auth-gate -f infra/main.bicep \
//     -p sweptSubscriptionIds='["<sub-id>"]' rotationVaults='[{"name":"kv-platform","resourceGroup":"rg-platform","secrets":["payments-api-client-secret"]}]'
//
// With -p githubAppId=<id> githubKeyVault='{"name":"kv-platform","resourceGroup":"rg-platform"}' it also
// configures the deployment protection rule (docs/protection-rule.md) and grants the vault's Secrets User.
//
// What Bicep cannot grant (Microsoft Graph), run once after the deployment — see docs/function.md:
//   * the Graph application role Application.ReadWrite.OwnedBy (or Application.Read.All for scan-only) for the identity;
//   * the identity as an OWNER of each app registration it rotates (`az ad app owner add`).

@description('Name prefix for every resource (3-11 lowercase letters and digits).')
@minLength(3)
@maxLength(11)
param prefix string = 'authgate'

param location string = resourceGroup().location

@description('Subscriptions the sweep reads (Reader at subscription scope).')
param sweptSubscriptionIds array = [subscription().subscriptionId]

@description('The secrets the rotation mappings point at, per vault: [{ name, resourceGroup, secrets: [secret names] }] (Key Vault Secrets Officer on each secret, never on the vault).')
param rotationVaults array = []

@description('NCRONTAB schedule of complianceSweep.')
param sweepSchedule string = '0 0 3 * * *'

@description('App setting AAG_SWEEP_CONFIG: the sweep config file inside the deployed package.')
param sweepConfigFile string = 'sweep.yml'

@description('Deployment protection rule (docs/protection-rule.md): the GitHub App ID; empty leaves the rule unconfigured.')
param githubAppId string = ''

@description('Deployment protection rule: the vault holding the App\'s webhook secret and private key, { name, resourceGroup } (Key Vault Secrets User on it).')
param githubKeyVault object = {}

@description('Deployment protection rule: the GitHub REST API (GitHub Enterprise Server: https://HOST/api/v3).')
param githubApiUrl string = 'https://api.github.com'

@description('Deployment protection rule: the cloud the gate checks (a built-in name or a profile file in the package).')
param protectionCloud string = 'AzureCloud'

var protectionEnabled = !empty(githubAppId)
var protectionSettings = protectionEnabled ? [
  { name: 'AAG_GITHUB_APP_ID', value: githubAppId }
  { name: 'AAG_GITHUB_KEY_VAULT', value: githubKeyVault.?name ?? '' }
  { name: 'AAG_GITHUB_API_URL', value: githubApiUrl }
  { name: 'AAG_PROTECTION_CLOUD', value: protectionCloud }
  { name: 'AAG_PROTECTION_TENANT_ID', value: subscription().tenantId }
] : []

var suffix = uniqueString(resourceGroup().id)
var storageName = toLower('${prefix}${take(suffix, 13)}')

// Built-in role definition ids (MicrosoftDocs built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${prefix}-sweep-id'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // identity-based access only
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'app-package'
}

// The Functions host itself uses AzureWebJobsStorage for its locks, timer schedule and deployment package,
// which with an identity needs Storage Blob Data Owner; the sweep's own code needs only Blob Data Contributor.
resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

module readers 'modules/reader.bicep' = [for sub in sweptSubscriptionIds: {
  name: 'reader-${sub}'
  scope: subscription(sub)
  params: { principalId: identity.properties.principalId }
}]

module vaultOfficers 'modules/vault-secrets-officer.bicep' = [for v in rotationVaults: {
  name: 'kv-officer-${v.name}'
  scope: resourceGroup(v.resourceGroup)
  params: { vaultName: v.name, principalId: identity.properties.principalId, secretNames: v.secrets }
}]

module protectionVault 'modules/vault-secrets-user.bicep' = if (protectionEnabled) {
  name: 'kv-user-github-app'
  scope: resourceGroup(githubKeyVault.?resourceGroup ?? resourceGroup().name)
  params: { vaultName: githubKeyVault.?name ?? '', principalId: identity.properties.principalId }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${prefix}-insights'
  location: location
  kind: 'web'
  properties: { Application_Type: 'Node.JS', DisableLocalAuth: true }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${prefix}-plan'
  location: location
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: '${prefix}-sweep-${take(suffix, 6)}'
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat([
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        { name: 'AAG_STORAGE_ACCOUNT', value: storage.name }
        { name: 'AAG_SWEEP_CONFIG', value: sweepConfigFile }
        { name: 'AAG_SWEEP_SCHEDULE', value: sweepSchedule }
        { name: 'AAG_ROTATE_ON_SCHEDULE', value: 'true' }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
      ], protectionSettings)
    }
  }
  dependsOn: [blobRole, queueRole]
}

output functionAppName string = site.name
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
output storageAccountName string = storage.name
