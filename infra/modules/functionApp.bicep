// The Streamfold Function App on Flex Consumption. Every connection is identity-based through one user-assigned
// identity; the app setting names are the ones the code and host.json read (src/settings.ts, the bindings in
// src/functions, src/storage/resolveTableConnection.ts), and test/infra checks that against the code.
param name string
param location string
param tags object
@description('azd finds the app to deploy through the azd-service-name tag; must match the service in azure.yaml.')
param serviceName string = 'api'
param appServicePlanId string
@allowed([
  '22'
])
param nodeVersion string
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int
param storageAccountName string
param storageBlobEndpoint string
param deploymentContainerName string
@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
@description('Client id of that identity; the host and the SDK credentials need it to pick this identity.')
param identityClientId string
@description('Connection string of the Application Insights component: it names the ingestion endpoint and carries no secret, because the component has local auth disabled and ingestion needs an Entra token.')
param applicationInsightsConnectionString string
param eventHubsFullyQualifiedNamespace string
param eventHubName string
param eventHubConsumerGroup string
param alertsEventHubName string
param taskHubName string
@allowed([
  'scheduler'
  'azureStorage'
])
param durableBackend string
@description('The scheduler\'s endpoint (durableBackend scheduler); empty otherwise.')
param durableTaskSchedulerEndpoint string
param analysisSchedule string
param analysisPeriodMinutes int
param alertMinSeverity string
param pipelineRefreshSeconds int
param streamRetentionWindows int
param idleFlushSchedule string
param deadLetterUnmatched bool
param windowRetention string
param deadLetterRetention string
param metricsRetention string
param reportRetention string
param purgeSchedule string
param maxFutureSkew string
param minEventTime string
param entityFlushInterval string
param windowWriteDelay string

@description('The ingest hub\'s partition count (EVENTHUB_PARTITION_COUNT).')
param eventHubPartitionCount int

@description('Entra ID app registration client ID for App Service Authentication; empty: off.')
param dashboardAuthClientId string = ''

var identitySettings = {
  // Host storage, timers, Event Hubs checkpoints and the Durable task hub (Azure Storage provider), and the app's
  // own TableClient (src/storage/resolveTableConnection.ts): account name + managed identity, no keys.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Connection "EventHubConnection": the ingest trigger on the events hub and the alerts output binding.
  EventHubConnection__fullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
  EventHubConnection__credential: 'managedidentity'
  EventHubConnection__clientId: identityClientId
  // DefaultAzureCredential in SDK clients picks this identity.
  AZURE_CLIENT_ID: identityClientId
  // Telemetry with an Entra token of the same identity (Monitoring Metrics Publisher on the component).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

var streamfoldSettings = {
  TASK_HUB_NAME: taskHubName
  EVENTHUB_NAME: eventHubName
  EVENTHUB_CONSUMER_GROUP: eventHubConsumerGroup
  ALERTS_EVENTHUB_NAME: alertsEventHubName
  ANALYSIS_SCHEDULE: analysisSchedule
  ANALYSIS_PERIOD_MINUTES: string(analysisPeriodMinutes)
  ALERT_MIN_SEVERITY: alertMinSeverity
  PIPELINE_REFRESH_SECONDS: string(pipelineRefreshSeconds)
  STREAM_RETENTION_WINDOWS: string(streamRetentionWindows)
  IDLE_FLUSH_SCHEDULE: idleFlushSchedule
  DEADLETTER_UNMATCHED: deadLetterUnmatched ? 'true' : 'false'
  WINDOW_RETENTION: windowRetention
  DEADLETTER_RETENTION: deadLetterRetention
  METRICS_RETENTION: metricsRetention
  REPORT_RETENTION: reportRetention
  PURGE_SCHEDULE: purgeSchedule
  MAX_FUTURE_SKEW: maxFutureSkew
  MIN_EVENT_TIME: minEventTime
  EVENTHUB_PARTITION_COUNT: string(eventHubPartitionCount)
  ENTITY_FLUSH_INTERVAL: entityFlushInterval
  WINDOW_WRITE_DELAY: windowWriteDelay
}

// host.json names only the task hub; the storage provider comes from these settings, which override host.json
// (AzureFunctionsJobHost__<path>), so one host.json serves both backends and the local host, which keeps its own store.
// The scheduler: provider type azureManaged, its connection in the setting the provider names, identity only.
var schedulerDurableSettings = {
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
}

// Azure Storage (the provider's default type, through AzureWebJobsStorage): 16 control-queue partitions, the most it
// allows, so up to 16 instances share the entities' work.
var azureStorageDurableSettings = {
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__partitionCount: '16'
}

var durableSettings = durableBackend == 'scheduler' ? schedulerDurableSettings : azureStorageDurableSettings

// The node worker's flags (local-host/hostNodeFlags.ts, the same as `npm run local`): a 64 MB young generation.
var workerSettings = {
  languageWorkers__node__arguments: '--max-semi-space-size=64'
}

var appSettings = union(streamfoldSettings, identitySettings, durableSettings, workerSettings)

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: appServicePlanId
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
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
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// No FTP and no basic (user name + password) auth on the SCM site: deployments authenticate with Entra ID.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// App Service Authentication (Easy Auth) with Microsoft Entra ID, only when a registration is given: a browser is sent to
// sign in (ID token, no client secret to keep); /api/health stays open for probes. Keys are still checked after it.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(dashboardAuthClientId)) {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/api/health'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: dashboardAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            dashboardAuthClientId
            'api://${dashboardAuthClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: true
      }
    }
  }
}

resource functionAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
}

output name string = functionApp.name
output url string = 'https://${functionApp.properties.defaultHostName}'
