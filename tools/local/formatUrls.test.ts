import { formatUrls } from './formatUrls';

describe('formatUrls', () => {
  it('names the API, health, streams, metrics, hub endpoint and a curl example on the given base URL', () => {
    const text = formatUrls({ baseUrl: 'http://localhost:7071', hub: 'events', dataDir: '/d' });
    expect(text).toContain('API base        http://localhost:7071/api\n');
    expect(text).toContain('http://localhost:7071/api/health');
    expect(text).toContain('http://localhost:7071/api/streams');
    expect(text).toContain('http://localhost:7071/api/metrics');
    expect(text).toContain('POST http://localhost:7071/runtime/eventhubs/events/events');
    expect(text).toMatch(
      /curl -X POST http:\/\/localhost:7071\/runtime\/eventhubs\/events\/events -H 'content-type: application\/json'/,
    );
    expect(text).not.toContain('Azurite');
  });

  it('lists Azurite endpoints when it started them and encodes the hub name', () => {
    const text = formatUrls({
      baseUrl: 'http://localhost:1',
      hub: 'a b',
      dataDir: '/d',
      azurite: { blobUrl: 'B', queueUrl: 'Q', tableUrl: 'T' },
    });
    expect(text).toContain('Azurite         blob B, queue Q, table T');
    expect(text).toContain('/runtime/eventhubs/a%20b/events');
  });

  it('names the embedded table store apart from Azurite when it serves the tables', () => {
    const text = formatUrls({
      baseUrl: 'http://localhost:1',
      hub: 'h',
      dataDir: '/d',
      azurite: { blobUrl: 'B', queueUrl: 'Q', tableUrl: 'T', tables: 'embedded' },
    });
    expect(text).toContain('Azurite         blob B, queue Q\n');
    expect(text).toContain('Tables          T   (embedded SQLite store)');
  });
});
