import { setTimeout as sleep } from 'node:timers/promises';

import { chaosEvent, type ChaosEventOptions } from './chaosEvents';
import type { StreamTruth } from './report';

export interface SenderOptions extends ChaosEventOptions {
  /** Events per second. */
  rate: number;
  /** How often a request goes out; default 100 ms. */
  tickMs?: number;
}

/**
 * Posts chaos events to the local hub's producer route at a steady rate, each to its own partition. Only events the
 * hub acknowledged (200 with accepted = n) count as sent; the hub is local files, so storage outages do not stop it.
 */
export class ChaosSender {
  private next = 0;
  readonly truth = new Map<string, StreamTruth>();

  constructor(
    private readonly baseUrl: string,
    private readonly options: SenderOptions,
    private readonly hub = 'events',
  ) {}

  /** Events acknowledged so far (ids 0 .. count-1). */
  get count(): number {
    return this.next;
  }

  private stopping = false;

  /** Sends at the steady rate until stop(); rejects if the hub refuses a request. */
  async run(): Promise<void> {
    const start = Date.now();
    while (!this.stopping) {
      const due = Math.floor((this.options.rate * (Date.now() - start)) / 1000);
      if (due > this.next) await this.send(Math.min(due - this.next, 2000));
      else await sleep(this.options.tickMs ?? 100);
    }
  }

  /** Ends run() after the request in flight, if any. */
  stop(): void {
    this.stopping = true;
  }

  private async send(n: number): Promise<void> {
    const events = Array.from({ length: n }, (_, k) => chaosEvent(this.next + k, this.options));
    const res = await fetch(`${this.baseUrl}/runtime/eventhubs/${this.hub}/events?envelope=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events.map((e) => ({ body: e.body, partitionId: e.partition }))),
    });
    const text = await res.text();
    if (res.status !== 200)
      throw new Error(`The local hub refused ${n} events: expected 200, found ${res.status} ${text.slice(0, 500)}`);
    const accepted = (JSON.parse(text) as { accepted?: unknown }).accepted;
    if (accepted !== n) throw new Error(`The local hub accepted ${JSON.stringify(accepted)} of ${n} events.`);
    this.next += n;
    for (const e of events) {
      const t = this.truth.get(e.stream) ?? { valid: 0, validSum: 0, invalid: 0 };
      if (e.valid) {
        t.valid++;
        t.validSum += e.value;
      } else {
        t.invalid++;
      }
      this.truth.set(e.stream, t);
    }
  }
}
