import type { StoredWindow } from '../../src/core/state/storedWindow';
import type { ClosedWindow } from '../../src/core/state/types';

/** A closed window as the stream entity writes it; no measures unless `over` gives some. Tests tag rows through `over`. */
export function closedWindowData(start: number, end: number, over: Partial<ClosedWindow> = {}): ClosedWindow {
  return {
    pipeline: 'p',
    stream: 's',
    start,
    end,
    events: 0,
    measures: {},
    closedAt: end,
    closedBy: 'watermark',
    ...over,
  };
}

/** A Windows-table row holding {@link closedWindowData}. */
export function closedWindowRow(start: number, end: number, over: Partial<ClosedWindow> = {}): StoredWindow {
  return { start, end, data: closedWindowData(start, end, over) };
}
