// Streamfold on Azure: a Flex Consumption Function App (Node, v4 model, Durable Functions, Event Hubs trigger)
// with identity-only access to storage, Event Hubs and Application Insights. Deploy with `azd up`, or
// `az deployment sub create --location <region> --template-file infra/main.bicep --parameters environmentName=<env> location=<region>`.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment; feeds the resource token so every environment gets its own names.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

// Optional name overrides; empty means "derive from abbreviations.json and the resource token".
param resourceGroupName string = ''
param apiServiceName string = ''
param apiUserAssignedIdentityName string = ''
param appServicePlanName string = ''
param storageAccountName string = ''
param logAnalyticsName string = ''
param applicationInsightsName string = ''
param eventHubNamespaceName string = ''

@description('Object id of a person or pipeline that should also get the data-plane roles (to run tools/send or debug against Azure). Empty for none.')
param principalId string = deployer().objectId

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Kind of principalId: User for a person, ServicePrincipal when a pipeline deploys.')
param principalType string = 'User'

@description('Grant principalId the same data-plane roles as the app, for testing and debugging.')
param allowUserIdentityPrincipal bool = true

@allowed([
  '20'
  '22'
])
@description('Node.js major version of the Functions runtime.')
param nodeVersion string = '22'

@minValue(1)
@maxValue(32)
@description('Partitions of the "events" hub: the upper bound on parallel ingest instances. Fixed once created on the Standard tier.')
param eventHubPartitionCount int = 4

@minValue(1)
@maxValue(7)
@description('How long the hubs keep events (Standard tier allows up to 7 days).')
param eventHubMessageRetentionInDays int = 1

@description('Consumer group the ingest function reads "events" with; a dedicated one keeps other readers from stealing partitions.')
param eventHubConsumerGroupName string = 'streamfold'

@description('NCRONTAB (six fields, with seconds) for the timer that starts the analysis orchestration.')
param analysisSchedule string = '0 0 * * * *'

@minValue(1)
@description('Seconds the ingest function caches pipeline definitions before re-reading them.')
param pipelineRefreshSeconds int = 10

@minValue(1)
@description('Closed windows each stream entity keeps in its live state.')
param streamRetentionWindows int = 60

@description('Anomalies at or above this normalized severity become alerts (a decimal, as text: Bicep has no floats).')
param alertMinSeverity string = '1.5'

@minValue(1)
@description('Minutes each scheduled analysis covers, ending at the trigger time.')
param analysisPeriodMinutes int = 60

@description('NCRONTAB for the timer that closes the open windows of streams quiet for their pipeline\'s idleTimeout; empty disables it.')
param idleFlushSchedule string = '*/30 * * * * *'

@description('Dead-letter (reason no-pipeline) an event that every active pipeline filters out.')
param deadLetterUnmatched bool = false

@allowed([
  512
  2048
  4096
])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Upper bound on Flex Consumption scale-out.')
param maximumInstanceCount int = 100

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

var eventsHubName = 'events'
var alertsHubName = 'alerts'
var functionAppName = !empty(apiServiceName) ? apiServiceName : '${abbrs.webSitesFunctions}api-${resourceToken}'
// The Flex Consumption package lands in this container; named per app so two apps can share the account.
var deploymentStorageContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// The one identity the app uses for storage, the task hub, Event Hubs and telemetry; roles come from app/rbac.bicep.
module apiUserAssignedIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'apiUserAssignedIdentity'
  scope: rg
  params: {
    name: !empty(apiUserAssignedIdentityName) ? apiUserAssignedIdentityName : '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module appServicePlan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'appserviceplan'
  scope: rg
  params: {
    name: !empty(appServicePlanName) ? appServicePlanName : '${abbrs.webServerFarms}${resourceToken}'
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
    location: location
    tags: tags
  }
}

