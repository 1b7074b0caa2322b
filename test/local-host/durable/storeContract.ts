import { newInstance } from '../../../local-host/durable/runtime/newInstance';
import { newMessage } from '../../../local-host/durable/runtime/newMessage';
import type { DurableStore, HistoryEvent } from '../../../local-host/durable/types';

let counter = 0;
const newId = (): string => `id-${counter++}`;

/** One behaviour contract every durable store must meet; call it once per implementation. */
export function describeDurableStoreContract(
  name: string,
  open: () => { store: DurableStore; reopen?: () => DurableStore },
): void {
  describe(`DurableStore contract: ${name}`, () => {
    let store: DurableStore;
    let reopen: (() => DurableStore) | undefined;
    beforeEach(() => {
      ({ store, reopen } = open());
    });
    afterEach(() => store.close());

    it('commits messages, instances and entities together and loads messages in insertion order', () => {
      const a = newInstance(
        { instanceId: 'a', name: 'Orch', input: '1', now: Date.parse('2024-01-01T00:00:00Z') },
        newId,
      );
      const op = newMessage(newId(), {
        kind: 'entity',
        entityId: '@c@k',
        operation: 'add',
        input: '1',
        isSignal: true,
        requestId: 'r',
      });
      store.commit({
        putInstances: [a.record],
        addMessages: [a.message, op],
        putEntities: [{ entityId: '@c@k', name: 'c', key: 'k', state: '5', lastModified: 'now' }],
      });
      expect(store.loadMessages().map((m) => m.id)).toEqual([a.message.id, op.id]);
      expect(store.getInstance('a')).toEqual(a.record);
      expect(store.getEntity('@c@k')?.state).toBe('5');
      store.commit({ deleteMessages: [op.id], deleteEntities: ['@c@k'] });
      expect(store.loadMessages().map((m) => m.id)).toEqual([a.message.id]);
      expect(store.getEntity('@c@k')).toBeUndefined();
    });

    it('returns copies, so callers cannot change stored records by mutation', () => {
      const a = newInstance({ instanceId: 'copy', name: 'Orch', input: null, now: 0 }, newId);
      const started = { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: 't', Detail: { n: 1 } };
      store.commit({ putInstances: [{ ...a.record, history: [started] }] });
      started.IsPlayed = true;
      const read = store.getInstance('copy');
      read!.history.push({ EventType: 0, EventId: -1, IsPlayed: false, Timestamp: 'x' });
      try {
        (read!.history[0] as { IsPlayed: boolean }).IsPlayed = true;
        (read!.history[0]?.Detail as { n: number }).n = 2;
      } catch {
        // stores may hand out frozen events
      }
      a.record.status = 'Failed';
      expect(store.getInstance('copy')?.history).toEqual([{ ...started, IsPlayed: false, Detail: { n: 1 } }]);
      expect(store.getInstance('copy')?.status).toBe('Pending');
    });

    it('queries instances by creation time, status and prefix, ordered by creation time then id', () => {
      const make = (id: string, at: string, status: 'Running' | 'Completed') => ({
        ...newInstance({ instanceId: id, name: 'Orch', input: null, now: Date.parse(at) }, newId).record,
        status,
      });
      store.commit({
        putInstances: [
          make('b2', '2024-01-02T00:00:00.000Z', 'Completed'),
          make('b1', '2024-01-02T00:00:00.000Z', 'Running'),
          make('a1', '2024-01-01T00:00:00.000Z', 'Completed'),
          make('c1', '2024-01-03T00:00:00.000Z', 'Completed'),
        ],
      });
      expect(store.queryInstances({}).map((r) => r.instanceId)).toEqual(['a1', 'b1', 'b2', 'c1']);
      expect(store.queryInstances({ runtimeStatus: ['Completed'] }).map((r) => r.instanceId)).toEqual([
        'a1',
        'b2',
        'c1',
      ]);
      expect(
        store
          .queryInstances({ createdTimeFrom: '2024-01-02T00:00:00.000Z', createdTimeTo: '2024-01-02T12:00:00.000Z' })
          .map((r) => r.instanceId),
      ).toEqual(['b1', 'b2']);
      expect(store.queryInstances({ instanceIdPrefix: 'b' }).map((r) => r.instanceId)).toEqual(['b1', 'b2']);
      store.commit({ deleteInstances: ['b1'] });
      expect(store.getInstance('b1')).toBeUndefined();
    });

    it('grows the history of an execution and replaces it for a new execution', () => {
      const ev = (n: number, t = 'x'): HistoryEvent => ({
        EventType: 4,
        EventId: n,
        IsPlayed: false,
        Timestamp: t,
        Name: `A${n}`,
      });
      const base = newInstance({ instanceId: 'h', name: 'Orch', input: null, now: 0 }, newId).record;
      store.commit({ putInstances: [{ ...base, history: [ev(0), ev(1)] }] });
      const grown = { ...base, status: 'Running' as const, history: [ev(0), ev(1), ev(2), ev(3), ev(4)] };
      store.commit({ putInstances: [grown] });
      expect(store.getInstance('h')).toEqual(grown);
      store.commit({ putInstances: [{ ...grown, history: [...grown.history, ev(5)] }] });
      expect(store.getInstance('h')?.history.map((e) => e.EventId)).toEqual([0, 1, 2, 3, 4, 5]);
      const next = { ...base, executionId: 'exec-2', history: [ev(9, 'y')] };
      store.commit({ putInstances: [next] });
      expect(store.getInstance('h')).toEqual(next);
      store.commit({ deleteInstances: ['h'] });
      store.commit({ putInstances: [{ ...next, history: [] }] });
      expect(store.getInstance('h')?.history).toEqual([]);
    });

    it('lists instances without their history', () => {
      const a = newInstance({ instanceId: 'listed', name: 'Orch', input: '1', now: 0 }, newId).record;
      store.commit({
        putInstances: [{ ...a, history: [{ EventType: 12, EventId: -1, IsPlayed: false, Timestamp: 't' }] }],
      });
      const [listed] = store.queryInstances({ instanceIdPrefix: 'listed' });
      const { history: _history, ...summary } = a;
      expect(listed).toEqual(summary);
    });

    it('keeps everything across a reopen when it is persistent', () => {
      if (!reopen) {
        expect(store.kind).toBe('memory');
        return;
      }
      const a = newInstance({ instanceId: 'kept', name: 'Orch', input: '"x"', now: 0 }, newId);
      store.commit({
        putInstances: [a.record],
        addMessages: [a.message],
        putEntities: [{ entityId: '@e@1', name: 'e', key: '1', state: '[1]', lastModified: 't' }],
      });
      store.close();
      store = reopen();
      expect(store.getInstance('kept')).toEqual(a.record);
      expect(store.loadMessages()).toEqual([a.message]);
      expect(store.getEntity('@e@1')?.state).toBe('[1]');
    });
  });
}
