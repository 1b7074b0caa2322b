import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { DEAD_LETTER_REASONS, type DeadLetterReason } from '../../core';
import { encodeReplay } from '../../core/replay/envelope';
import { applyPatch, parsePatch, type PatchOperation } from '../../core/replay/jsonPatch';
import type { DeadLetterRecord, Stores } from '../../storage';
import { allItems } from '../../storage/allItems';
import { compileStored, type PredictedOutcome, predictOutcomes } from './predictOutcomes';

/** Dead letters one call replays at most (the body's `limit`; default 1,000). */
export const MAX_REPLAY = 10_000;

const reason = z.enum(DEAD_LETTER_REASONS as [DeadLetterReason, ...DeadLetterReason[]], {
  error: `expected one of ${DEAD_LETTER_REASONS.join(', ')}`,
});
const time = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms =
    typeof value === 'number'
      ? value
      : /^\d+$/.test(value)
        ? Number(value)
        : Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) || !value.includes('T') ? value : `${value}Z`);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 time or epoch milliseconds' });
    return z.NEVER;
  }
  return ms;
});

export const replayRequestSchema = z
  .object({
    since: time.optional().meta({ description: 'Only dead letters enqueued at or after it (ISO 8601 or epoch ms).' }),
    until: time.optional().meta({ description: 'Only dead letters enqueued before it.' }),
    reason: reason
      .optional()
      .meta({ description: 'Only dead letters of this reason (`storage` ones are never replayed).' }),
    pipeline: z
      .string()
      .min(1, 'expected a pipeline name')
      .optional()
      .meta({ description: 'Only dead letters of this pipeline.' }),
    stream: z
      .string()
      .min(1, 'expected a stream key')
      .optional()
      .meta({ description: 'Only dead letters of this stream.' }),
    dryRun: z
      .boolean()
      .default(false)
      .meta({ description: 'Send and write nothing; answer what would be sent and what would become of each event.' }),
    fix: z.array(z.looseObject({})).optional().meta({
      description:
        'An RFC 6902 JSON Patch applied to each body before it is sent, e.g. [{"op":"move","from":"/val","path":"/value"}].',
    }),
    limit: z
      .number()
      .int('expected an integer')
      .min(1, `expected 1 to ${MAX_REPLAY}`)
      .max(MAX_REPLAY, `expected 1 to ${MAX_REPLAY}`)
      .default(1000)
      .meta({ description: `Dead letters to replay at most (1 to ${MAX_REPLAY}, default 1000).` }),
  })
  .strict();
export type ReplayRequest = z.output<typeof replayRequestSchema>;

export interface ReplayItem {
  partition: string;
  sequenceNumber: number;
  pipeline?: string;
  stream?: string;
  reason: string;
  /** What was (or would be) sent: the body after the fix. */
  body: string;
  /** Dry run only: what the core would do with it. */
  outcome?: PredictedOutcome[];
}

export interface ReplayAnswer {
  replayId: string;
  dryRun: boolean;
  /** Dead letters the filter selected (`storage` ones included). */
  selected: number;
  /** Sent to the events hub (0 in a dry run). */
  sent: number;
  /** Already replayed and counted once (the ledger holds their claim): not sent again. */
  alreadyApplied: number;
  /** `storage` dead letters: data, not events; never replayed. */
  skippedStorage: number;
  /** Bodies the fix could not be applied to: not sent. */
  fixFailed: { partition: string; sequenceNumber: number; pipeline?: string; error: string }[];
  /** Those sent (or, in a dry run, those that would be). */
  items: ReplayItem[];
  /** Stored pipelines that do not compile (a dry run cannot predict their events). */
  brokenPipelines?: string[];
}

/** Selected dead letters, oldest first: pages of the store's `since`/`reason` query, the rest filtered here. */
async function select(stores: Pick<Stores, 'deadLetters'>, request: ReplayRequest): Promise<DeadLetterRecord[]> {
  const out: DeadLetterRecord[] = [];
  const query = {
    ...(request.since !== undefined ? { since: new Date(request.since).toISOString() } : {}),
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    limit: 1000,
  };
  for await (const d of allItems((c) => stores.deadLetters.query({ ...query, ...c }))) {
    if (request.until !== undefined && Date.parse(d.enqueuedTime) >= request.until) continue;
    if (request.pipeline !== undefined && d.pipeline !== request.pipeline) continue;
    if (request.stream !== undefined && d.stream !== request.stream) continue;
    out.push(d);
    if (out.length >= request.limit) return out;
  }
  return out;
}

