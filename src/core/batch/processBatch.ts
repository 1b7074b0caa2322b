import {
  Accumulator,
  type Aggregate,
  type AggregateBuilder,
  type AggregateInput,
  mergeAggregatesAll,
} from '../aggregates';
import { type EventRecord, isEventProblem, normalizeEvent } from '../events';
import { type CompiledExpression, describeValue, NOT_ANSWERED } from '../expressions';
import type { CompiledAggregate, CompiledPipeline } from '../pipelines';
import { streamKeyProblem } from '../streams';
import { sessionFragments, windowsFor } from '../windows';
import { addAggregate, aggregateTotalsOf, aggregateValue, freezeAggregates } from './aggregateInputs';
import { parseCanonicalIso, parseEnqueuedTime, parseEventTime } from './eventTime';
import { fieldSelection, parseSelected } from './selectiveParse';
import {
  type BatchInput,
  type BatchResult,
  DEAD_LETTER_REASONS,
  type DeadLetter,
  type DeadLetterReason,
  DEFAULT_MAX_FUTURE_SKEW_MS,
  type OutcomeCounts,
  type PartialWindow,
  type StreamPartial,
} from './types';

/** Why a body is not an event: invalid JSON, JSON that is not an object, or a malformed CloudEvent. */
class BodyProblem {
  constructor(
    readonly reason: DeadLetterReason,
    readonly detail: string,
  ) {}
}

/** A CloudEvent's envelope values a pipeline falls back to; its payload (`data`) is what expressions read. */
class CloudEventBody {
  constructor(readonly record: EventRecord) {}
}

type Body = Record<string, unknown> | CloudEventBody | BodyProblem;

/**
 * The body as an event payload, a CloudEvent (normalized by src/core/events), or the problem with it. A plain event is
 * its own payload and costs no allocation here. Ingest hands over the trigger's bytes (strict UTF-8, a leading BOM
 * skipped); text and parsed values are read too. The raw text of a body is only needed for a dead letter, so it is
 * built then (`rawBody`), never per event.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

function readBody(body: unknown): Body {
  let value = body;
  let text = body;
  if (body instanceof Uint8Array) {
    // The trigger's bytes (dataType 'binary'). Buffer's decoder is the fast path; only text holding U+FFFD (a
    // replacement, or the character itself) is checked strictly, so a body that is not UTF-8 is dead-lettered.
    // The library hands over Buffers: decode them directly (a new Buffer view per event cost a quarter of a JSON.parse).
    // toString() without arguments is UTF-8 straight to the native slice (with 'utf8' it looks the encoding up first).
    let decoded = (
      Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    ).toString();
    if (decoded.includes('\uFFFD')) {
      try {
        utf8.decode(body);
      } catch {
        return new BodyProblem(
          'invalid-json',
          `expected a JSON object, found ${body.byteLength} bytes that are not valid UTF-8`,
        );
      }
    }
    if (decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
    text = decoded;
  }
  if (typeof text === 'string') {
    if (text.length === 0) return new BodyProblem('invalid-json', 'expected a JSON object, found an empty body');
    try {
      value = JSON.parse(text);
    } catch (e) {
      return new BodyProblem(
        'invalid-json',
        `expected a JSON object, found text that is not JSON (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    (value as Record<string, unknown>)['specversion'] === undefined
  ) {
    return value as Record<string, unknown>;
  }
  const event = normalizeEvent(value);
  return isEventProblem(event) ? new BodyProblem(event.code, event.message) : new CloudEventBody(event);
}

/** The body as received, for a dead letter: text and bytes as they came (never re-serialized). */
function rawBody(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return body === undefined ? '' : (JSON.stringify(body) ?? String(body));
  } catch {
    return String(body);
  }
}

/** Measure accumulators of one window, indexed like the pipeline's measures. */
class WindowBuilder {
  events = 0;
  readonly measures: (Accumulator | undefined)[];
  /** The pipeline's `aggregates`, created on the first value (pipelines without aggregates never have one). */
  aggs: (AggregateBuilder<unknown> | undefined)[] | undefined;
  constructor(
    readonly start: number,
    readonly end: number,
    measureCount: number,
  ) {
    this.measures = new Array<Accumulator | undefined>(measureCount);
  }
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
  /** Events later than lateness but within corrections, by window start (the partial's `revisions`). */
  revisions: { events: number; first: number; last: number; windows: Map<number, WindowBuilder> } | undefined;
  /** The window the last event went to: consecutive events of a stream mostly share one. */
  current: WindowBuilder | undefined;
  /** Only for hopping windows, where an event counts in several windows but once in the totals. */
  readonly totals: (Accumulator | undefined)[];
  readonly latency: Accumulator;
  /** Hopping windows' aggregate totals, as `totals`. */
  readonly aggTotals: { aggs: (AggregateBuilder<unknown> | undefined)[] | undefined } = { aggs: undefined };
  /** Session windows: the stream's aggregated events of the batch, cut into sessions once all are in (sessions.ts). */
  sessionEvents: { time: number; values: (number | null)[]; aggValues: (AggregateInput | null)[] }[] | undefined;

