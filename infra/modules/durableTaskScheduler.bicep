// The Durable Task Scheduler backend of Durable Functions: one scheduler and the app's task hub. No AVM module is
// used: the resource has no keys to list, and these two plain resources are all it takes. The app reaches it with its
// managed identity only (Durable Task Data Contributor on the task hub, rbac.bicep); the scheduler has no access keys.
// API version: the GA one (2025-11-01); newer ones add optional properties only.
param name string
param location string
param tags object
@allowed([
  'Consumption'
  'Dedicated'
])
@description('Consumption: pay per action, up to about 500 actions/s. Dedicated: 2,000 actions/s per capacity unit.')
param skuName string
@minValue(1)
@maxValue(3)
@description('Capacity units of a Dedicated scheduler; ignored for Consumption.')
param capacity int
@description('Addresses allowed to reach the scheduler (IPv4, IPv6 or CIDR). Required: an empty list denies every caller.')
param ipAllowlist array
@description('Task hub name: the app\'s TASK_HUB_NAME, which host.json names.')
param taskHubName string

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    ipAllowlist: ipAllowlist
    sku: skuName == 'Dedicated' ? { name: skuName, capacity: capacity } : { name: skuName }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

output name string = scheduler.name
output taskHubName string = taskHub.name
// The gRPC endpoint (https://<name>.<region>.durabletask.io) the connection setting names; it is no secret.
output endpoint string = scheduler.properties.endpoint
