import { output } from '@azure/functions';
import * as df from 'durable-functions';

import type { AlertRecord, AlertStore } from '../../storage/types';
import { analysisDeps } from './deps';

/**
 * Stores the alerts and returns the ones not raised before: the Alerts table's insert-if-absent
 * decides, so re-running a period (or a retried activity) never publishes an alert twice.
 * The flip side: if publishing fails after the insert, that alert is not published again
 * (at most once on the hub; always in the table).
 */
export async function newAlerts(store: AlertStore, alerts: AlertRecord[]): Promise<AlertRecord[]> {
  return alerts.length === 0 ? [] : store.insertNew(alerts);
}

export const alertsHub = output.eventHub({ connection: 'EventHubConnection', eventHubName: '%ALERTS_EVENTHUB_NAME%' });

export const RAISE_ALERTS = 'analysisRaiseAlerts';
export const raiseAlertsActivity = df.app.activity(RAISE_ALERTS, {
  extraOutputs: [alertsHub],
  handler: async (alerts: AlertRecord[], context) => {
    const fresh = await newAlerts(analysisDeps().alerts, alerts);
    if (fresh.length > 0) context.extraOutputs.set(alertsHub, fresh);
    return fresh.length;
  },
});
