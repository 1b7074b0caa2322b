import type { ClosedWindow } from './types';

/**
 * A closed window as the Windows table holds it, one row per (stream, window start): the stream entity writes it
 * (storage's WindowRecord, data = the ClosedWindow it closed), `GET .../windows` serves it and the analysis reads it
 * back (fromStoredWindow). Every row the entity has written has this shape; a row is JSON read back from a table, so
 * readers that must survive rows written by other means check what they use.
 */
export interface StoredWindow {
  /** Window start, epoch ms (>= 0). */
  start: number;
  /** Window end, epoch ms. */
  end: number;
  data: ClosedWindow;
}