  constructor(
    readonly stream: string,
    readonly accuracy: number,
    readonly watermark: number | undefined,
    measureCount: number,
  ) {
    this.latency = new Accumulator(accuracy);
    this.totals = new Array<Accumulator | undefined>(measureCount);
  }

  touch(sequence: number, enqueued: number): void {
    if (sequence < this.firstEventSequence) this.firstEventSequence = sequence;
    if (sequence > this.lastEventSequence) this.lastEventSequence = sequence;
    if (enqueued < this.minEnqueuedTime) this.minEnqueuedTime = enqueued;
    if (enqueued > this.maxEnqueuedTime) this.maxEnqueuedTime = enqueued;
  }

  window(start: number, end: number, measureCount: number): WindowBuilder {
    let w = this.windows.get(start);
    if (w === undefined) {
      w = new WindowBuilder(start, end, measureCount);
      this.windows.set(start, w);
    }
    return w;
  }
}

function add(
  accumulators: (Accumulator | undefined)[],
  m: number,
  value: number,
  time: number,
  accuracy: number,
): void {
  let acc = accumulators[m];
  if (acc === undefined) {
    acc = new Accumulator(accuracy);
    accumulators[m] = acc;
  }
  acc.add(value, time);
}

function freeze(accumulators: (Accumulator | undefined)[], names: readonly string[]): Record<string, Aggregate> {
  const out: Record<string, Aggregate> = {};
  for (let m = 0; m < names.length; m++) {
    const acc = accumulators[m];
    if (acc !== undefined) out[names[m] as string] = acc.toAggregate();
  }
  return out;
}

/** Tumbling windows hold each event once, so the batch totals are the merge of the windows (aggregates are immutable). */
function totalsOf(windows: readonly PartialWindow[]): Record<string, Aggregate> {
  if (windows.length === 1) return { ...(windows[0] as PartialWindow).measures };
  const byName: Record<string, Aggregate[]> = {};
  for (const w of windows) for (const [name, agg] of Object.entries(w.measures)) (byName[name] ??= []).push(agg);
  const out: Record<string, Aggregate> = {};
  for (const [name, aggregates] of Object.entries(byName)) out[name] = mergeAggregatesAll(aggregates);
  return out;
}

const emptyCounts = (): OutcomeCounts => ({
  eventsIn: 0,
  matched: 0,
  aggregated: 0,
  filtered: 0,
  filteredMissing: 0,
  deadLettered: 0,
  // A literal in DEAD_LETTER_REASONS' order (the type requires every reason): fromEntries built a slow dictionary.
  byReason: {
    'invalid-json': 0,
    schema: 0,
    expression: 0,
    late: 0,
    future: 0,
    'no-pipeline': 0,
    storage: 0,
    poison: 0,
  },
});

/**
 * Folds one Event Hubs batch into one partial per (pipeline, stream), dead letters and metrics. Pure: no I/O, and no
 * clock but the one timing `metrics.processingMs` (the caller passes `now`); never throws on bad events.
 *
 * Counting: a delivery is an (event, pipeline) pair and has exactly one outcome (aggregated, filtered or dead-lettered);
 * every dead-lettered delivery yields exactly one dead-letter record. So per pipeline and overall
 * eventsIn = aggregated + filtered + deadLettered, and deadLettered = deadLetters.length. With no pipelines every
 * event is one delivery dead-lettered as 'no-pipeline'. With `deadLetterUnmatched`, an event every pipeline filtered
 * out adds one more delivery, dead-lettered as 'no-pipeline' and counted only in the totals (not in byPipeline).
 */
