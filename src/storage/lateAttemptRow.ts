import { normalizeIso } from './normalizeIso';
import { StorageInputError } from './StorageInputError';
import type { DeadLetterKey, LateAttempt } from './types';

/** Validated, normalized copy of a late-attempt record; shared by both implementations so they agree exactly. */
export function lateAttemptRow(attempt: LateAttempt): LateAttempt {
  if (typeof attempt.partition !== 'string' || attempt.partition === '') {
    throw new StorageInputError(
      'partition',
      `partition: expected a non-empty string, found ${JSON.stringify(attempt.partition)}`,
    );
  }
  for (const field of ['firstSequence', 'lastSequence'] as const) {
    if (!Number.isSafeInteger(attempt[field]) || attempt[field] < 0)
      throw new StorageInputError(
        field,
        `${field}: expected a non-negative integer, found ${JSON.stringify(attempt[field])}`,
      );
  }
  if (attempt.lastSequence < attempt.firstSequence) {
    throw new StorageInputError(
      'lastSequence',
      `lastSequence: expected at least firstSequence (${attempt.firstSequence}), found ${attempt.lastSequence}`,
    );
  }
  if (!Array.isArray(attempt.letters))
    throw new StorageInputError('letters', `letters: expected an array, found ${typeof attempt.letters}`);
  const letters = attempt.letters.map((l, i): DeadLetterKey => {
    if (l.partition !== attempt.partition)
      throw new StorageInputError(
        'letters',
        `letters[${i}].partition: expected ${JSON.stringify(attempt.partition)}, found ${JSON.stringify(l.partition)}`,
      );
    if (!Number.isSafeInteger(l.sequenceNumber) || l.sequenceNumber < 0)
      throw new StorageInputError(
        'letters',
        `letters[${i}].sequenceNumber: expected a non-negative integer, found ${JSON.stringify(l.sequenceNumber)}`,
      );
    if (l.pipeline !== undefined && typeof l.pipeline !== 'string')
      throw new StorageInputError(
        'letters',
        `letters[${i}].pipeline: expected a string or nothing, found ${typeof l.pipeline}`,
      );
    return {
      partition: l.partition,
      sequenceNumber: l.sequenceNumber,
      ...(l.pipeline === undefined ? {} : { pipeline: l.pipeline }),
      enqueuedTime: normalizeIso('enqueuedTime', l.enqueuedTime),
    };
  });
  return {
    partition: attempt.partition,
    firstSequence: attempt.firstSequence,
    lastSequence: attempt.lastSequence,
    letters,
  };
}

/** The letters as stored: [sequenceNumber, pipeline or null, enqueuedTime] each (compact: a batch may list many). */
export function encodeLetters(letters: readonly DeadLetterKey[]): string {
  return JSON.stringify(letters.map((l) => [l.sequenceNumber, l.pipeline ?? null, l.enqueuedTime]));
}

export function decodeLetters(partition: string, text: string): DeadLetterKey[] {
  return (JSON.parse(text) as [number, string | null, string][]).map(([sequenceNumber, pipeline, enqueuedTime]) => ({
    partition,
    sequenceNumber,
    ...(pipeline === null ? {} : { pipeline }),
    enqueuedTime,
  }));
}
