import { readFileSync } from 'node:fs';

/**
 * User + system CPU time of a process in ms from /proc (Linux); undefined elsewhere or when it is gone. With
 * `thread`, of that one thread of it (the process's own pid is its main thread: Node's JavaScript thread).
 */
export function processCpuMs(pid: number | undefined, thread?: number): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every mainstream Linux build.
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU ms per 1,000 events between two processCpuMs readings, to 0.1 ms; null when either reading failed. */
export function cpuMsPer1000(before: number | undefined, after: number | undefined, events: number): number | null {
  return before === undefined || after === undefined ? null : Math.round(((after - before) * 10000) / events) / 10;
}
