import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createEventHubExtension } from '../../../local-host/eventhub/createEventHubExtension';
import type { HostContext, HostFunction, HostLogger } from '../../../local-host/extension';

const quiet: HostLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function fn(name: string, binding: Record<string, unknown>): HostFunction {
  const info = {
    name: 'b',
    direction: binding.type === 'eventHub' ? ('out' as const) : ('in' as const),
    type: String(binding.type),
    ...binding,
  };
  return { name, id: name, trigger: info, bindings: [info] };
}

describe('event hub extension stop', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lh-eh-stop-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('closes its hubs even when a partition cannot write its last checkpoint, and reports that failure', async () => {
    const consume = fn('consume', { type: 'eventHubTrigger', eventHubName: 'h', cardinality: 'many' });
    const produce = fn('produce', { type: 'eventHub', eventHubName: 'h' });
    let invocations = 0;
    const ctx: HostContext = {
      functions: [consume, produce],
      // Checkpoints only every 100 batches, so stop() has one to write.
      hostJson: { extensions: { eventHubs: { batchCheckpointFrequency: 100 } } },
      settings: { LocalEventHub__PartitionCount: '1' },
      dataDir,
      store: 'sqlite',
      baseUrl: () => 'http://localhost:0',
      logger: quiet,
      invoke: async () => {
        invocations++;
        return { invocationId: 'x', outputData: [] };
      },
      route: () => undefined,
    };
    const ext = createEventHubExtension();
    await ext.init(ctx);
    await ext.start();
    await ext.handleOutput!(produce, produce.bindings[0]!, { json: '[1]' });
    while (invocations === 0) await new Promise((r) => setTimeout(r, 10));
    // A file where the checkpoint folder should be: the checkpoint written on stop fails.
    rmSync(join(dataDir, 'eventhubs', 'h', 'checkpoints'), { recursive: true, force: true });
    writeFileSync(join(dataDir, 'eventhubs', 'h', 'checkpoints'), 'not a folder');

    await expect(ext.stop()).rejects.toThrow();
    // The hub is closed whatever failed: output after stop finds no open hub.
    await expect(ext.handleOutput!(produce, produce.bindings[0]!, { json: '[2]' })).rejects.toThrow(/is not open/);
  });
});
