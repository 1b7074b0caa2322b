import { setTimeout as sleep } from 'node:timers/promises';

import type { StreamTotals } from './durableSnapshot';

export interface TestEvent {
  id: number;
  stream: string;
  time: string;
  value: number;
}

/** All events fall in one 1-minute window of the default pipeline, so lateness never drops any. */
const base = Date.UTC(2024, 4, 1, 10, 0, 0);

/**
 * Event `i`: stream i mod `streams` (7 streams over 4 round-robin partitions puts every stream on every partition), integer values so sums are exact.
 * With `spacing`, event i's time is `base + i * spacingMs` instead (time-sorted, many 1-minute windows), and events
 * i ≡ 0 mod `rareEvery` go to the stream `rare` (with 4 round-robin partitions and `rareEvery` a multiple of 4, all
 * on one partition), from index `rareWiderFrom` on also those i ≡ rareEvery/2 (a second partition joins late).
 */
export interface Spacing {
  spacingMs: number;
  rareEvery?: number;
  rareWiderFrom?: number;
}

export function testEvent(i: number, streams: number, spacing?: Spacing): TestEvent {
  const every = spacing?.rareEvery;
  const rare =
    every !== undefined &&
    (i % every === 0 || (i >= (spacing?.rareWiderFrom ?? Infinity) && i % every === Math.floor(every / 2)));
  return {
    id: i,
    stream: rare ? 'rare' : `s-${i % streams}`,
    time: new Date(spacing ? base + i * spacing.spacingMs : base + (i % 50_000)).toISOString(),
    value: 1 + ((i * 7919) % 1000),
  };
}

/** The 1-minute window (the default pipeline's) an event falls in: its start in epoch ms. */
export const minuteOf = (e: TestEvent): number => Math.floor(Date.parse(e.time) / 60_000) * 60_000;

/**
 * Posts `batch` events to the local hub every `intervalMs` until stopped. Only events the hub acknowledged
 * (200 with accepted = n) count as sent; `pause()` resolves once no request is in flight, so a crash that
 * follows leaves no request whose outcome is unknown.
 */
export class SteadySender {
  private next = 0;
  private running: Promise<void> | undefined;
  private inFlight: Promise<void> | undefined;
  private generation = 0;
  readonly sent = new Map<string, StreamTotals>();
  /** `{stream}|{window start}` -> what was sent into that 1-minute window. */
  readonly sentWindows = new Map<string, StreamTotals>();

  constructor(
    private readonly options: {
      streams: number;
      batch: number;
      intervalMs: number;
      spacing?: Spacing;
    },
    private baseUrl: string,
  ) {}

  get count(): number {
    return this.next;
  }

  /** (Re)starts sending to `baseUrl`; `until` stops once that many events were sent in total. */
  start(baseUrl = this.baseUrl, until = Number.POSITIVE_INFINITY): void {
    this.baseUrl = baseUrl;
    const generation = ++this.generation;
    this.running = (async () => {
      while (generation === this.generation && this.next < until) {
        this.inFlight = this.sendOne(Math.min(this.options.batch, until - this.next));
        await this.inFlight;
        this.inFlight = undefined;
        await sleep(this.options.intervalMs);
      }
    })();
  }

  /** Stops sending; resolves as soon as the request in flight (if any) is answered, without waiting out the interval. */
  async pause(): Promise<void> {
    this.generation++;
    await this.inFlight;
  }

  /** Resolves when a run started with `until` has sent everything. */
  async finished(): Promise<void> {
    await this.running;
  }

  private async sendOne(n: number): Promise<void> {
    const events = Array.from({ length: n }, (_, k) =>
      testEvent(this.next + k, this.options.streams, this.options.spacing),
    );
    const res = await fetch(`${this.baseUrl}/runtime/eventhubs/events/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: events.map((e) => JSON.stringify(e)).join('\n'),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`The local hub refused ${n} events: ${res.status} ${text}`);
    const accepted = (JSON.parse(text) as { accepted: number }).accepted;
    if (accepted !== n) throw new Error(`The local hub accepted ${accepted} of ${n} events.`);
    this.next += n;
    for (const e of events) {
      const t = this.sent.get(e.stream) ?? { count: 0, sum: 0 };
      this.sent.set(e.stream, { count: t.count + 1, sum: t.sum + e.value });
      const key = `${e.stream}|${minuteOf(e)}`;
      const w = this.sentWindows.get(key) ?? { count: 0, sum: 0 };
      this.sentWindows.set(key, { count: w.count + 1, sum: w.sum + e.value });
    }
  }
}