function fixed(
  raw: string,
  fix: PatchOperation[] | undefined,
): { ok: true; body: string } | { ok: false; error: string } {
  if (fix === undefined) return { ok: true, body: raw };
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (e) {
    return { ok: false, error: `the body is not JSON, so the fix cannot apply (${(e as Error).message})` };
  }
  const r = applyPatch(doc, fix);
  return r.ok ? { ok: true, body: JSON.stringify(r.value) } : { ok: false, error: r.error };
}

/**
 * Replays dead letters (docs/how-to/dead-letters.md): selects, skips `storage` ones and those the ledger says were
 * counted, applies the fix, and - unless a dry run - records the replay on each and hands the envelopes to `send`.
 * A patch that is not a JSON Patch throws a FieldError-shaped message via `invalidFix`.
 */
export async function replayDeadLetters(
  stores: Pick<Stores, 'deadLetters' | 'replayLedger' | 'pipelines'>,
  request: ReplayRequest,
  send: (messages: string[]) => void | Promise<void>,
  now: number,
  replayId: string = randomUUID(),
): Promise<ReplayAnswer | { invalidFix: string }> {
  let fix: PatchOperation[] | undefined;
  if (request.fix !== undefined) {
    const parsed = parsePatch(request.fix);
    if (!parsed.ok) return { invalidFix: parsed.error };
    fix = parsed.patch;
  }
  const selected = await select(stores, request);
  const events = selected.filter((d) => d.reason !== 'storage');
  const claims = await stores.replayLedger.get(
    events.map((d) => ({ partition: d.partition, sequenceNumber: d.sequenceNumber, pipeline: d.pipeline ?? '*' })),
  );
  const answer: ReplayAnswer = {
    replayId,
    dryRun: request.dryRun,
    selected: selected.length,
    sent: 0,
    alreadyApplied: 0,
    skippedStorage: selected.length - events.length,
    fixFailed: [],
    items: [],
  };
  const toSend: { letter: DeadLetterRecord; body: string }[] = [];
  events.forEach((d, i) => {
    if (claims[i] !== undefined) {
      answer.alreadyApplied++;
      return;
    }
    const f = fixed(d.raw, fix);
    if (!f.ok)
      answer.fixFailed.push({
        partition: d.partition,
        sequenceNumber: d.sequenceNumber,
        ...(d.pipeline === undefined ? {} : { pipeline: d.pipeline }),
        error: f.error,
      });
    else toSend.push({ letter: d, body: f.body });
  });
  const item = (d: DeadLetterRecord, body: string): ReplayItem => ({
    partition: d.partition,
    sequenceNumber: d.sequenceNumber,
    ...(d.pipeline === undefined ? {} : { pipeline: d.pipeline }),
    ...(d.stream === undefined ? {} : { stream: d.stream }),
    reason: d.reason,
    body,
  });
  if (request.dryRun) {
    const { pipelines, broken } = compileStored(await stores.pipelines.list());
    if (broken.length > 0) answer.brokenPipelines = broken;
    answer.items = toSend.map(({ letter, body }) => ({
      ...item(letter, body),
      outcome: predictOutcomes(
        body,
        letter.pipeline,
        pipelines,
        letter.partition,
        letter.sequenceNumber,
        letter.enqueuedTime,
        now,
      ),
    }));
    return answer;
  }
  if (toSend.length > 0) {
    // Recorded before sending: the ledger, not this mark, keeps a replay from counting twice.
    await stores.deadLetters.markReplayed(
      toSend.map((t) => t.letter),
      { at: new Date(now).toISOString(), id: replayId, ...(fix === undefined ? {} : { fix }) },
    );
    await send(
      toSend.map(({ letter, body }) =>
        encodeReplay(
          {
            partition: letter.partition,
            sequenceNumber: letter.sequenceNumber,
            enqueuedTime: letter.enqueuedTime,
            pipeline: letter.pipeline ?? null,
            replayId,
          },
          body,
        ),
      ),
    );
  }
  answer.sent = toSend.length;
  answer.items = toSend.map(({ letter, body }) => item(letter, body));
  return answer;
}
