import { Accumulator, type Aggregate } from '../aggregates';
import { type EventProblem, type EventRecord, isEventProblem, normalizeEvent } from '../events';
import { describeValue } from '../expressions';
import type { CompiledPipeline } from '../pipelines';
import { windowsFor } from '../windows';
import { parseEnqueuedTime, parseEventTime } from './eventTime';
import {
  type BatchInput,
  type BatchResult,
  DEAD_LETTER_REASONS,
  type DeadLetter,
  type DeadLetterReason,
  type OutcomeCounts,
  type StreamPartial,
} from './types';

export const MAX_STREAM_KEY_LENGTH = 256;

/** A plain event or a CloudEvent, normalized (src/core/events), or why the body is not an event. */
type Body = EventRecord | EventProblem;

function readBody(body: unknown): Body {
  if (typeof body === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return { raw: body, code: 'invalid-json', message: `expected a JSON object, found text that is not JSON (${e instanceof Error ? e.message : String(e)})` };
    }
    return normalizeEvent(parsed, body);
  }
  let raw: string;
  try {
    raw = body === undefined ? '' : (JSON.stringify(body) ?? String(body));
  } catch {
    raw = String(body);
  }
  return normalizeEvent(body, raw);
}

class WindowBuilder {
  events = 0;
  readonly measures = new Map<string, Accumulator>();
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
}

class PartialBuilder {
  events = 0;
  late = 0;
  invalid = 0;
  firstEventSequence = Infinity;
  lastEventSequence = -Infinity;
  maxEventTime = -Infinity;
  minEnqueuedTime = Infinity;
  maxEnqueuedTime = -Infinity;
  readonly windows = new Map<number, WindowBuilder>();
  readonly totals = new Map<string, Accumulator>();
  readonly latency: Accumulator;

  constructor(
    readonly stream: string,
    readonly accuracy: number,
  ) {
    this.latency = new Accumulator(accuracy);
  }

  touch(sequence: number, enqueued: number): void {
    if (sequence < this.firstEventSequence) this.firstEventSequence = sequence;
    if (sequence > this.lastEventSequence) this.lastEventSequence = sequence;
    if (enqueued < this.minEnqueuedTime) this.minEnqueuedTime = enqueued;
    if (enqueued > this.maxEnqueuedTime) this.maxEnqueuedTime = enqueued;
  }

  accumulator(map: Map<string, Accumulator>, name: string): Accumulator {
    let acc = map.get(name);
    if (acc === undefined) {
      acc = new Accumulator(this.accuracy);
      map.set(name, acc);
    }
    return acc;
  }
}

const emptyCounts = (): OutcomeCounts => ({
  eventsIn: 0,
  aggregated: 0,
  filtered: 0,
  deadLettered: 0,
  byReason: Object.fromEntries(DEAD_LETTER_REASONS.map((r) => [r, 0])) as Record<DeadLetterReason, number>,
});

const freeze = (map: Map<string, Accumulator>): Record<string, Aggregate> =>
  Object.fromEntries([...map].map(([name, acc]) => [name, acc.toAggregate()]));

/**
 * Folds one Event Hubs batch into one partial per (pipeline, stream), dead letters and metrics. Pure: no I/O, no clock
 * (the caller passes `now`), never throws on bad events.
 *
 * Counting: a delivery is an (event, pipeline) pair and has exactly one outcome (aggregated, filtered or dead-lettered);
 * every dead-lettered delivery yields exactly one dead-letter record. So per pipeline and overall
 * eventsIn = aggregated + filtered + deadLettered, and deadLettered = deadLetters.length. With no pipelines every
 * event is one delivery dead-lettered as 'no-pipeline'. With `deadLetterUnmatched`, an event every pipeline filtered
 * out adds one more delivery, dead-lettered as 'no-pipeline' and counted only in the totals (not in byPipeline).
 */
