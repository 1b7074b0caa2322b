import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { readHostJson } from '../../local-host/config/readHostJson';
import { eventHubOptionsFromHostJson } from '../../local-host/eventhub/eventHubOptions';
import { parseCapacityArgs, readSnapshot } from '../../tools/capacity/cli';
import { formatCapacity } from '../../tools/capacity/format';
import { capacityModel } from '../../tools/capacity/model';

const ROOT = resolve(__dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'explanation', 'capacity.md'), 'utf8');
const blocks = [...doc.matchAll(/<!-- capacity: ([^>]*?) -->\n\n([\s\S]*?)\n\n<!-- \/capacity -->/g)].map((m) => ({
  args: m[1] as string,
  table: m[2] as string,
}));

describe('docs/explanation/capacity.md shows what npm run capacity prints', () => {
  it("models the app's own batch cap by default and in every documented size (host.json maxEventBatchSize)", () => {
    const hostBatch = eventHubOptionsFromHostJson(readHostJson(ROOT)).maxEventBatchSize;
    expect(parseCapacityArgs(['--events-per-sec', '1000', '--streams', '10', '--partitions', '4']).input.batch).toBe(
      hostBatch,
    );
    for (const b of blocks) expect(parseCapacityArgs(b.args.split(' ')).input.batch).toBe(hostBatch);
  });

  it('has the three documented sizes: 1k, 20k and 100k events/s', () => {
    expect(blocks.map((b) => parseCapacityArgs(b.args.split(' ')).input.eventsPerSec)).toEqual([1000, 20_000, 100_000]);
  });

  it.each(blocks.map((b) => [b.args, b]))(
    "%s: the table equals the model's output on the committed bench snapshot",
    (_args, b) => {
      const { input } = parseCapacityArgs(b.args.split(' '));
      expect(b.table).toBe(formatCapacity(capacityModel(input, readSnapshot(ROOT).e2e)));
    },
  );
});
