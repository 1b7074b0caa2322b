// Every data-plane role Streamfold needs, as one list and one loop. Adding a role means adding a line to a list,
// never another role-assignment block. Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
param storageAccountName string
param eventHubNamespaceName string
param applicationInsightsName string
@description('Principal id of the app\'s user-assigned managed identity.')
param managedIdentityPrincipalId string
@description('Object id of a developer or pipeline to grant the data roles too; empty for none.')
param userIdentityPrincipalId string = ''
@allowed([
  'User'
  'ServicePrincipal'
])
param userIdentityPrincipalType string = 'User'
param allowUserIdentityPrincipal bool = false

var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource eventHubNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubNamespaceName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Grants name a scope by kind; this map turns the kind into the resource id.
var scopeIds = {
  storage: storageAccount.id
  eventHubs: eventHubNamespace.id
  appInsights: applicationInsights.id
}

// Why each role: blob owner for host leases, Event Hubs checkpoints and the deployment package; queue and table
// contributor for the Durable task hub (control/work-item queues, History/Instances tables) and the app's own tables;
// receiver for the ingest trigger on "events"; sender for the "alerts" output; metrics publisher for Entra-auth telemetry.
var appGrants = [
  { roleName: 'Storage Blob Data Owner', roleDefinitionId: roleIds.storageBlobDataOwner, scope: 'storage' }
  { roleName: 'Storage Queue Data Contributor', roleDefinitionId: roleIds.storageQueueDataContributor, scope: 'storage' }
  { roleName: 'Storage Table Data Contributor', roleDefinitionId: roleIds.storageTableDataContributor, scope: 'storage' }
  { roleName: 'Azure Event Hubs Data Receiver', roleDefinitionId: roleIds.eventHubsDataReceiver, scope: 'eventHubs' }
  { roleName: 'Azure Event Hubs Data Sender', roleDefinitionId: roleIds.eventHubsDataSender, scope: 'eventHubs' }
  { roleName: 'Monitoring Metrics Publisher', roleDefinitionId: roleIds.monitoringMetricsPublisher, scope: 'appInsights' }
]

// A developer gets the same data access to run the send tool or the app against Azure.
var userGrants = filter(appGrants, g => g.scope != 'appInsights')

var includeUser = allowUserIdentityPrincipal && !empty(userIdentityPrincipalId)

var roleAssignments = concat(
  map(appGrants, g => union(g, { principalId: managedIdentityPrincipalId, principalType: 'ServicePrincipal' })),
  includeUser ? map(userGrants, g => union(g, { principalId: userIdentityPrincipalId, principalType: userIdentityPrincipalType })) : []
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

output ROLE_ASSIGNMENT_COUNT int = length(roleAssignments)
