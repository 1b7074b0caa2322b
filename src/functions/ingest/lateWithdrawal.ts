import type { DeadLetterKey, DeadLetterRecord, LateAttempt, Stores } from '../../storage';
import { DEFAULT_RETRY, type RetryOptions, retryTransient } from '../shared/storageFaults';

const keyOf = (l: { sequenceNumber: number; pipeline?: string }): string => `${l.sequenceNumber}|${l.pipeline ?? ''}`;

/**
 * Ingest rule 7 (docs/explanation/effectively-once.md): a `late` verdict depends on process-local watermarks and on
 * where the batch was cut, so a redelivery can aggregate an event an earlier attempt dead-lettered late. Per Event Hubs
 * partition, the last batch with late dead letters records their keys (before writing them); a batch that may be a
 * redelivery reads that record and deletes the listed dead letters of its range it does not dead-letter again. The
 * process-local memory (last batch seen, the record as last read or written) only saves reads; a new process reads.
 */
export class LateWithdrawal {
  private readonly lastSeen = new Map<string, number>();
  private readonly known = new Map<string, LateAttempt | null>();

  constructor(
    private readonly stores: Pick<Stores, 'lateAttempts' | 'deadLetters'>,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
  ) {}

  /**
   * Call with the batch's dead letters before writing them. Withdraws the earlier attempts' late dead letters this
   * attempt does not repeat, then records this attempt's own late ones. Returns the keys withdrawn.
   */
  async beforeDeadLetters(
    partition: string,
    firstSequence: number,
    lastSequence: number,
    letters: readonly DeadLetterRecord[],
  ): Promise<DeadLetterKey[]> {
    if (firstSequence < 0) return [];
    const seen = this.lastSeen.get(partition);
    let record = this.known.get(partition);
    // The coalescer's test: a batch that does not start after the last one seen here may repeat earlier attempts.
    if (record === undefined || seen === undefined || firstSequence <= seen) {
      record = (await retryTransient(() => this.stores.lateAttempts.get(partition), this.retry)) ?? null;
      this.known.set(partition, record);
    }
    const inRange = (l: { sequenceNumber: number }) =>
      l.sequenceNumber >= firstSequence && l.sequenceNumber <= lastSequence;
    // A replayed event's dead letter carries its original key (ingestReplays.ts), not this batch's: the ledger rules it.
    const own = letters.filter((l) => l.partition === partition && l.replay === undefined && inRange(l));
    const again = new Set(own.map(keyOf));
    const listed = record ? record.letters.filter(inRange) : [];
    const stale = listed.filter((l) => !again.has(keyOf(l)));
    // Deleted before the record drops them: a crash in between leaves them listed, and deleting again is harmless.
    if (stale.length > 0) await retryTransient(() => this.stores.deadLetters.withdraw(stale), this.retry);
    const late = own.filter((l) => l.reason === 'late');
    if (late.length > 0 || listed.length > 0) {
      // Letters beyond this batch were not judged again yet (a redelivery cut shorter): they stay listed.
      const carried = record ? record.letters.filter((l) => l.sequenceNumber > lastSequence) : [];
      const next: LateAttempt = {
        partition,
        firstSequence,
        lastSequence: Math.max(lastSequence, ...carried.map((l) => l.sequenceNumber)),
        letters: [
          ...late.map((l): DeadLetterKey => ({
            partition,
            sequenceNumber: l.sequenceNumber,
            ...(l.pipeline === undefined ? {} : { pipeline: l.pipeline }),
            enqueuedTime: l.enqueuedTime,
          })),
          ...carried,
        ],
      };
      // Written before the dead letters, so none of them can exist unlisted.
      await retryTransient(() => this.stores.lateAttempts.put(next), this.retry);
      record = next;
    }
    this.known.set(partition, record);
    this.lastSeen.set(partition, lastSequence);
    return stale;
  }
}

const shared = new WeakMap<object, LateWithdrawal>();
/** The process's LateWithdrawal for these stores (ingest's default when its deps name none). */
export function lateWithdrawalFor(
  stores: Pick<Stores, 'lateAttempts' | 'deadLetters'>,
  retry?: RetryOptions,
): LateWithdrawal {
  let w = shared.get(stores);
  if (!w) shared.set(stores, (w = new LateWithdrawal(stores, retry)));
  return w;
}
