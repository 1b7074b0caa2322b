import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the host's schedule monitor keeps per timer function: last run, next due time, when written. */
export interface TimerStatus {
  last: Date;
  next: Date;
  lastUpdated: Date;
}

/** Timer statuses as small JSON files under `<dataDir>/timers/`, so a restart knows the last run. */
export function timerStatusStore(dataDir: string): {
  dir: string;
  read(fn: string): TimerStatus | undefined;
  write(fn: string, status: TimerStatus): void;
} {
  const dir = join(dataDir, 'timers');
  const file = (fn: string): string => join(dir, `${encodeURIComponent(fn)}.json`);
  return {
    dir,
    read(fn) {
      let text: string;
      try {
        text = readFileSync(file(fn), 'utf8');
      } catch {
        return undefined;
      }
      try {
        const raw = JSON.parse(text) as { last?: string; next?: string; lastUpdated?: string };
        const status = {
          last: new Date(raw.last ?? ''),
          next: new Date(raw.next ?? ''),
          lastUpdated: new Date(raw.lastUpdated ?? ''),
        };
        // A damaged file is treated as "never ran" rather than stopping the host.
        return Object.values(status).some((d) => Number.isNaN(d.getTime())) ? undefined : status;
      } catch {
        return undefined;
      }
    },
    write(fn, status) {
      mkdirSync(dir, { recursive: true });
      const target = file(fn);
      const temp = `${target}.tmp`;
      writeFileSync(
        temp,
        JSON.stringify({
          last: status.last.toISOString(),
          next: status.next.toISOString(),
          lastUpdated: status.lastUpdated.toISOString(),
        }),
      );
      renameSync(temp, target);
    },
  };
}
