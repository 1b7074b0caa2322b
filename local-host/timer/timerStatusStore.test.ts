import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { timerStatusStore } from './timerStatusStore';

describe('timerStatusStore', () => {
  it('round-trips a status and reads absent or damaged files as undefined', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-timers-'));
    const store = timerStatusStore(dir);
    expect(store.read('tick')).toBeUndefined();
    const status = {
      last: new Date('2024-01-01T00:00:00Z'),
      next: new Date('2024-01-01T00:01:00Z'),
      lastUpdated: new Date('2024-01-01T00:00:01Z'),
    };
    store.write('tick', status);
    expect(store.read('tick')).toEqual(status);
    writeFileSync(join(dir, 'timers', 'bad.json'), '{"last":"nope"}');
    expect(store.read('bad')).toBeUndefined();
  });
});
