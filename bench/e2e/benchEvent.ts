/** Stream name i of n: s-000 ... s-099. */
export const benchStream = (i: number): string => `s-${String(i).padStart(3, '0')}`;

/**
 * A ~150-byte sensor reading (as NDJSON text): stream, time, value and a few descriptive fields, the shape
 * a real producer sends. Values are multiples of 1/8 so sums stay exact in floating point.
 */
export function benchEvent(seq: number, streams: number, at: Date): string {
  const s = seq % streams;
  return JSON.stringify({
    stream: benchStream(s),
    time: at.toISOString(),
    value: ((seq * 7919) % 8000) / 8,
    unit: 'kPa',
    site: `plant-${String(s % 17).padStart(2, '0')}`,
    device: `dev-${String(s).padStart(5, '0')}`,
    fw: '4.2.17',
    seq,
  });
}