export function processBatch(input: BatchInput): BatchResult {
  const { now, partitionId: partition } = input;
  const bodies = input.bodies.map(readBody);
  const sequences = bodies.map((_, i) => {
    const s = input.sequenceNumbers[i];
    return typeof s === 'number' && Number.isFinite(s) ? s : -1;
  });
  const enqueued = bodies.map((_, i) => parseEnqueuedTime(input.enqueuedTimes[i]) ?? now);
  const firstSequence = sequences.length ? Math.min(...sequences) : null;
  const lastSequence = sequences.length ? Math.max(...sequences) : null;

  const deadLetters: DeadLetter[] = [];
  const partials: StreamPartial[] = [];
  const total = emptyCounts();
  const byPipeline: Record<string, OutcomeCounts> = {};
  const streams = new Set<string>();

  const deadLetter = (counts: OutcomeCounts, i: number, reason: DeadLetterReason, detail: string, pipeline?: string, stream?: string) => {
    counts.deadLettered++;
    counts.byReason[reason]++;
    const record: DeadLetter = {
      raw: (bodies[i] as Body).raw,
      reason,
      detail,
      partition,
      sequenceNumber: sequences[i] as number,
      enqueuedTime: new Date(enqueued[i] as number).toISOString(),
    };
    if (pipeline !== undefined) record.pipeline = pipeline;
    if (stream !== undefined) record.stream = stream;
    deadLetters.push(record);
  };

  if (input.pipelines.length === 0) {
    for (let i = 0; i < bodies.length; i++) {
      total.eventsIn++;
      deadLetter(total, i, 'no-pipeline', 'no active pipeline: expected at least one pipeline definition, found none');
    }
  }

  const filteredBy = new Array<number>(bodies.length).fill(0);
  for (const pipeline of input.pipelines) {
    const counts = emptyCounts();
    byPipeline[pipeline.name] = counts;
    const builders = foldPipeline(pipeline, input, bodies, sequences, enqueued, counts, deadLetter, (i) => void (filteredBy[i] = (filteredBy[i] ?? 0) + 1));
    for (const b of builders.values()) {
      streams.add(b.stream);
      partials.push({
        pipeline: pipeline.name,
        stream: b.stream,
        partition,
        firstSequence: firstSequence as number,
        lastSequence: lastSequence as number,
        firstEventSequence: b.firstEventSequence,
        lastEventSequence: b.lastEventSequence,
        events: b.events,
        late: b.late,
        invalid: b.invalid,
        windows: [...b.windows.values()]
          .sort((x, y) => x.start - y.start)
          .map((w) => ({ start: w.start, end: w.end, events: w.events, measures: freeze(w.measures) })),
        totals: freeze(b.totals),
        maxEventTime: b.events > 0 ? b.maxEventTime : null,
        minEnqueuedTime: b.minEnqueuedTime,
        maxEnqueuedTime: b.maxEnqueuedTime,
        latency: b.latency.toAggregate(),
        processedAt: now,
      });
    }
    total.eventsIn += counts.eventsIn;
    total.aggregated += counts.aggregated;
    total.filtered += counts.filtered;
    total.deadLettered += counts.deadLettered;
    for (const r of DEAD_LETTER_REASONS) total.byReason[r] += counts.byReason[r];
  }

  if (input.deadLetterUnmatched && input.pipelines.length > 0) {
    const names = input.pipelines.map((p) => p.name).join(', ');
    for (let i = 0; i < bodies.length; i++) {
      if (filteredBy[i] !== input.pipelines.length) continue;
      total.eventsIn++;
      deadLetter(total, i, 'no-pipeline', `no matching pipeline: every active pipeline's match or filter excluded the event (${names}); dead-lettered because DEADLETTER_UNMATCHED is on`);
    }
  }

  return {
    partials,
    deadLetters,
    metrics: {
      ...total,
      bodies: bodies.length,
      pipelines: input.pipelines.length,
      byPipeline,
      streams: streams.size,
      entityOperations: partials.length,
      firstSequence,
      lastSequence,
    },
  };
}

