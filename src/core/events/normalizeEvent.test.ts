import fc from 'fast-check';

import { type EventProblem, type EventRecord, isEventProblem, normalizeEvent } from './normalizeEvent';

const record = (value: unknown): EventRecord => {
  const r = normalizeEvent(value);
  if (isEventProblem(r)) throw new Error(r.message);
  return r;
};
const problem = (value: unknown): EventProblem => {
  const r = normalizeEvent(value);
  if (!isEventProblem(r)) throw new Error(`expected a problem for ${JSON.stringify(value)}`);
  return r;
};

const cloudEvent = {
  specversion: '1.0',
  id: 'e-1',
  source: '/flights',
  type: 'flight.departed',
  subject: 'LAS',
  time: '2001-01-01T00:01:00Z',
  data: { delay: 33, distance: 2176 },
};

describe('normalizeEvent', () => {
  it('takes a plain object as its own payload, with no envelope', () => {
    const event = { stream: 's', value: 1 };
    const r = record(event);
    expect(r.payload).toBe(event);
    expect(r).toEqual({ payload: event, subject: undefined, time: undefined });
  });

  it('reads a CloudEvent: payload from data plus its attributes as `cloudevent`, subject and time from the envelope', () => {
    const r = record(cloudEvent);
    const { data, ...attributes } = cloudEvent;
    expect(r.payload).toEqual({ ...data, cloudevent: attributes });
    expect(r).toMatchObject({ subject: 'LAS', time: '2001-01-01T00:01:00Z' });
    expect(record({ ...cloudEvent, data: undefined, subject: undefined, time: undefined }).payload).toEqual({
      cloudevent: { specversion: '1.0', id: 'e-1', source: '/flights', type: 'flight.departed' },
    });
  });

  it('returns problems as values naming the attribute, what was expected and what was found', () => {
    expect(problem(42)).toMatchObject({ code: 'schema', message: 'expected a JSON object, found number 42' });
    expect(problem([1])).toMatchObject({ code: 'schema', message: 'expected a JSON object, found array' });
    expect(problem({ ...cloudEvent, specversion: '0.3' }).message).toBe(
      'CloudEvent: specversion: expected "1.0", found string "0.3"',
    );
    expect(problem({ ...cloudEvent, id: '' }).message).toBe(
      'CloudEvent: id: expected a non-empty string, found string ""',
    );
    expect(problem({ ...cloudEvent, source: undefined }).message).toBe(
      'CloudEvent: source: expected a non-empty string, found null',
    );
    expect(problem({ ...cloudEvent, type: 7 }).message).toBe(
      'CloudEvent: type: expected a non-empty string, found number 7',
    );
    expect(problem({ ...cloudEvent, subject: 3 }).message).toBe(
      'CloudEvent: subject: expected a string, found number 3',
    );
    expect(problem({ ...cloudEvent, time: 1 }).message).toBe(
      'CloudEvent: time: expected an RFC 3339 string, found number 1',
    );
    expect(problem({ ...cloudEvent, data: 'text' }).message).toBe(
      'CloudEvent: data: expected a JSON object, found string "text"',
    );
    expect(problem({ ...cloudEvent, data: [1, 2] }).message).toBe(
      'CloudEvent: data: expected a JSON object, found array',
    );
    expect(problem({ ...cloudEvent, data: undefined, data_base64: 'AAEC' }).message).toMatch(
      /data_base64: expected JSON `data`/,
    );
  });

  it('never throws, and yields either a record or a schema problem for any JSON value', () => {
    const envelope = fc.record(
      {
        specversion: fc.constantFrom('1.0', '1.0', '0.3', 1),
        id: fc.string(),
        source: fc.string(),
        type: fc.string(),
        subject: fc.jsonValue(),
        time: fc.jsonValue(),
        data: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), envelope), (value) => {
        const r = normalizeEvent(value);
        if (isEventProblem(r)) expect(r.code).toBe('schema');
        else expect(r.payload !== null && typeof r.payload === 'object' && !Array.isArray(r.payload)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
