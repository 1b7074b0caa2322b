// Every data-plane role Streamfold needs, as lists and one loop: adding a role is a line in a list, never another
// role-assignment block. Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
param storageAccountName string
param eventHubNamespaceName string
param eventsHubName string
param alertsHubName string
param applicationInsightsName string
@allowed([
  'scheduler'
  'azureStorage'
])
@description('Durable backend: the scheduler needs Durable Task Data Contributor on the task hub, Azure Storage the queue role.')
param durableBackend string
@description('The Durable Task Scheduler and task hub (durableBackend scheduler); named even when not deployed, unused then.')
param durableTaskSchedulerName string
param durableTaskHubName string
@description('Principal id of the app\'s user-assigned managed identity.')
param managedIdentityPrincipalId string
@description('Object id of the person or pipeline that deploys; empty for none.')
param userPrincipalId string
@allowed([
  'User'
  'ServicePrincipal'
])
param userPrincipalType string
@description('Give userPrincipalId what it needs to send test events and read results.')
param grantUserAccess bool

var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  durableTaskDataContributor: '0ad04412-c4d5-4796-b79c-f76d14c8d402'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubNamespaceName

  resource eventsHub 'eventhubs' existing = {
    name: eventsHubName
  }

  resource alertsHub 'eventhubs' existing = {
    name: alertsHubName
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource durableTaskScheduler 'Microsoft.DurableTask/schedulers@2025-11-01' existing = {
  name: durableTaskSchedulerName

  resource taskHub 'taskHubs' existing = {
    name: durableTaskHubName
  }
}

// Grants name a scope by kind; this map turns the kind into the resource id. Hubs, not the namespace: the app reads
// "events" and writes "alerts" (and "events", for replay).
var scopeIds = {
  storage: storageAccount.id
  eventsHub: eventHubNamespace::eventsHub.id
  alertsHub: eventHubNamespace::alertsHub.id
  appInsights: applicationInsights.id
  taskHub: durableTaskScheduler::taskHub.id
}

// Blob owner: host leases, Event Hubs checkpoints, the deployment package. Table contributor: Streamfold's tables
// (and, with Azure Storage, the task hub's history and instances tables). Receiver: the ingest trigger. Sender: the
// alerts output, and dead-letter replay (POST /api/deadletters/replay re-sends to "events"). Metrics publisher:
// Entra-authenticated telemetry.
var baseAppGrants = [
  { roleName: 'Storage Blob Data Owner', roleDefinitionId: roleIds.storageBlobDataOwner, scope: 'storage' }
  { roleName: 'Storage Table Data Contributor', roleDefinitionId: roleIds.storageTableDataContributor, scope: 'storage' }
  { roleName: 'Azure Event Hubs Data Receiver', roleDefinitionId: roleIds.eventHubsDataReceiver, scope: 'eventsHub' }
  { roleName: 'Azure Event Hubs Data Sender', roleDefinitionId: roleIds.eventHubsDataSender, scope: 'alertsHub' }
  { roleName: 'Azure Event Hubs Data Sender', roleDefinitionId: roleIds.eventHubsDataSender, scope: 'eventsHub' }
  { roleName: 'Monitoring Metrics Publisher', roleDefinitionId: roleIds.monitoringMetricsPublisher, scope: 'appInsights' }
]

// The Durable Task Scheduler: orchestrations and entities on the task hub only, nothing else on the scheduler.
var schedulerAppGrants = [
  { roleName: 'Durable Task Data Contributor', roleDefinitionId: roleIds.durableTaskDataContributor, scope: 'taskHub' }
]

// The Azure Storage provider: the task hub's control and work-item queues.
var azureStorageAppGrants = [
  { roleName: 'Storage Queue Data Contributor', roleDefinitionId: roleIds.storageQueueDataContributor, scope: 'storage' }
]

var appGrants = concat(baseAppGrants, durableBackend == 'scheduler' ? schedulerAppGrants : azureStorageAppGrants)

// The deploying user: send test events (npm run send --namespace), watch the alerts hub, read the result tables.
var userGrants = [
  { roleName: 'Azure Event Hubs Data Sender', roleDefinitionId: roleIds.eventHubsDataSender, scope: 'eventsHub' }
  { roleName: 'Azure Event Hubs Data Receiver', roleDefinitionId: roleIds.eventHubsDataReceiver, scope: 'alertsHub' }
  { roleName: 'Storage Table Data Reader', roleDefinitionId: roleIds.storageTableDataReader, scope: 'storage' }
]

var includeUser = grantUserAccess && !empty(userPrincipalId)

var roleAssignments = concat(
  map(appGrants, g => union(g, { principalId: managedIdentityPrincipalId, principalType: 'ServicePrincipal' })),
  includeUser ? map(userGrants, g => union(g, { principalId: userPrincipalId, principalType: userPrincipalType })) : []
)

// The pattern module takes the scope as a resource id, so one loop covers every scope kind.
module assignments 'br/public:avm/ptn/authorization/resource-role-assignment:0.1.2' = [
  for assignment in roleAssignments: {
    name: 'ra-${uniqueString(scopeIds[assignment.scope], assignment.principalId, assignment.roleDefinitionId)}'
    params: {
      resourceId: scopeIds[assignment.scope]
      roleDefinitionId: assignment.roleDefinitionId
      roleName: assignment.roleName
      principalId: assignment.principalId
      principalType: assignment.principalType
      description: 'Streamfold: ${assignment.roleName} for ${assignment.principalType}'
    }
  }
]

output roleAssignmentCount int = length(roleAssignments)
