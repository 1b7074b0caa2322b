/**
 * The windows an analysis read for one stream, kept in its report so that the next report can list the revisions of
 * exactly those windows (docs/explanation/analysis.md, "Revisions since the last report"). Compact: the starts as runs
 * of equal steps (a tumbling or hopping stream is one run however long), the versions only where above 1.
 */
export interface WindowsRead {
  /** [first start, step, count] per run, ascending; a run of one has step 0. */
  starts: [number, number, number][];
  /** [start, version] of the windows read at a version above 1 (any other start was read at version 1). */
  versions: [number, number][];
}

/** A stored window's version: `data.version`, or 1 (first closed, or written before revisions). */
export function storedVersion(data: unknown): number {
  const v = (data as { version?: unknown } | null)?.version;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : 1;
}

/** The record of `windows` (ascending by start, as the Windows table returns them). */
export function windowsReadOf(windows: readonly { start: number; data: unknown }[]): WindowsRead {
  const starts: [number, number, number][] = [];
  const versions: [number, number][] = [];
  for (const w of windows) {
    const run = starts[starts.length - 1];
    if (run === undefined) starts.push([w.start, 0, 1]);
    else {
      const last = run[0] + run[1] * (run[2] - 1);
      if (run[2] === 1 && w.start > last) {
        run[1] = w.start - last;
        run[2] = 2;
      } else if (run[1] > 0 && w.start === last + run[1]) run[2] += 1;
      else starts.push([w.start, 0, 1]);
    }
    const version = storedVersion(w.data);
    if (version > 1) versions.push([w.start, version]);
  }
  return { starts, versions };
}

/** Every start of the record with the version it was read at, ascending by start. */
export function readVersions(read: WindowsRead): Map<number, number> {
  const out = new Map<number, number>();
  for (const [first, step, count] of read.starts) for (let i = 0; i < count; i++) out.set(first + step * i, 1);
  for (const [start, version] of read.versions) if (out.has(start)) out.set(start, version);
  return out;
}

/** The range [from, to) of starts the record covers (to = last start + 1), undefined when empty. */
export function readRange(read: WindowsRead): { from: number; to: number } | undefined {
  const first = read.starts[0];
  const last = read.starts[read.starts.length - 1];
  if (first === undefined || last === undefined) return undefined;
  return { from: first[0], to: last[0] + last[1] * (last[2] - 1) + 1 };
}