function foldPipeline(
  pipeline: CompiledPipeline,
  input: BatchInput,
  bodies: Body[],
  sequences: number[],
  enqueued: number[],
  counts: OutcomeCounts,
  deadLetter: (counts: OutcomeCounts, i: number, reason: DeadLetterReason, detail: string, pipeline?: string, stream?: string) => void,
  filtered: (i: number) => void,
): Map<string, PartialBuilder> {
  const { name, config } = pipeline;
  const builders = new Map<string, PartialBuilder>();
  const spec = { sizeMs: config.windowSizeMs, hopMs: config.hopMs };
  const values: (number | null)[] = new Array(pipeline.measures.length);

  for (let i = 0; i < bodies.length; i++) {
    counts.eventsIn++;
    const body = bodies[i] as Body;
    if (isEventProblem(body)) {
      deadLetter(counts, i, body.code, body.message, name);
      continue;
    }
    const event = body.payload;

    // An event the pipeline does not take (match false, or not evaluable on it) is `filtered` here; with
    // DEADLETTER_UNMATCHED, one that no pipeline takes is dead-lettered once as no-pipeline.
    if (pipeline.match) {
      const r = pipeline.match.evaluate(event);
      if (!r.ok || r.value !== true) {
        counts.filtered++;
        filtered(i);
        continue;
      }
    }

    if (pipeline.filter) {
      const r = pipeline.filter.evaluate(event);
      if (!r.ok) {
        deadLetter(counts, i, 'expression', `filter ${JSON.stringify(pipeline.filter.text)}: ${r.error.message}`, name);
        continue;
      }
      if (typeof r.value !== 'boolean') {
        deadLetter(counts, i, 'expression', `filter ${JSON.stringify(pipeline.filter.text)}: expected a boolean, found ${describeValue(r.value)}`, name);
        continue;
      }
      if (!r.value) {
        counts.filtered++;
        filtered(i);
        continue;
      }
    }

    const key = pipeline.key.evaluate(event);
    if (!key.ok) {
      deadLetter(counts, i, 'expression', `key ${JSON.stringify(pipeline.key.text)}: ${key.error.message}`, name);
      continue;
    }
    const keyValue = key.value === null && pipeline.keyFallsBackToSubject && body.subject !== undefined ? body.subject : key.value;
    const stream = typeof keyValue === 'string' ? keyValue : typeof keyValue === 'number' ? String(keyValue) : undefined;
    if (stream === undefined || stream.length === 0 || stream.length > MAX_STREAM_KEY_LENGTH) {
      deadLetter(counts, i, 'schema', `key ${JSON.stringify(pipeline.key.text)}: expected a non-empty string or number (at most ${MAX_STREAM_KEY_LENGTH} characters), found ${describeValue(keyValue)}`, name);
      continue;
    }

    let builder = builders.get(stream);
    if (builder === undefined) {
      builder = new PartialBuilder(stream, config.sketchAccuracy);
      builders.set(stream, builder);
    }
    const enqueuedAt = enqueued[i] as number;
    builder.touch(sequences[i] as number, enqueuedAt);

    const rawTime = pipeline.time.evaluate(event);
    let time = enqueuedAt;
    if (!rawTime.ok) {
      builder.invalid++;
      deadLetter(counts, i, 'expression', `time ${JSON.stringify(pipeline.time.text)}: ${rawTime.error.message}`, name, stream);
      continue;
    }
    const timeValue = rawTime.value === null ? (body.time ?? null) : rawTime.value;
    if (timeValue !== null) {
      const parsed = parseEventTime(timeValue, rawTime.value === null ? 'CloudEvent time' : pipeline.time.text);
      if (!parsed.ok) {
        builder.invalid++;
        deadLetter(counts, i, 'schema', parsed.detail, name, stream);
        continue;
      }
      time = parsed.time;
    }

    const watermark = input.watermarks?.(name, stream);
    if (watermark !== undefined && time < watermark - config.allowedLatenessMs) {
      builder.late++;
      deadLetter(
        counts,
        i,
        'late',
        `event time ${new Date(time).toISOString()} is before watermark ${new Date(watermark).toISOString()} minus allowed lateness ${config.allowedLatenessMs} ms`,
        name,
        stream,
      );
      continue;
    }

    // Evaluate every measure before adding any, so an event is either fully aggregated or fully dead-lettered.
    let failure: { reason: DeadLetterReason; detail: string } | undefined;
    let present = 0;
    for (let m = 0; m < pipeline.measures.length; m++) {
      const [measure, expression] = pipeline.measures[m] as [string, (typeof pipeline.measures)[number][1]];
      const r = expression.evaluate(event);
      if (!r.ok) {
        failure = { reason: 'expression', detail: `measure ${measure} ${JSON.stringify(expression.text)}: ${r.error.message}` };
        break;
      }
      if (r.value === null) {
        values[m] = null;
        continue;
      }
      if (typeof r.value !== 'number' || !Number.isFinite(r.value)) {
        failure = { reason: 'schema', detail: `measure ${measure} ${JSON.stringify(expression.text)}: expected a finite number, found ${describeValue(r.value)}` };
        break;
      }
      values[m] = r.value;
      present++;
    }
    if (failure === undefined && present === 0) {
      failure = { reason: 'schema', detail: `expected a value for at least one measure (${pipeline.measures.map(([m, e]) => `${m} = ${e.text}`).join(', ')}), found none (all null or missing)` };
    }
    if (failure !== undefined) {
      builder.invalid++;
      deadLetter(counts, i, failure.reason, failure.detail, name, stream);
      continue;
    }

    counts.aggregated++;
    builder.events++;
    if (time > builder.maxEventTime) builder.maxEventTime = time;
    builder.latency.add(Math.max(0, input.now - enqueuedAt), time);
    for (const bounds of windowsFor(time, spec)) {
      let w = builder.windows.get(bounds.start);
      if (w === undefined) {
        w = new WindowBuilder(bounds.start, bounds.end);
        builder.windows.set(bounds.start, w);
      }
      w.events++;
      for (let m = 0; m < pipeline.measures.length; m++) {
        const v = values[m];
        if (v === null || v === undefined) continue;
        builder.accumulator(w.measures, (pipeline.measures[m] as [string, unknown])[0]).add(v, time);
      }
    }
    for (let m = 0; m < pipeline.measures.length; m++) {
      const v = values[m];
      if (v === null || v === undefined) continue;
      builder.accumulator(builder.totals, (pipeline.measures[m] as [string, unknown])[0]).add(v, time);
    }
  }
  return builders;
}
