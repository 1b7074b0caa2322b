import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import { localHubTarget } from './targets';

/** A stand-in for the local hub's producer route that records what it was sent. */
async function recordingHub(): Promise<{
  url: string;
  requests: { url: string; body: string }[];
  close(): Promise<void>;
}> {
  const requests: { url: string; body: string }[] = [];
  const read = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return text;
  };
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      requests.push({ url: req.url ?? '', body });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ accepted: body.split('\n').filter((l) => l !== '').length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('localHubTarget.sendGroups', () => {
  it('sends a batch of several partition keys as one request of envelopes, each event with its key', async () => {
    const hub = await recordingHub();
    try {
      const target = localHubTarget(hub.url, 'events');
      await target.sendGroups([
        [
          's1',
          [
            { stream: 's1', value: 1 },
            { stream: 's1', value: 2 },
          ],
        ],
        ['s2', [{ stream: 's2', value: 3 }]],
        [undefined, ['not json']],
      ]);
      expect(hub.requests).toHaveLength(1);
      expect(hub.requests[0]?.url).toBe('/runtime/eventhubs/events/events?envelope=true');
      expect(hub.requests[0]?.body.split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
        { body: { stream: 's1', value: 1 }, partitionKey: 's1' },
        { body: { stream: 's1', value: 2 }, partitionKey: 's1' },
        { body: { stream: 's2', value: 3 }, partitionKey: 's2' },
        { body: 'not json' },
      ]);
    } finally {
      await hub.close();
    }
  });

  it('sends one group as plain NDJSON with its partition key in the query', async () => {
    const hub = await recordingHub();
    try {
      await localHubTarget(hub.url, 'events').sendGroups([['room-1', [{ v: 1 }, { v: 2 }]]]);
      expect(hub.requests.map((r) => [r.url, r.body])).toEqual([
        ['/runtime/eventhubs/events/events?partitionKey=room-1', '{"v":1}\n{"v":2}'],
      ]);
    } finally {
      await hub.close();
    }
  });
});
