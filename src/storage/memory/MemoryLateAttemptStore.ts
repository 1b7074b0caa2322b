import { splitText } from '../chunkedText';
import { decodeLetters, encodeLetters, lateAttemptRow } from '../lateAttemptRow';
import type { LateAttempt, LateAttemptStore } from '../types';

/** In-process LateAttemptStore with the Table store's behaviour (stored encoded, so reads are copies). */
export class MemoryLateAttemptStore implements LateAttemptStore {
  private readonly rows = new Map<string, { firstSequence: number; lastSequence: number; letters: string }>();

  async get(partition: string): Promise<LateAttempt | undefined> {
    const row = this.rows.get(partition);
    return (
      row && {
        partition,
        firstSequence: row.firstSequence,
        lastSequence: row.lastSequence,
        letters: decodeLetters(partition, row.letters),
      }
    );
  }

  async put(attempt: LateAttempt): Promise<void> {
    const a = lateAttemptRow(attempt);
    const letters = encodeLetters(a.letters);
    splitText('letters', letters); // the Table store's size limit
    this.rows.set(a.partition, { firstSequence: a.firstSequence, lastSequence: a.lastSequence, letters });
  }
}
