// Streamfold on Azure: a Flex Consumption Function App (Node, v4 model, Durable Functions, Event Hubs trigger) with
// identity-only access to storage, Event Hubs and Application Insights. Deploys into an existing resource group:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json -p environmentName=<env>
// or `azd up` (azure.yaml). See "Deploying to Azure" in README.md.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Name of the environment (dev, prod, ...): feeds the resource token, so every environment gets its own names, and the azd-env-name tag.')
param environmentName string

@description('Region for every resource; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

// Optional name overrides; empty means "abbreviation + resource token".
param functionAppName string = ''
param identityName string = ''
param appServicePlanName string = ''
param storageAccountName string = ''
param logAnalyticsName string = ''
param applicationInsightsName string = ''
param eventHubNamespaceName string = ''
param durableTaskSchedulerName string = ''

@description('Object id of the person or pipeline that deploys (default: whoever runs the deployment).')
param principalId string = deployer().objectId

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Kind of principalId: ServicePrincipal when a pipeline deploys.')
param principalType string = 'User'

@description('Give principalId what it needs to send test events to "events", read "alerts" and read the result tables.')
param allowUserIdentityPrincipal bool = true

@allowed([
  '22'
])
@description('Node.js major version of the Functions runtime. package.json engines is >=20.19 (require of ES modules); Node 20 reached end of life in April 2026, so Azure gets 22.')
param nodeVersion string = '22'

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

@minValue(1)
@maxValue(32)
@description('Partitions of the "events" hub: the upper bound on parallel ingest instances. Fixed once created on Standard.')
param eventHubPartitionCount int = 4

@minValue(1)
@maxValue(20)
@description('Throughput units of the Event Hubs namespace.')
param eventHubThroughputUnits int = 1

@description('Let Event Hubs add throughput units under load, up to eventHubMaximumThroughputUnits.')
param eventHubAutoInflateEnabled bool = false

@minValue(1)
@maxValue(40)
@description('Ceiling for auto-inflate; ignored when it is off.')
param eventHubMaximumThroughputUnits int = 4

@minValue(1)
@maxValue(7)
@description('Days the hubs keep events (Standard allows up to 7).')
param eventHubMessageRetentionInDays int = 1

@description('Consumer group the ingest function reads "events" with.')
param eventHubConsumerGroupName string = 'streamfold'

@minLength(3)
@maxLength(45)
@description('Durable Functions task hub (TASK_HUB_NAME, read by host.json): letters and digits, starting with a letter.')
param taskHubName string = 'Streamfold'

@allowed([
  'scheduler'
  'azureStorage'
])
@description('Durable Functions backend: the Durable Task Scheduler (recommended, identity only) or the Azure Storage provider (queues and tables of the storage account, 16 partitions). Switching starts an empty task hub.')
param durableBackend string = 'scheduler'

@allowed([
  'Consumption'
  'Dedicated'
])
@description('Durable Task Scheduler SKU (durableBackend scheduler): Consumption up to about 500 actions/s, Dedicated 2,000 actions/s per capacity unit.')
param schedulerSkuName string = 'Consumption'

@minValue(1)
@maxValue(3)
@description('Capacity units of a Dedicated scheduler; ignored for Consumption.')
param schedulerCapacity int = 1

@description('Addresses (IPv4, IPv6, CIDR) allowed to reach the scheduler; an empty list denies every caller. Flex Consumption has no fixed outbound address, hence everything by default: access still needs the role.')
param schedulerIpAllowlist array = [
  '0.0.0.0/0'
]

@description('NCRONTAB (six fields, with seconds) of the timer that starts the scheduled analyses; empty turns them off.')
param analysisSchedule string = '0 0 * * * *'

@minValue(1)
@maxValue(10080)
@description('Minutes each scheduled analysis covers, ending at the trigger time (ANALYSIS_PERIOD_MINUTES).')
param analysisPeriodMinutes int = 60

@description('Anomalies at or above this normalized severity become alerts (a decimal as text: Bicep has no floats).')
param alertMinSeverity string = '1.5'

@minValue(1)
@description('Seconds the ingest function caches pipeline definitions (PIPELINE_REFRESH_SECONDS).')
param pipelineRefreshSeconds int = 10

@minValue(1)
@maxValue(10000)
@description('Closed windows a stream entity keeps in its live state when its pipeline sets no retention (STREAM_RETENTION_WINDOWS).')
param streamRetentionWindows int = 60

@description('NCRONTAB of the timer that closes the open windows of quiet streams; empty turns it off (IDLE_FLUSH_SCHEDULE).')
param idleFlushSchedule string = '*/30 * * * * *'

@description('Dead-letter (reason no-pipeline) an event that every active pipeline filters out (DEADLETTER_UNMATCHED).')
param deadLetterUnmatched bool = false

@description('Closed windows whose start is older than this ISO 8601 duration are purged (WINDOW_RETENTION; see docs/reference/retention.md).')
param windowRetention string = 'P90D'

@description('Dead letters enqueued longer ago than this ISO 8601 duration are purged (DEADLETTER_RETENTION).')
param deadLetterRetention string = 'P30D'

@description('Ingest-metrics rows older than this ISO 8601 duration are purged (METRICS_RETENTION).')
param metricsRetention string = 'P7D'

@description('Analysis reports and alerts older than this ISO 8601 duration are purged (REPORT_RETENTION).')
param reportRetention string = 'P90D'

@description('NCRONTAB of the purgeExpired timer; empty turns purging off (PURGE_SCHEDULE).')
param purgeSchedule string = '0 7 * * * *'

@description('ISO 8601 duration: an event later than its enqueued time + this is dead-lettered future (MAX_FUTURE_SKEW).')
param maxFutureSkew string = 'PT1H'

@description('ISO 8601 time: an earlier event is dead-lettered schema; empty = no floor (MIN_EVENT_TIME).')
param minEventTime string = ''

@description('ISO 8601 duration up to PT1M: ingest buffers batches and signals each stream at most once per interval; PT0S signals per batch (ENTITY_FLUSH_INTERVAL).')
param entityFlushInterval string = 'PT0S'

@description('ISO 8601 duration up to PT1M: stream entities hold closed windows this long at most to write several operations\' windows in one transaction; PT0S writes them at once (WINDOW_WRITE_DELAY).')
param windowWriteDelay string = 'PT0S'

@description('Client ID of a Microsoft Entra ID app registration: when set, App Service Authentication asks for a sign-in on every route but /api/health, so the dashboard (/api/dashboard/) sits behind Entra ID. Empty: off (docs/how-to/dashboard.md).')
param dashboardAuthClientId string = ''

@minValue(30)
@maxValue(730)
@description('Days Log Analytics keeps logs and telemetry.')
param logRetentionInDays int = 30

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

var eventsHubName = 'events'
var alertsHubName = 'alerts'
var alertsPartitionCount = 2
// The tables Streamfold's code creates and uses (src/storage, src/functions); Durable's own tables are the extension's.
var appTableNames = [
  'Pipelines'
  'Windows'
  'WindowVersions'
  'DeadLetters'
  'Streams'
  'IngestMetrics'
  'StreamActivity'
  'Reports'
  'Alerts'
  'IngestBuffer'
  'ReplayLedger'
  'LateAttempts'
]

var schedulerName = !empty(durableTaskSchedulerName) ? durableTaskSchedulerName : '${abbrs.durableTaskSchedulers}${resourceToken}'
var useScheduler = durableBackend == 'scheduler'

var appName = !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}api-${resourceToken}'
// The Flex Consumption package lands in this container; named per app so that two apps can share an account.
var deploymentContainerName = 'app-package-${take(appName, 32)}-${take(resourceToken, 7)}'

