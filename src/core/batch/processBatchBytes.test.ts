import { compilePipeline } from '../pipelines';
import { processBatch } from './processBatch';

const compiled = compilePipeline({ name: 'p', window: { type: 'tumbling', size: 'PT1M' } });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
const T0 = Date.parse('2026-11-26T10:00:00Z');

function run(bodies: Uint8Array[]) {
  return processBatch({
    bodies,
    partitionId: '0',
    sequenceNumbers: bodies.map((_, i) => i),
    enqueuedTimes: bodies.map(() => T0),
    pipelines: [compiled.ok ? compiled.pipeline : (undefined as never)],
    now: T0,
  });
}

describe('processBatch on the trigger bytes (dataType binary)', () => {
  const good = (v: number) => Buffer.from(JSON.stringify({ stream: 'é✓', time: T0, value: v }));

  it('decodes UTF-8 (multi-byte keys, a leading BOM, a genuine U+FFFD) and aggregates', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good(2)]);
    const replacement = Buffer.from(JSON.stringify({ stream: 'é✓', time: T0, value: 3, note: '\uFFFD' }));
    const r = run([good(1), bom, replacement]);
    expect(r.metrics).toMatchObject({ eventsIn: 3, aggregated: 3, deadLettered: 0 });
    expect(r.partials.map((p) => [p.stream, p.totals['value']?.sum])).toEqual([['é✓', 6]]);
  });

  it('dead-letters an empty body, invalid UTF-8 and non-JSON as invalid-json, keeping the raw text as received', () => {
    const big = Buffer.from('{"stream":"a","time":1,"value":1e309}');
    const r = run([good(1), Buffer.alloc(0), Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), Buffer.from('nope'), big]);
    expect(r.metrics).toMatchObject({ eventsIn: 5, aggregated: 1, deadLettered: 4 });
    expect(r.deadLetters.map((d) => [d.sequenceNumber, d.reason, d.raw, d.detail])).toEqual([
      [1, 'invalid-json', '', 'expected a JSON object, found an empty body'],
      [2, 'invalid-json', '{\uFFFD(}', 'expected a JSON object, found 4 bytes that are not valid UTF-8'],
      [3, 'invalid-json', 'nope', expect.stringMatching(/^expected a JSON object, found text that is not JSON/)],
      [
        4,
        'schema',
        '{"stream":"a","time":1,"value":1e309}',
        expect.stringMatching(/^measure value "value": expected a finite number/),
      ],
    ]);
  });
});
