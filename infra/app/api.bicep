// The Streamfold Function App on Flex Consumption. Every connection is identity-based through one user-assigned
// identity; app setting names here are the ones the code and host.json read (see src/ and the design notes).
param name string
param location string = resourceGroup().location
param tags object = {}
@description('azd finds the app to deploy through the azd-service-name tag; must match the service in azure.yaml.')
param serviceName string = 'api'
param appServicePlanId string
param runtimeName string = 'node'
param runtimeVersion string
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100
param storageAccountName string
param deploymentStorageContainerName string
param applicationInsightsName string
@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
@description('Client id of that identity; the host and SDK credentials need it to pick this identity.')
param identityClientId string
param eventHubNamespaceName string
param eventHubName string
param eventHubConsumerGroup string
param alertsEventHubName string
param analysisSchedule string
@description('Seconds ingest caches pipeline definitions (src/settings.ts default: 10).')
param pipelineRefreshSeconds int = 10
@description('Closed windows each stream entity keeps in live state (src/settings.ts default: 60).')
param streamRetentionWindows int = 60
@description('Alert threshold on normalized anomaly severity (src/functions/analysis default: 1.5).')
param alertMinSeverity string = '1.5'
@description('Minutes each scheduled analysis covers (src/functions/analysis default: 60).')
param analysisPeriodMinutes int = 60
@description('NCRONTAB of the idle-flush timer; empty disables it (src/settings.ts default: every 30 s).')
param idleFlushSchedule string = '*/30 * * * * *'
@description('Dead-letter an event every pipeline filters out (src/settings.ts default: false).')
param deadLetterUnmatched bool = false
@description('Extra app settings; the identity settings below win on a name clash.')
param appSettings object = {}

resource stg 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubNamespaceName
}

// serviceBusEndpoint is https://<ns>.<cloud suffix>:443/; the host wants the bare host name, in any cloud.
var eventHubsFullyQualifiedNamespace = split(split(eventHubNamespace.properties.serviceBusEndpoint, '//')[1], ':')[0]

var identitySettings = {
  // Host storage and the Durable task hub (Azure Storage provider): account name + managed identity, no keys.
  AzureWebJobsStorage__accountName: stg.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Connection prefix "EventHubConnection" used by the ingest trigger and the alerts output.
  EventHubConnection__fullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
  EventHubConnection__credential: 'managedidentity'
  EventHubConnection__clientId: identityClientId
  // DefaultAzureCredential in SDK clients the code builds itself (tables, producers) picks this identity.
  AZURE_CLIENT_ID: identityClientId
  // Telemetry ingestion with an Entra token; the component has local auth disabled.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

var streamfoldSettings = {
  EVENTHUB_NAME: eventHubName
  EVENTHUB_CONSUMER_GROUP: eventHubConsumerGroup
  ALERTS_EVENTHUB_NAME: alertsEventHubName
  ANALYSIS_SCHEDULE: analysisSchedule
  PIPELINE_REFRESH_SECONDS: string(pipelineRefreshSeconds)
  STREAM_RETENTION_WINDOWS: string(streamRetentionWindows)
  ALERT_MIN_SEVERITY: alertMinSeverity
  ANALYSIS_PERIOD_MINUTES: string(analysisPeriodMinutes)
  IDLE_FLUSH_SCHEDULE: idleFlushSchedule
  DEADLETTER_UNMATCHED: deadLetterUnmatched ? 'true' : 'false'
}

module api 'br/public:avm/res/web/site:0.15.1' = {
  name: '${serviceName}-flex-consumption'
  params: {
    kind: 'functionapp,linux'
    name: name
    location: location
    tags: union(tags, { 'azd-service-name': serviceName })
    serverFarmResourceId: appServicePlanId
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [
        identityId
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${stg.properties.primaryEndpoints.blob}${deploymentStorageContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
    siteConfig: {
      alwaysOn: false
    }
    appSettingsKeyValuePairs: union(appSettings, streamfoldSettings, identitySettings)
  }
}

output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = 'https://${api.outputs.name}.azurewebsites.net'
output EVENTHUBS_FULLY_QUALIFIED_NAMESPACE string = eventHubsFullyQualifiedNamespace
