import { EventHubProducerClient } from '@azure/event-hubs';
import { DefaultAzureCredential } from '@azure/identity';

/** Where events go. `send` resolves once the target accepted them all, or rejects. */
export interface SendTarget {
  readonly description: string;
  check(): Promise<void>;
  send(events: readonly unknown[], partitionKey?: string): Promise<void>;
  /** Several partition-key groups of one batch at once (one request to the local hub; concurrent batches to Azure). */
  sendGroups(groups: readonly (readonly [string | undefined, readonly unknown[]])[]): Promise<void>;
  close(): Promise<void>;
}

const body = (event: unknown): string => (typeof event === 'string' ? event : JSON.stringify(event));

function describeFetchError(err: unknown, url: string, timeoutMs?: number): Error {
  if ((err as Error).name === 'TimeoutError') {
    return new Error(
      `Cannot reach the local host at ${url}: no answer within ${timeoutMs} ms (--connect-timeout). Is it running, and is this its URL?`,
    );
  }
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? cause?.message ?? (err as Error).message;
  return new Error(
    `Cannot reach the local host at ${url} (${code}). Is it running? Start it with \`npm run local\` (or pass --url).`,
  );
}

/** The local host's hub endpoint: POST <url>/runtime/eventhubs/<hub>/events as NDJSON. */
export function localHubTarget(url: string, hub: string, connectTimeoutMs = 30_000, key?: string): SendTarget {
  const base = url.replace(/\/$/, '');
  // A host with --require-keys wants the master key to produce (a function key only reads).
  const auth: Record<string, string> = key ? { 'x-functions-key': key } : {};
  const hubUrl = `${base}/runtime/eventhubs/${encodeURIComponent(hub)}`;
  return {
    description: `local hub "${hub}" at ${base}`,
    async check() {
      let res: Response;
      try {
        res = await fetch(hubUrl, { headers: auth, signal: AbortSignal.timeout(connectTimeoutMs) });
      } catch (err) {
        throw describeFetchError(err, base, connectTimeoutMs);
      }
      if (res.status === 404) throw new Error(`${base} has no local event hub "${hub}": ${await res.text()}`);
      if (!res.ok) throw new Error(`${hubUrl} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    },
    async send(events, partitionKey) {
      const query = partitionKey === undefined ? '' : `?partitionKey=${encodeURIComponent(partitionKey)}`;
      let res: Response;
      try {
        res = await fetch(`${hubUrl}/events${query}`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/x-ndjson' },
          body: events.map((e) => JSON.stringify(e)).join('\n'),
        });
      } catch (err) {
        throw describeFetchError(err, base);
      }
      if (!res.ok)
        throw new Error(
          `The local hub refused ${events.length} events: ${res.status} ${(await res.text()).slice(0, 300)}`,
        );
      const answer = (await res.json()) as { accepted?: number };
      if (answer.accepted !== events.length)
        throw new Error(`The local hub accepted ${answer.accepted} of ${events.length} events.`);
    },
    async sendGroups(groups) {
      if (groups.length === 1) return this.send(groups[0]?.[1] ?? [], groups[0]?.[0]);
      // One request with a partition key per event (envelopes), not one request per key: the hub fsyncs each request,
      // so --key-by-stream over 100 streams cost 100 sequential requests per batch (about 20x slower).
      const lines = groups.flatMap(([partitionKey, events]) =>
        events.map((e) => JSON.stringify(partitionKey === undefined ? { body: e } : { body: e, partitionKey })),
      );
      let res: Response;
      try {
        res = await fetch(`${hubUrl}/events?envelope=true`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/x-ndjson' },
          body: lines.join('\n'),
        });
      } catch (err) {
        throw describeFetchError(err, base);
      }
      if (!res.ok)
        throw new Error(
          `The local hub refused ${lines.length} events: ${res.status} ${(await res.text()).slice(0, 300)}`,
        );
      const answer = (await res.json()) as { accepted?: number };
      if (answer.accepted !== lines.length)
        throw new Error(`The local hub accepted ${answer.accepted} of ${lines.length} events.`);
    },
    close: () => Promise.resolve(),
  };
}

/** A real Event Hub (or the emulator) through @azure/event-hubs, filling batches with createBatch. */
export function eventHubTarget(options: {
  connectionString?: string;
  namespace?: string;
  hub: string;
  connectTimeoutMs?: number;
}): SendTarget {
  const timeoutMs = options.connectTimeoutMs ?? 30_000;
  // Without a bound the client retries an unreachable namespace for minutes.
  const clientOptions = { retryOptions: { maxRetries: 1, timeoutInMs: timeoutMs } };
  const client = options.connectionString
    ? new EventHubProducerClient(options.connectionString, options.hub, clientOptions)
    : new EventHubProducerClient(options.namespace as string, options.hub, new DefaultAzureCredential(), clientOptions);
  return {
    description: `Event Hub "${options.hub}" (${options.namespace ?? 'connection string'})`,
    async check() {
      try {
        await client.getEventHubProperties({ abortSignal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        await Promise.race([client.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
        const aborted = (err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError';
        throw new Error(
          `Cannot reach Event Hub "${options.hub}" (${options.namespace ?? 'connection string'})${aborted ? `: no answer within ${timeoutMs} ms (--connect-timeout)` : `: ${(err as Error).message}`}`,
        );
      }
    },
    async send(events, partitionKey) {
      let batch = await client.createBatch(partitionKey === undefined ? {} : { partitionKey });
      for (const event of events) {
        if (batch.tryAdd({ body: body(event) })) continue;
        if (batch.count === 0)
          throw new Error(`An event is larger than a whole batch (${batch.maxSizeInBytes} bytes).`);
        await client.sendBatch(batch);
        batch = await client.createBatch(partitionKey === undefined ? {} : { partitionKey });
        if (!batch.tryAdd({ body: body(event) }))
          throw new Error(`An event is larger than a whole batch (${batch.maxSizeInBytes} bytes).`);
      }
      if (batch.count > 0) await client.sendBatch(batch);
    },
    async sendGroups(groups) {
      // A batch holds one partition key: the groups go out concurrently rather than one after another.
      await Promise.all(groups.map(([partitionKey, events]) => this.send(events, partitionKey)));
    },
    close: () => client.close(),
  };
}
