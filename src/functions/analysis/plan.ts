/**
 * Fan-out sizes. A chunk activity reads and analyses CHUNK_SIZE streams (about 25 x 500
 * windows: a few MB of table reads, well inside an activity's time). Above
 * SUB_ORCHESTRATION_THRESHOLD streams, chunks are grouped GROUP_CHUNKS at a time into
 * sub-orchestrations so each history holds at most ~20 task results instead of thousands.
 */
export const CHUNK_SIZE = 25;
export const SUB_ORCHESTRATION_THRESHOLD = 500;
export const GROUP_CHUNKS = 20;
/** Tasks (chunks, or groups) started together; progress is reported after each wave. */
export const FAN_OUT_WAVE = 20;

/** Streams whose window means are correlated pairwise (N streams -> N(N-1)/2 pairs). */
export const CORRELATION_TOP_N = 10;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!(Number.isInteger(size) && size >= 1))
    throw new RangeError(`chunk: expected a positive integer size, found ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Chunks of streams, grouped for sub-orchestrations when there are many streams (else one group per chunk is not used). */
export function planChunks(streams: readonly string[]): { chunks: string[][]; groups: string[][][] | null } {
  const chunks = chunk(streams, CHUNK_SIZE);
  return { chunks, groups: streams.length > SUB_ORCHESTRATION_THRESHOLD ? chunk(chunks, GROUP_CHUNKS) : null };
}