// The one identity the app uses for storage, the task hub, Event Hubs and telemetry.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  params: {
    name: !empty(identityName) ? identityName : '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    tableNames: appTableNames
  }
}

module eventHubs './modules/eventHubs.bicep' = {
  name: 'eventHubs'
  params: {
    name: !empty(eventHubNamespaceName) ? eventHubNamespaceName : '${abbrs.eventHubNamespaces}${resourceToken}'
    location: location
    tags: tags
    throughputUnits: eventHubThroughputUnits
    autoInflateEnabled: eventHubAutoInflateEnabled
    maximumThroughputUnits: eventHubMaximumThroughputUnits
    eventsHubName: eventsHubName
    eventsPartitionCount: eventHubPartitionCount
    consumerGroupName: eventHubConsumerGroupName
    alertsHubName: alertsHubName
    alertsPartitionCount: alertsPartitionCount
    messageRetentionInDays: eventHubMessageRetentionInDays
  }
}

// Only with durableBackend 'scheduler'; the Azure Storage provider keeps the task hub in the storage account.
module durableScheduler './modules/durableTaskScheduler.bicep' = if (useScheduler) {
  name: 'durableScheduler'
  params: {
    name: schedulerName
    location: location
    tags: tags
    skuName: schedulerSkuName
    capacity: schedulerCapacity
    ipAllowlist: schedulerIpAllowlist
    taskHubName: taskHubName
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'logAnalytics'
  params: {
    name: !empty(logAnalyticsName) ? logAnalyticsName : '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
    tags: tags
    dataRetention: logRetentionInDays
  }
}

// Local auth off: ingestion needs an Entra token (Monitoring Metrics Publisher), so the connection string is not a secret.
module appInsights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'appInsights'
  params: {
    name: !empty(applicationInsightsName) ? applicationInsightsName : '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
  }
}