export function processBatch(input: BatchInput): BatchResult {
  const started = performance.now();
  const { now, partitionId: partition } = input;
  const n = input.bodies.length;
  const events = new Array<Body>(n);
  const sequences = new Array<number>(n);
  const enqueued = new Array<number>(n);
  let firstSequence: number | null = null;
  let lastSequence: number | null = null;
  // A send usually enqueues a whole run of events at one instant, so the previous answer is usually the next one.
  let lastEnqueuedText: unknown;
  let lastEnqueuedMs = now;
  let minLatency = Infinity;
  let maxLatency = -Infinity;
  let sumLatency = 0;
  // Bytes in the plain case build only the fields the pipelines read; anything else is parsed whole (selectiveParse.ts).
  const selection = fieldSelection(input.pipelines);
  for (let i = 0; i < n; i++) {
    const body = input.bodies[i];
    events[i] =
      (selection !== undefined && Buffer.isBuffer(body) ? parseSelected(body, selection) : undefined) ?? readBody(body);
    const s = input.sequenceNumbers[i];
    const sequence = typeof s === 'number' && Number.isFinite(s) ? s : -1;
    sequences[i] = sequence;
    if (firstSequence === null || sequence < firstSequence) firstSequence = sequence;
    if (lastSequence === null || sequence > lastSequence) lastSequence = sequence;
    const e = input.enqueuedTimes[i];
    if (e !== lastEnqueuedText || typeof e === 'object') {
      lastEnqueuedText = e;
      lastEnqueuedMs = parseEnqueuedTime(e) ?? now;
    }
    enqueued[i] = lastEnqueuedMs;
    const latency = Math.max(0, now - lastEnqueuedMs);
    if (latency < minLatency) minLatency = latency;
    if (latency > maxLatency) maxLatency = latency;
    sumLatency += latency;
  }

  const deadLetters: DeadLetter[] = [];
  const partials: StreamPartial[] = [];
  const total = emptyCounts();
  const byPipeline: Record<string, OutcomeCounts> = {};
  const streams = new Set<string>();

  const deadLetter = (
    counts: OutcomeCounts,
    i: number,
    reason: DeadLetterReason,
    detail: string,
    pipeline?: string,
    stream?: string,
  ) => {
    counts.deadLettered++;
    counts.byReason[reason]++;
    const record: DeadLetter = {
      raw: rawBody(input.bodies[i]),
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
    for (let i = 0; i < n; i++) {
      total.eventsIn++;
      deadLetter(total, i, 'no-pipeline', 'no active pipeline: expected at least one pipeline definition, found none');
    }
  }

  const filteredBy = input.deadLetterUnmatched ? new Array<number>(n).fill(0) : undefined;
  for (const pipeline of input.pipelines) {
    const counts = emptyCounts();
    byPipeline[pipeline.name] = counts;
    const names = pipeline.measures.map(([name]) => name);
    const tumbling = pipeline.config.hopMs === pipeline.config.windowSizeMs;
    const builders = foldPipeline({ pipeline, input, events, sequences, enqueued, counts, deadLetter, filteredBy });
    const reports = builders.size > 0 ? input.progress?.(pipeline.name) : undefined;
    const specs = pipeline.aggregates;
    const withAggregates = specs.length > 0;
    const output = (w: WindowBuilder): PartialWindow =>
      withAggregates
        ? {
            start: w.start,
            end: w.end,
            events: w.events,
            measures: freeze(w.measures, names),
            aggregates: freezeAggregates(w.aggs, specs),
          }
        : { start: w.start, end: w.end, events: w.events, measures: freeze(w.measures, names) };
    for (const b of builders.values()) {
      streams.add(b.stream);
      if (b.sessionEvents !== undefined) buildSessions(b, pipeline);
      // Most streams fill one window per batch: no copy and sort for them.
      const windows =
        b.windows.size === 1
          ? [output(b.windows.values().next().value as WindowBuilder)]
          : [...b.windows.values()].sort((x, y) => x.start - y.start).map(output);
      // Fields assigned in the order conditional spreads once gave them (the JSON the entity receives is unchanged),
      // without the spreads' objects: a batch builds a partial per stream, ten events each in the core bench. The
      // required fields after the optional ones are assigned below, before the partial is pushed.
      const partial = {
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
        windows,
        totals: tumbling ? totalsOf(windows) : freeze(b.totals, names),
      } as StreamPartial;
      if (pipeline.config.session !== undefined) partial.session = pipeline.config.session;
      if (withAggregates)
        partial.aggregateTotals = tumbling ? aggregateTotalsOf(windows) : freezeAggregates(b.aggTotals.aggs, specs);
      partial.maxEventTime = b.events > 0 ? b.maxEventTime : null;
      if (reports !== undefined) partial.progress = reports;
      if (input.partitionCount !== undefined) partial.partitionCount = input.partitionCount;
      partial.minEnqueuedTime = b.minEnqueuedTime;
      partial.maxEnqueuedTime = b.maxEnqueuedTime;
      partial.latency = b.latency.toAggregate();
      partial.processedAt = now;
      if (b.revisions !== undefined)
        partial.revisions = {
          events: b.revisions.events,
          firstSequence: b.revisions.first,
          lastSequence: b.revisions.last,
          windows: [...b.revisions.windows.values()].sort((x, y) => x.start - y.start).map(output),
        };
      partials.push(partial);
    }
    total.eventsIn += counts.eventsIn;
    total.matched += counts.matched;
    total.aggregated += counts.aggregated;
    total.filtered += counts.filtered;
    total.filteredMissing += counts.filteredMissing;
    total.deadLettered += counts.deadLettered;
    for (const r of DEAD_LETTER_REASONS) total.byReason[r] += counts.byReason[r];
  }

  if (filteredBy !== undefined && input.pipelines.length > 0) {
    const names = input.pipelines.map((p) => p.name).join(', ');
    for (let i = 0; i < n; i++) {
      if (filteredBy[i] !== input.pipelines.length) continue;
      total.eventsIn++;
      deadLetter(
        total,
        i,
        'no-pipeline',
        `no matching pipeline: every active pipeline's match or filter excluded the event (${names}); dead-lettered because DEADLETTER_UNMATCHED is on`,
      );
    }
  }

  return {
    partials,
    deadLetters,
    metrics: {
      ...total,
      bodies: n,
      pipelines: input.pipelines.length,
      byPipeline,
      streams: streams.size,
      entityOperations: partials.length,
      firstSequence,
      lastSequence,
      processingMs: performance.now() - started,
      latencyMs: n === 0 ? null : { min: minLatency, mean: sumLatency / n, max: maxLatency },
    },
  };
}

/**
 * The stream an event would aggregate under, read only for a dead letter that fails before the key (a filter error),
 * so the record names its stream and erasing the stream (DELETE /api/streams/...) finds it; undefined when the key is
 * not readable or breaks the stream-key rule. Only on the error path: the happy path reads the key once, below.
 */
function streamOf(
  pipeline: CompiledPipeline,
  event: Record<string, unknown>,
  envelope: EventRecord | undefined,
): string | undefined {
  let value: unknown;
  if (pipeline.key.read !== undefined) value = pipeline.key.read(event);
  else {
    const r = pipeline.key.evaluate(event);
    if (!r.ok) return undefined;
    value = r.value;
  }
  if (value === null && pipeline.keyFallsBackToSubject && envelope?.subject !== undefined) value = envelope.subject;
  const stream = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  return stream !== undefined && streamKeyProblem(stream) === undefined ? stream : undefined;
}

type DeadLetterFn = (
  counts: OutcomeCounts,
  i: number,
  reason: DeadLetterReason,
  detail: string,
  pipeline?: string,
  stream?: string,
) => void;

/** What foldPipeline folds: one pipeline over the batch's decoded events, counting into `counts`. */
interface FoldOptions {
  pipeline: CompiledPipeline;
  input: BatchInput;
  events: readonly Body[];
  sequences: readonly number[];
  enqueued: readonly number[];
  counts: OutcomeCounts;
  deadLetter: DeadLetterFn;
  /** Per event, how many pipelines filtered it out (only with deadLetterUnmatched). */
  filteredBy: number[] | undefined;
}

/** The per-pipeline constants and scratch arrays of one fold, read by each step (built once per pipeline and batch). */
interface Fold extends FoldOptions {
  name: string;
  measureCount: number;
  size: number;
  tumbling: boolean;
  spec: { sizeMs: number; hopMs: number };
  accuracy: CompiledPipeline['config']['sketchAccuracy'];
  lateness: number;
  futureSkew: number;
  floor: number | undefined;
  /** Scratch: the current event's measure and aggregate values (copied only for sessions). */
  values: (number | null)[];
  aggValues: (AggregateInput | null)[];
  measureNames: string[];
  measureExpressions: CompiledExpression[];
  /** The pipeline's `corrections` (never for sessions): later than lateness but within it is a revision. */
  corrections: number | undefined;
  /** Scratch: whether the current event is a revision (set by eventTimeOf). */
  revising: boolean;
}

/**
 * One pipeline over the batch: per event, does the pipeline take it (match, filter), which stream (key), when (time,
 * its bounds and the watermark), which values (measures, aggregates), then into the stream's windows. An event that
 * fails a step is dead-lettered (or counted as filtered) by that step and the fold goes on with the next one.
 */
function foldPipeline(options: FoldOptions): Map<string, PartialBuilder> {
  const fold = foldOf(options);
  const { events, enqueued, sequences, counts, input, name } = fold;
  const targets = input.targets;
  const builders = new Map<string, PartialBuilder>();
  let builder: PartialBuilder | undefined;

  for (let i = 0; i < events.length; i++) {
    if (targets !== undefined) {
      const target = targets[i];
      if (target !== undefined && target !== null && target !== name) continue;
    }
    counts.eventsIn++;
    const body = events[i] as Body;
    if (body instanceof BodyProblem) {
      fold.deadLetter(counts, i, body.reason, body.detail, name);
      continue;
    }
    const envelope = body instanceof CloudEventBody ? body.record : undefined;
    const event = envelope === undefined ? (body as Record<string, unknown>) : envelope.payload;
    if (!takesEvent(fold, i, event, envelope)) continue;
    const stream = streamFor(fold, i, event, envelope);
    if (stream === undefined) continue;
    if (builder === undefined || builder.stream !== stream) {
      const known = builders.get(stream);
      if (known === undefined) {
        // The entity key codec needs well-formed Unicode within a byte limit; checked here so such an event is never
        // counted as aggregated. Once per stream and batch: a stream that has a builder passed it.
        const keyProblem = streamKeyProblem(stream);
        if (keyProblem !== undefined) {
          fold.deadLetter(counts, i, 'schema', `key ${JSON.stringify(fold.pipeline.key.text)}: ${keyProblem}`, name);
          continue;
        }
        builder = new PartialBuilder(stream, fold.accuracy, input.watermarks?.(name, stream), fold.measureCount);
        builders.set(stream, builder);
      } else builder = known;
    }
    const enqueuedAt = enqueued[i] as number;
    builder.touch(sequences[i] as number, enqueuedAt);
    const time = eventTimeOf(fold, i, event, envelope, builder, enqueuedAt);
    if (time === undefined) continue;
    const failure = readValues(fold, event);
    if (failure !== undefined) {
      builder.invalid++;
      fold.deadLetter(counts, i, failure.reason, failure.detail, name, stream);
      continue;
    }
    counts.aggregated++;
    if (fold.revising) {
      addRevision(fold, builder, sequences[i] as number, time);
      continue;
    }
    builder.events++;
    if (time > builder.maxEventTime) builder.maxEventTime = time;
    builder.latency.add(Math.max(0, input.now - enqueuedAt), time);
    accumulate(fold, builder, time);
  }
  return builders;
}

function foldOf(options: FoldOptions): Fold {
  const { pipeline, input } = options;
  const { config } = pipeline;
  const size = config.windowSizeMs;
  // Built field by field (not by spreading options) so that every fold has one fixed shape.
  return {
    pipeline,
    input,
    events: options.events,
    sequences: options.sequences,
    enqueued: options.enqueued,
    counts: options.counts,
    deadLetter: options.deadLetter,
    filteredBy: options.filteredBy,
    name: pipeline.name,
    measureCount: pipeline.measures.length,
    size,
    tumbling: config.hopMs === size,
    spec: { sizeMs: size, hopMs: config.hopMs },
    accuracy: config.sketchAccuracy,
    lateness: config.allowedLatenessMs,
    futureSkew: input.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS,
    floor: input.minEventTime,
    values: new Array<number | null>(pipeline.measures.length),
    aggValues: new Array<AggregateInput | null>(pipeline.aggregates.length),
    measureNames: pipeline.measures.map(([measure]) => measure),
    measureExpressions: pipeline.measures.map(([, expression]) => expression),
    corrections: config.session === undefined ? config.correctionsMs : undefined,
    revising: false,
  };
}

/**
 * Match and filter. An event the pipeline does not take (match false, or not evaluable on it) counts as `filtered`
 * here; with DEADLETTER_UNMATCHED, one that no pipeline takes is dead-lettered once as no-pipeline.
 */
function takesEvent(fold: Fold, i: number, event: Record<string, unknown>, envelope: EventRecord | undefined): boolean {
  const { pipeline, counts, filteredBy, name } = fold;
  if (pipeline.match) {
    const r = pipeline.match.evaluate(event);
    if (!r.ok || r.value !== true) {
      counts.filtered++;
      if (!r.ok && r.error.missingField) counts.filteredMissing++;
      if (filteredBy !== undefined) filteredBy[i] = (filteredBy[i] ?? 0) + 1;
      return false;
    }
  }
  counts.matched++;
  if (pipeline.unusable !== undefined) {
    fold.deadLetter(counts, i, 'expression', pipeline.unusable, name);
    return false;
  }
  if (pipeline.filter) {
    // The direct evaluator's boolean is evaluate's value without its result object; anything else takes evaluate.
    const fast = pipeline.filter.fast;
    const answer = fast === undefined ? NOT_ANSWERED : fast(event);
    if (answer === true) return true;
    if (answer === false) {
      counts.filtered++;
      if (filteredBy !== undefined) filteredBy[i] = (filteredBy[i] ?? 0) + 1;
      return false;
    }
    const r = pipeline.filter.evaluate(event);
    if (!r.ok && r.error.missingField) {
      // A field the event lacks is a SQL NULL: the filter is false, the event filtered (and counted), not broken.
      counts.filtered++;
      counts.filteredMissing++;
      if (filteredBy !== undefined) filteredBy[i] = (filteredBy[i] ?? 0) + 1;
      return false;
    }
    if (!r.ok) {
      fold.deadLetter(
        counts,
        i,
        'expression',
        `filter ${JSON.stringify(pipeline.filter.text)}: ${r.error.message}`,
        name,
        streamOf(pipeline, event, envelope),
      );
      return false;
    }
    if (typeof r.value !== 'boolean') {
      fold.deadLetter(
        counts,
        i,
        'expression',
        `filter ${JSON.stringify(pipeline.filter.text)}: expected a boolean, found ${describeValue(r.value)}`,
        name,
        streamOf(pipeline, event, envelope),
      );
      return false;
    }
    if (!r.value) {
      counts.filtered++;
      if (filteredBy !== undefined) filteredBy[i] = (filteredBy[i] ?? 0) + 1;
      return false;
    }
  }
  return true;
}

/** The event's stream (its key as a string), or undefined when dead-lettered. */
function streamFor(
  fold: Fold,
  i: number,
  event: Record<string, unknown>,
  envelope: EventRecord | undefined,
): string | undefined {
  const { pipeline, counts, name } = fold;
  let keyValue: unknown;
  const keyRead = pipeline.key.read;
  if (keyRead !== undefined) keyValue = keyRead(event);
  else {
    const key = pipeline.key.evaluate(event);
    if (!key.ok) {
      fold.deadLetter(counts, i, 'expression', `key ${JSON.stringify(pipeline.key.text)}: ${key.error.message}`, name);
      return undefined;
    }
    keyValue = key.value;
  }
  if (keyValue === null && pipeline.keyFallsBackToSubject && envelope?.subject !== undefined)
    keyValue = envelope.subject;
  const stream = typeof keyValue === 'string' ? keyValue : typeof keyValue === 'number' ? String(keyValue) : undefined;
  if (stream === undefined) {
    fold.deadLetter(
      counts,
      i,
      'schema',
      `key ${JSON.stringify(pipeline.key.text)}: expected a non-empty string or number, found ${describeValue(keyValue)}`,
      name,
    );
  }
  return stream;
}

/** The event's time, checked against its bounds and the stream's watermark; undefined when dead-lettered. */
function eventTimeOf(
  fold: Fold,
  i: number,
  event: Record<string, unknown>,
  envelope: EventRecord | undefined,
  builder: PartialBuilder,
  enqueuedAt: number,
): number | undefined {
  const { pipeline, counts, name, floor, futureSkew, lateness } = fold;
  const stream = builder.stream;
  let fieldTime: unknown;
  const timeRead = pipeline.time.read;
  if (timeRead !== undefined) fieldTime = timeRead(event);
  else {
    const r = pipeline.time.evaluate(event);
    if (!r.ok) {
      builder.invalid++;
      fold.deadLetter(
        counts,
        i,
        'expression',
        `time ${JSON.stringify(pipeline.time.text)}: ${r.error.message}`,
        name,
        stream,
      );
      return undefined;
    }
    fieldTime = r.value;
  }
  // Missing from the payload: a CloudEvent's own time, then the enqueued time.
  const timeValue = fieldTime === null || fieldTime === undefined ? (envelope?.time ?? null) : fieldTime;
  let time = enqueuedAt;
  // The canonical UTC form first, with no result object per event (parseEventTime tries it first too).
  const canonical = typeof timeValue === 'string' ? parseCanonicalIso(timeValue) : undefined;
  if (canonical !== undefined) time = canonical;
  else if (timeValue !== null) {
    const parsed = parseEventTime(
      timeValue,
      fieldTime === null || fieldTime === undefined ? 'CloudEvent time' : pipeline.time.text,
    );
    if (!parsed.ok) {
      builder.invalid++;
      fold.deadLetter(counts, i, 'schema', parsed.detail, name, stream);
      return undefined;
    }
    time = parsed.time;
  }
  // Bounds (docs/explanation/event-time.md): against the enqueued time, which a redelivery carries unchanged.
  if (floor !== undefined && time < floor) {
    builder.invalid++;
    fold.deadLetter(
      counts,
      i,
      'schema',
      `event time ${new Date(time).toISOString()} is before MIN_EVENT_TIME ${new Date(floor).toISOString()}: expected a time at or after it`,
      name,
      stream,
    );
    return undefined;
  }
  if (time > enqueuedAt + futureSkew) {
    builder.invalid++;
    fold.deadLetter(
      counts,
      i,
      'future',
      `event time ${new Date(time).toISOString()} is later than its enqueued time ${new Date(enqueuedAt).toISOString()} + MAX_FUTURE_SKEW ${futureSkew} ms: expected a time at or before ${new Date(enqueuedAt + futureSkew).toISOString()}`,
      name,
      stream,
    );
    return undefined;
  }
  const watermark = builder.watermark;
  // Later than lateness but its (last) window ended less than `corrections` before the watermark: a revision.
  const corrections = fold.corrections;
  fold.revising =
    watermark !== undefined &&
    time < watermark - lateness &&
    corrections !== undefined &&
    revisionWindowEnd(time, fold.size, fold.spec.hopMs) > watermark - corrections;
  if (!fold.revising && watermark !== undefined && time < watermark - lateness) {
    builder.late++;
    fold.deadLetter(
      counts,
      i,
      'late',
      `event time ${new Date(time).toISOString()} is before partition ${fold.input.partitionId}'s watermark ${new Date(watermark).toISOString()} for this stream minus allowed lateness ${lateness} ms`,
      name,
      stream,
    );
    return undefined;
  }
  return time;
}

/**
 * The event's measure and aggregate values into fold.values / fold.aggValues, or why it has none usable. Every measure
 * is evaluated before any is added, so an event is either fully aggregated or fully dead-lettered.
 */
function readValues(
  fold: Fold,
  event: Record<string, unknown>,
): { reason: DeadLetterReason; detail: string } | undefined {
  const { measureCount, measureExpressions, measureNames, values, aggValues, pipeline } = fold;
  const aggregates = pipeline.aggregates;
  let failure: { reason: DeadLetterReason; detail: string } | undefined;
  let present = 0;
  for (let m = 0; m < measureCount; m++) {
    const expression = measureExpressions[m] as CompiledExpression;
    let value: unknown;
    const read = expression.read;
    const fast = expression.fast;
    // A numeric direct answer is evaluate's value without its result object (numericFastPath.ts).
    const answer = read !== undefined || fast === undefined ? NOT_ANSWERED : fast(event);
    if (read !== undefined) value = read(event);
    else if (typeof answer === 'number') value = answer;
    else {
      const r = expression.evaluate(event);
      // A measure over a field the event lacks is skipped, as a missing bare field is.
      if (!r.ok && r.error.missingField) {
        values[m] = null;
        continue;
      }
      if (!r.ok) {
        failure = {
          reason: 'expression',
          detail: `measure ${measureNames[m]} ${JSON.stringify(expression.text)}: ${r.error.message}`,
        };
        break;
      }
      value = r.value;
    }
    if (value === null || value === undefined) {
      values[m] = null;
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      failure = {
        reason: 'schema',
        detail: `measure ${measureNames[m]} ${JSON.stringify(expression.text)}: expected a finite number, found ${describeValue(value)}`,
      };
      break;
    }
    values[m] = value;
    present++;
  }
  for (let a = 0; failure === undefined && a < aggregates.length; a++) {
    const r = aggregateValue(aggregates[a] as CompiledAggregate, event);
    if (typeof r === 'object' && r !== null) failure = r;
    else {
      aggValues[a] = r;
      if (r !== null) present++;
    }
  }
  if (failure === undefined && present === 0) {
    const all = [
      ...pipeline.measures.map(([m, e]) => `${m} = ${e.text}`),
      ...aggregates.map((a) => `${a.name} = ${a.expression.text}`),
    ];
    failure = {
      reason: 'schema',
      detail: `expected a value for at least one measure (${all.join(', ')}), found none (all null or missing)`,
    };
  }
  return failure;
}

/** The event's values (fold.values, fold.aggValues) into the stream's windows and totals, or kept for sessions. */
function accumulate(fold: Fold, builder: PartialBuilder, time: number): void {
  const { measureCount, values, aggValues, accuracy, size } = fold;
  const aggregates = fold.pipeline.aggregates;
  const aggregateCount = aggregates.length;
  if (fold.pipeline.config.session !== undefined) {
    (builder.sessionEvents ??= []).push({ time, values: values.slice(), aggValues: aggValues.slice() });
    return;
  }
  if (fold.tumbling) {
    let w = builder.current;
    if (w === undefined || time < w.start || time >= w.end) {
      const start = time - (time % size);
      w = builder.window(start, start + size, measureCount);
      builder.current = w;
    }
    w.events++;
    for (let m = 0; m < measureCount; m++) {
      const v = values[m];
      if (v !== null && v !== undefined) add(w.measures, m, v, time, accuracy);
    }
    for (let a = 0; a < aggregateCount; a++) {
      const v = aggValues[a];
      if (v !== null && v !== undefined) addAggregate(w, aggregates, a, v, time);
    }
    return;
  }
  for (const bounds of windowsFor(time, fold.spec)) {
    const w = builder.window(bounds.start, bounds.end, measureCount);
    w.events++;
    for (let m = 0; m < measureCount; m++) {
      const v = values[m];
      if (v !== null && v !== undefined) add(w.measures, m, v, time, accuracy);
    }
    for (let a = 0; a < aggregateCount; a++) {
      const v = aggValues[a];
      if (v !== null && v !== undefined) addAggregate(w, aggregates, a, v, time);
    }
  }
  for (let m = 0; m < measureCount; m++) {
    const v = values[m];
    if (v !== null && v !== undefined) add(builder.totals, m, v, time, accuracy);
  }
  for (let a = 0; a < aggregateCount; a++) {
    const v = aggValues[a];
    if (v !== null && v !== undefined) addAggregate(builder.aggTotals, aggregates, a, v, time);
  }
}

/** A late event within `corrections`: into the partial's revisions by window (the entity revises closed windows). */
function addRevision(fold: Fold, builder: PartialBuilder, sequence: number, time: number): void {
  const { measureCount, values, aggValues, accuracy } = fold;
  const aggregates = fold.pipeline.aggregates;
  const r = (builder.revisions ??= { events: 0, first: sequence, last: -1, windows: new Map() });
  r.events++;
  r.first = Math.min(r.first, sequence);
  r.last = Math.max(r.last, sequence);
  for (const bounds of windowsFor(time, fold.spec)) {
    let w = r.windows.get(bounds.start);
    if (w === undefined) r.windows.set(bounds.start, (w = new WindowBuilder(bounds.start, bounds.end, measureCount)));
    w.events++;
    for (let m = 0; m < measureCount; m++) {
      const v = values[m];
      if (v !== null && v !== undefined) add(w.measures, m, v, time, accuracy);
    }
    for (let a = 0; a < aggregates.length; a++) {
      const v = aggValues[a];
      if (v !== null && v !== undefined) addAggregate(w, aggregates, a, v, time);
    }
  }
}

/** The end of the last window (tumbling or hopping) holding an event at `time`: the one `corrections` is measured to. */
function revisionWindowEnd(time: number, size: number, hop: number): number {
  return time - (time % hop) + size;
}

/** Session windows: the stream's events of the batch cut into sessions (windows/sessions.ts), then accumulated. */
function buildSessions(b: PartialBuilder, pipeline: CompiledPipeline): void {
  const events = b.sessionEvents ?? [];
  const measureCount = pipeline.measures.length;
  const fragments = sessionFragments(
    events.map((e) => e.time),
    pipeline.config.session as { gapMs: number; maxDurationMs: number },
  );
  for (const f of fragments) {
    const w = b.window(f.start, f.end, measureCount);
    for (const i of f.events) {
      const e = events[i] as (typeof events)[number];
      w.events++;
      for (let m = 0; m < measureCount; m++) {
        const v = e.values[m];
        if (v !== null && v !== undefined) add(w.measures, m, v, e.time, pipeline.config.sketchAccuracy);
      }
      for (let a = 0; a < pipeline.aggregates.length; a++) {
        const v = e.aggValues[a];
        if (v !== null && v !== undefined) addAggregate(w, pipeline.aggregates, a, v, e.time);
      }
    }
  }
  b.sessionEvents = undefined;
}
