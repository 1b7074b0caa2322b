import type { BatchResult } from '../../core';
import { decodeReplay, type ReplayMark } from '../../core/replay/envelope';
import type { DeadLetterRecord, ReplayClaim, ReplayLedgerStore } from '../../storage';

/**
 * Replayed dead letters arriving at ingest (docs/how-to/dead-letters.md). Before the core runs, each replay envelope
 * is unwrapped to its raw body, targeted at the pipeline that dead-lettered it, and its ledger row claimed for this
 * delivery (partition + sequence number of the replay message): a row already claimed by another delivery makes the
 * event a duplicate, which no pipeline takes. After the core, a replayed event dead-lettered again is recorded under
 * its original identity (replacing the dead letter it came from) and gives its claim up, so a better fix can replay it.
 */

/** A target no pipeline has: the event is skipped by every pipeline (not a delivery). */
const NOWHERE = '\u0000';

export interface ReplayPlan {
  /** The batch's bodies with each replay envelope replaced by its raw body. */
  bodies: unknown[];
  targets: (string | null | undefined)[];
  /** Replayed events by the sequence number of their delivery. */
  marks: Map<number, ReplayMark>;
  /** Claims this delivery holds, by the sequence number of the delivery. */
  claims: Map<number, ReplayClaim>;
  /** Replays dropped because another delivery of the same dead letter counted already. */
  duplicates: number;
  /** Replays whose pipeline is not active: dead-lettered `no-pipeline` under their original identity. */
  unmatched: DeadLetterRecord[];
}

/** The replay plan of a batch, or undefined when it holds no replay (the common case: a prefix compare per event). */
export async function planReplays(
  bodies: readonly unknown[],
  partition: string,
  sequenceNumbers: readonly number[],
  activePipelines: readonly string[],
  ledger: ReplayLedgerStore,
  recordedAt: string,
): Promise<ReplayPlan | undefined> {
  let plan: ReplayPlan | undefined;
  const pending: { index: number; mark: ReplayMark; claim: ReplayClaim }[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const decoded = decodeReplay(bodies[i]);
    // A malformed envelope stays as it is: the core dead-letters it like any event it cannot read.
    if (decoded === undefined || 'malformed' in decoded) continue;
    plan ??= {
      bodies: [...bodies],
      targets: new Array<string | null | undefined>(bodies.length),
      marks: new Map(),
      claims: new Map(),
      duplicates: 0,
      unmatched: [],
    };
    const { mark, raw } = decoded;
    const sequence = sequenceNumbers[i] as number;
    plan.bodies[i] = raw;
    plan.marks.set(sequence, mark);
    if (mark.pipeline !== null && !activePipelines.includes(mark.pipeline)) {
      plan.targets[i] = NOWHERE;
      plan.unmatched.push({
        raw,
        reason: 'no-pipeline',
        detail: `replayed (replay ${mark.replayId}) for pipeline ${JSON.stringify(mark.pipeline)}, which is not active`,
        partition: mark.partition,
        sequenceNumber: mark.sequenceNumber,
        enqueuedTime: mark.enqueuedTime,
        recordedAt,
        pipeline: mark.pipeline,
        replay: { at: recordedAt, id: mark.replayId },
      });
      continue;
    }
    plan.targets[i] = mark.pipeline;
    pending.push({
      index: i,
      mark,
      claim: {
        partition: mark.partition,
        sequenceNumber: mark.sequenceNumber,
        pipeline: mark.pipeline ?? '*',
        by: { partition, sequenceNumber: sequence },
        at: recordedAt,
      },
    });
  }
  if (plan === undefined || pending.length === 0) return plan;
  const held = await ledger.claim(pending.map((p) => p.claim));
  pending.forEach((p, k) => {
    const claim = held[k] as ReplayClaim;
    // Claimed by this very delivery (a redelivery of the replay message): it proceeds, the scheme makes it exact.
    if (claim.by.partition === p.claim.by.partition && claim.by.sequenceNumber === p.claim.by.sequenceNumber)
      plan.claims.set(p.claim.by.sequenceNumber, p.claim);
    else {
      plan.targets[p.index] = NOWHERE;
      plan.duplicates++;
    }
  });
  return plan;
}

/**
 * After the core: dead letters of replayed events take their original identity (and record the replay); the
 * `no-pipeline` records of replays whose pipeline is not active are added and counted. Returns the claims to give up:
 * those of events dead-lettered again in their one pipeline (a replay to every pipeline keeps its claim, since another
 * pipeline may have aggregated it).
 */
export function finishReplays(
  plan: ReplayPlan,
  records: DeadLetterRecord[],
  result: BatchResult,
): { records: DeadLetterRecord[]; release: ReplayClaim[] } {
  const release = new Map<number, ReplayClaim>();
  const out = records.map((r) => {
    const mark = plan.marks.get(r.sequenceNumber);
    if (mark === undefined) return r;
    const claim = plan.claims.get(r.sequenceNumber);
    if (claim !== undefined && claim.pipeline !== '*') release.set(r.sequenceNumber, claim);
    return {
      ...r,
      partition: mark.partition,
      sequenceNumber: mark.sequenceNumber,
      enqueuedTime: mark.enqueuedTime,
      replay: { at: r.recordedAt, id: mark.replayId },
    };
  });
  const m = result.metrics;
  if (plan.unmatched.length > 0) {
    m.eventsIn += plan.unmatched.length;
    m.deadLettered += plan.unmatched.length;
    m.byReason = { ...m.byReason, 'no-pipeline': m.byReason['no-pipeline'] + plan.unmatched.length };
  }
  return { records: [...out, ...plan.unmatched], release: [...release.values()] };
}
