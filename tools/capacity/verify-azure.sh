#!/usr/bin/env bash
# Load test of a deployed Streamfold (after `azd up`), to compare with `npm run capacity`. Sends synthetic events to
# the namespace's "events" hub with your Entra identity (the deployment gives you Azure Event Hubs Data Sender), then
# reads /api/metrics, which reports events in, entity operations per 1,000 events and ingest latency.
#
#   tools/capacity/verify-azure.sh <namespace fqdn> <app url> <function key> [rate] [seconds] [streams]
#
# Several senders in parallel reach higher rates than one (each is one Node process); this runs SENDERS of them.
set -euo pipefail
NS=${1:?namespace FQDN, e.g. evhns-abc.servicebus.windows.net}
URL=${2:?app URL, e.g. https://func-api-abc.azurewebsites.net}
KEY=${3:?a function key (az functionapp keys list)}
RATE=${4:-1000}
SECONDS_TO_RUN=${5:-300}
STREAMS=${6:-100}
SENDERS=${SENDERS:-1}
per_sender=$(( RATE / SENDERS ))
echo "sending ${RATE} events/s for ${SECONDS_TO_RUN} s over ${STREAMS} streams with ${SENDERS} sender(s)" >&2
pids=()
for i in $(seq 1 "$SENDERS"); do
  npm run -s send -- --namespace "$NS" --streams "$STREAMS" --rate "$per_sender" --duration "$SECONDS_TO_RUN" \
    --key-by-stream --seed "$i" --no-progress --json > "send-$i.json" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
minutes=$(( SECONDS_TO_RUN / 60 + 5 ))
echo "waiting 60 s for the last batches, then reading /api/metrics?minutes=${minutes}" >&2
sleep 60
curl -fsS -H "x-functions-key: ${KEY}" "${URL}/api/metrics?minutes=${minutes}"
echo