module appServicePlan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'appServicePlan'
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

module functionApp './modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    name: appName
    location: location
    tags: tags
    appServicePlanId: appServicePlan.outputs.resourceId
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    applicationInsightsConnectionString: appInsights.outputs.connectionString
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventHubName: eventHubs.outputs.eventsHubName
    eventHubConsumerGroup: eventHubs.outputs.consumerGroupName
    alertsEventHubName: eventHubs.outputs.alertsHubName
    taskHubName: taskHubName
    durableBackend: durableBackend
    durableTaskSchedulerEndpoint: useScheduler ? durableScheduler.outputs.endpoint : ''
    analysisSchedule: analysisSchedule
    analysisPeriodMinutes: analysisPeriodMinutes
    alertMinSeverity: alertMinSeverity
    pipelineRefreshSeconds: pipelineRefreshSeconds
    streamRetentionWindows: streamRetentionWindows
    idleFlushSchedule: idleFlushSchedule
    deadLetterUnmatched: deadLetterUnmatched
    windowRetention: windowRetention
    deadLetterRetention: deadLetterRetention
    metricsRetention: metricsRetention
    reportRetention: reportRetention
    purgeSchedule: purgeSchedule
    maxFutureSkew: maxFutureSkew
    eventHubPartitionCount: eventHubPartitionCount
    minEventTime: minEventTime
    entityFlushInterval: entityFlushInterval
    windowWriteDelay: windowWriteDelay
    dashboardAuthClientId: dashboardAuthClientId
  }
}

module rbac './modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    eventHubNamespaceName: eventHubs.outputs.name
    eventsHubName: eventHubs.outputs.eventsHubName
    alertsHubName: eventHubs.outputs.alertsHubName
    applicationInsightsName: appInsights.outputs.name
    durableBackend: durableBackend
    // Through the module's outputs, so the assignment waits for the task hub it names.
    durableTaskSchedulerName: useScheduler ? durableScheduler.outputs.name : schedulerName
    durableTaskHubName: useScheduler ? durableScheduler.outputs.taskHubName : taskHubName
    managedIdentityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
    grantUserAccess: allowUserIdentityPrincipal
  }
}

// Outputs land in the azd environment (.azure/<env>/.env), hence UPPER_SNAKE_CASE. Names and endpoints only.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.url
output API_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output EVENTHUBS_NAMESPACE string = eventHubs.outputs.name
output EVENTHUBS_FULLY_QUALIFIED_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
output EVENTHUB_NAME string = eventHubs.outputs.eventsHubName
output EVENTHUB_CONSUMER_GROUP string = eventHubs.outputs.consumerGroupName
output ALERTS_EVENTHUB_NAME string = eventHubs.outputs.alertsHubName
output APPLICATIONINSIGHTS_NAME string = appInsights.outputs.name
output DURABLE_BACKEND string = durableBackend
output DURABLE_TASK_SCHEDULER_NAME string = useScheduler ? schedulerName : ''
output ROLE_ASSIGNMENT_COUNT int = rbac.outputs.roleAssignmentCount
