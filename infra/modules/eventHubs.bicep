// The Event Hubs namespace with the hub Streamfold ingests from, its consumer group, and the hub alerts go to.
// Plain resources rather than the AVM module: that module creates a namespace-wide SAS rule by default and returns its
// keys as (secure) outputs, and Streamfold wants no SAS rule at all. Local (SAS) auth is disabled: senders and the app use Entra ID.
param name string
param location string
param tags object

@minValue(1)
@maxValue(20)
@description('Throughput units of the Standard namespace (each: 1 MB/s or 1000 events/s in, 2 MB/s out).')
param throughputUnits int

@description('Let Event Hubs raise the throughput units under load, up to maximumThroughputUnits.')
param autoInflateEnabled bool

@minValue(1)
@maxValue(40)
@description('Upper bound for auto-inflate; ignored when it is off.')
param maximumThroughputUnits int

param eventsHubName string
@minValue(1)
@maxValue(32)
param eventsPartitionCount int
param consumerGroupName string

param alertsHubName string
@minValue(1)
@maxValue(32)
param alertsPartitionCount int

@minValue(1)
@maxValue(7)
param messageRetentionInDays int

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: throughputUnits
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    isAutoInflateEnabled: autoInflateEnabled
    maximumThroughputUnits: autoInflateEnabled ? maximumThroughputUnits : 0
  }
}

resource eventsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: eventsHubName
  properties: {
    partitionCount: eventsPartitionCount
    messageRetentionInDays: messageRetentionInDays
  }
}

// A dedicated group keeps other readers (a debugging consumer, another app) from taking the ingest function's partitions.
resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: eventsHub
  name: consumerGroupName
}

resource alertsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: alertsHubName
  properties: {
    partitionCount: alertsPartitionCount
    messageRetentionInDays: messageRetentionInDays
  }
}

output name string = namespace.name
output resourceId string = namespace.id
// serviceBusEndpoint is https://<namespace>.<cloud suffix>:443/; clients want the bare host name, in any cloud.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
output eventsHubName string = eventsHub.name
output alertsHubName string = alertsHub.name
output consumerGroupName string = consumerGroup.name
