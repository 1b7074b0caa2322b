import {
  type CompiledPipeline,
  type DeadLetterReason,
  type OutcomeCounts,
  processBatch,
  summarize,
  type Summary,
} from '../../core';

/** What happened to one test event in the pipeline under test. */
export type EventVerdict =
  | { index: number; outcome: 'unmatched'; expression: string; missingField: boolean }
  | { index: number; outcome: 'filtered'; expression: string; missingField: boolean }
  | { index: number; outcome: 'deadLettered'; reason: DeadLetterReason; detail: string; stream?: string }
  | {
      index: number;
      outcome: 'aggregated';
      stream: string;
      time: string;
      windowStarts: string[];
      values: Record<string, number>;
    };

export interface TestWindow {
  start: string;
  end: string;
  events: number;
  measures: Record<string, Summary>;
}

export interface PipelineTestResult {
  pipeline: string;
  /** The time the run used as every event's enqueued time (and as "now"). */
  enqueuedTime: string;
  verdicts: EventVerdict[];
  /** Per stream, the windows the events made, oldest first. */
  streams: { stream: string; events: number; windows: TestWindow[] }[];
  /** The run's outcome counts, as ingest records them per pipeline (unmatched events count as filtered). */
  counts: OutcomeCounts;
}

export interface PipelineTestOptions {
  now: number;
  maxFutureSkewMs?: number;
  minEventTime?: number;
}

/**
 * Runs `events` through the core's processBatch exactly as ingest does for one partition (the same compiled pipeline,
 * body decoding, match, filter, key, time bounds, measures and windows), as one batch from empty state, every event
 * enqueued at `now`. Per-event verdicts come from processBatch too, run on each event alone: within one batch nothing
 * depends on another event (lateness is judged against earlier batches only), so the lone run's outcome is that
 * event's outcome in the batch; the whole-batch run gives the windows and counts. No second implementation to drift.
 */
export function runPipelineTest(
  pipeline: CompiledPipeline,
  events: readonly unknown[],
  o: PipelineTestOptions,
): PipelineTestResult {
  const base = {
    partitionId: '0',
    pipelines: [pipeline],
    now: o.now,
    deadLetterUnmatched: false,
    ...(o.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: o.maxFutureSkewMs }),
    ...(o.minEventTime === undefined ? {} : { minEventTime: o.minEventTime }),
  };
  const enqueued = new Date(o.now).toISOString();
  const whole = processBatch({
    ...base,
    bodies: events,
    sequenceNumbers: events.map((_, i) => i),
    enqueuedTimes: events.map(() => enqueued),
  });
  const verdicts = events.map((body, index) =>
    verdictOf(
      pipeline,
      index,
      processBatch({ ...base, bodies: [body], sequenceNumbers: [index], enqueuedTimes: [enqueued] }),
    ),
  );
  const streams = whole.partials.map((p) => ({
    stream: p.stream,
    events: p.events,
    windows: p.windows.map((w) => ({
      start: new Date(w.start).toISOString(),
      end: new Date(w.end).toISOString(),
      events: w.events,
      measures: Object.fromEntries(Object.entries(w.measures).map(([name, agg]) => [name, summarize(agg)])),
    })),
  }));
  return {
    pipeline: pipeline.name,
    enqueuedTime: enqueued,
    verdicts,
    streams,
    counts: whole.metrics.byPipeline[pipeline.name] as OutcomeCounts,
  };
}

function verdictOf(pipeline: CompiledPipeline, index: number, run: ReturnType<typeof processBatch>): EventVerdict {
  const counts = run.metrics.byPipeline[pipeline.name] as OutcomeCounts;
  const dead = run.deadLetters[0];
  if (counts.deadLettered > 0 && dead !== undefined) {
    return {
      index,
      outcome: 'deadLettered',
      reason: dead.reason,
      detail: dead.detail,
      ...(dead.stream === undefined ? {} : { stream: dead.stream }),
    };
  }
  if (counts.filtered > 0) {
    const missingField = counts.filteredMissing > 0;
    // matched counts the events `match` took: none means `match` left it out, else `filter` did.
    if (counts.matched === 0)
      return { index, outcome: 'unmatched', expression: pipeline.match?.text ?? '', missingField };
    return { index, outcome: 'filtered', expression: pipeline.filter?.text ?? '', missingField };
  }
  const partial = run.partials[0];
  if (counts.aggregated !== 1 || partial === undefined) {
    throw new Error(`internal: expected one outcome for test event ${index}, found ${JSON.stringify(counts)}`);
  }
  const values: Record<string, number> = {};
  // A lone event's aggregate per measure holds just its value (absent measures were null or missing).
  for (const [name, agg] of Object.entries(partial.windows[0]?.measures ?? {}))
    if (agg.count > 0) values[name] = agg.sum;
  return {
    index,
    outcome: 'aggregated',
    stream: partial.stream,
    time: new Date(partial.maxEventTime as number).toISOString(),
    windowStarts: partial.windows.map((w) => new Date(w.start).toISOString()),
    values,
  };
}
