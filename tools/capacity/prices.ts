/**
 * Unit prices the capacity model assumes: US dollars, pay-as-you-go list prices for one region (East US), no
 * discounts, 730 hours a month. They could not be fetched from this workplace (no network but package registries),
 * so each row says where it comes from and whether it was checked; replace them with the Azure pricing calculator's
 * figures for your region before you rely on a cost. The model prints the table it used beside every estimate.
 */
export interface UnitPrice {
  /** Dollars per `unit`. */
  usd: number;
  unit: string;
  source: string;
  /** false: an assumption this repository could not check against the price list. */
  verified: boolean;
}

export const PRICES_AS_OF = '2026-12-07';
export const HOURS_PER_MONTH = 730;

export const UNIT_PRICES = {
  eventHubsStandardTu: {
    usd: 0.03,
    unit: 'throughput unit-hour',
    source: 'Event Hubs pricing page, Standard tier (list price as last known)',
    verified: false,
  },
  eventHubsStandardIngress: {
    usd: 0.028,
    unit: 'million events',
    source: 'Event Hubs pricing page, Standard ingress (list price as last known)',
    verified: false,
  },
  eventHubsPremiumPu: {
    usd: 1.233,
    unit: 'processing unit-hour',
    source: 'Event Hubs pricing page, Premium (list price as last known)',
    verified: false,
  },
  flexOnDemandMemory: {
    usd: 0.000026,
    unit: 'GB-second',
    source: 'Azure Functions pricing page, Flex Consumption on-demand execution time',
    verified: false,
  },
  flexOnDemandExecutions: {
    usd: 0.4,
    unit: 'million executions',
    source: 'Azure Functions pricing page, Flex Consumption on-demand executions',
    verified: false,
  },
  schedulerDedicatedCu: {
    usd: 1000,
    unit: 'capacity unit-month',
    source: 'placeholder: the Durable Task Scheduler pricing page could not be read here',
    verified: false,
  },
  schedulerConsumptionActions: {
    usd: 3,
    unit: 'million actions',
    source: 'placeholder: the Durable Task Scheduler pricing page could not be read here',
    verified: false,
  },
  storageTransactions: {
    usd: 0.00036,
    unit: '10,000 transactions',
    source: 'Azure Table/Queue storage pricing page, standard LRS transactions (list price as last known)',
    verified: false,
  },
} as const satisfies Record<string, UnitPrice>;