// Host storage (blobs: leases, checkpoints, deployment package; queues and tables: the Durable task hub and the
// app's Windows/Reports/Alerts/dead-letter tables). Shared keys are off: every caller must use Entra ID.
module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        {
          name: deploymentStorageContainerName
        }
      ]
    }
    minimumTlsVersion: 'TLS1_2'
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: '${uniqueString(deployment().name, location)}-loganalytics'
  scope: rg
  params: {
    name: !empty(logAnalyticsName) ? logAnalyticsName : '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

// Local auth off: ingestion needs an Entra token (Monitoring Metrics Publisher), so the connection string is not a secret.
module monitoring 'br/public:avm/res/insights/component:0.6.0' = {
  name: '${uniqueString(deployment().name, location)}-appinsights'
  scope: rg
  params: {
    name: !empty(applicationInsightsName) ? applicationInsightsName : '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
  }
}

// disableLocalAuth turns SAS off for the whole namespace and the hubs get no SAS rules of their own. The module's
// default namespace-level rule is left in place on purpose: some module versions list its keys in their outputs, and
// with local auth disabled those keys authenticate nothing.
module eventHubs 'br/public:avm/res/event-hub/namespace:0.7.1' = {
  name: 'eventhubs'
  scope: rg
  params: {
    name: !empty(eventHubNamespaceName) ? eventHubNamespaceName : '${abbrs.eventHubNamespaces}${resourceToken}'
    location: location
    tags: tags
    skuName: 'Standard'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    eventhubs: [
      {
        name: eventsHubName
        partitionCount: eventHubPartitionCount
        messageRetentionInDays: eventHubMessageRetentionInDays
        authorizationRules: []
        consumergroups: [
          {
            name: eventHubConsumerGroupName
          }
        ]
      }
      {
        name: alertsHubName
        partitionCount: 2
        messageRetentionInDays: eventHubMessageRetentionInDays
        authorizationRules: []
      }
    ]
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    appServicePlanId: appServicePlan.outputs.resourceId
    runtimeName: 'node'
    runtimeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    storageAccountName: storage.outputs.name
    deploymentStorageContainerName: deploymentStorageContainerName
    applicationInsightsName: monitoring.outputs.name
    identityId: apiUserAssignedIdentity.outputs.resourceId
    identityClientId: apiUserAssignedIdentity.outputs.clientId
    eventHubNamespaceName: eventHubs.outputs.name
    eventHubName: eventsHubName
    eventHubConsumerGroup: eventHubConsumerGroupName
    alertsEventHubName: alertsHubName
    analysisSchedule: analysisSchedule
    pipelineRefreshSeconds: pipelineRefreshSeconds
    streamRetentionWindows: streamRetentionWindows
    alertMinSeverity: alertMinSeverity
    analysisPeriodMinutes: analysisPeriodMinutes
    idleFlushSchedule: idleFlushSchedule
    deadLetterUnmatched: deadLetterUnmatched
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbacAssignments'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    eventHubNamespaceName: eventHubs.outputs.name
    applicationInsightsName: monitoring.outputs.name
    managedIdentityPrincipalId: apiUserAssignedIdentity.outputs.principalId
    userIdentityPrincipalId: principalId
    userIdentityPrincipalType: principalType
    allowUserIdentityPrincipal: allowUserIdentityPrincipal
  }
}

// Outputs land in the azd environment (.azure/<env>/.env); names are UPPER_SNAKE_CASE by convention.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_SUBSCRIPTION_ID string = subscription().subscriptionId
output RESOURCE_GROUP string = rg.name
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.SERVICE_API_NAME
output SERVICE_API_URI string = api.outputs.SERVICE_API_URI
output AZURE_FUNCTION_APP_NAME string = api.outputs.SERVICE_API_NAME
output API_IDENTITY_CLIENT_ID string = apiUserAssignedIdentity.outputs.clientId
output API_IDENTITY_PRINCIPAL_ID string = apiUserAssignedIdentity.outputs.principalId
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output EVENTHUBS_NAMESPACE string = eventHubs.outputs.name
output EVENTHUBS_FULLY_QUALIFIED_NAMESPACE string = api.outputs.EVENTHUBS_FULLY_QUALIFIED_NAMESPACE
output EVENTHUB_NAME string = eventsHubName
output EVENTHUB_CONSUMER_GROUP string = eventHubConsumerGroupName
output ALERTS_EVENTHUB_NAME string = alertsHubName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.name
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output ROLE_ASSIGNMENT_COUNT int = rbac.outputs.ROLE_ASSIGNMENT_COUNT
