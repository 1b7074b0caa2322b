import { setTimeout as sleep } from 'node:timers/promises';

import { createGenerator } from '../send/generator';
import { RateLimiter } from '../send/rateLimiter';
import { localHubTarget } from '../send/targets';

export interface DemoOptions {
  baseUrl: string;
  hub: string;
  streams: number;
  /** Events per second. */
  rate: number;
  /** Every Nth event of a stream is a planted spike. */
  spikeEvery: number;
  /** Called with a one-line status every `reportEveryMs`. */
  report?: (line: string) => void;
  reportEveryMs?: number;
}

export interface RunningDemo {
  sent(): number;
  /** Stops after the request in flight; resolves once the loop has ended. */
  stop(): Promise<void>;
}

/** The synthetic generator of `npm run send`, in process: `streams` streams at `rate` events/s until stopped. */
export function startDemo(o: DemoOptions): RunningDemo {
  const target = localHubTarget(o.baseUrl, o.hub);
  const generate = createGenerator({ streams: o.streams, spikeEvery: o.spikeEvery, seed: 1 });
  // Small requests several times a second, so live results move smoothly.
  const batch = Math.max(1, Math.round(o.rate / 10));
  let sent = 0;
  let failures = 0;
  let stopped = false;
  const wake = new AbortController();
  const loop = (async () => {
    const started = Date.now();
    const limiter = new RateLimiter(o.rate, started);
    let lastReport = started;
    while (!stopped) {
      const wait = limiter.delayFor(batch, Date.now());
      if (wait > 0) await sleep(wait, undefined, { signal: wake.signal }).catch(() => undefined);
      if (stopped) break;
      const now = new Date();
      try {
        await target.send(Array.from({ length: batch }, () => generate(now)));
        sent += batch;
      } catch (err) {
        failures++;
        o.report?.(`demo: sending failed (${(err as Error).message}); retrying`);
        await sleep(1000, undefined, { signal: wake.signal }).catch(() => undefined);
      }
      if (o.report && Date.now() - lastReport >= (o.reportEveryMs ?? 10_000)) {
        lastReport = Date.now();
        o.report(
          `demo: ${sent} events sent to ${o.streams} streams (${Math.round(sent / ((lastReport - started) / 1000))} events/s${failures ? `, ${failures} failed requests` : ''})`,
        );
      }
    }
  })();
  return {
    sent: () => sent,
    async stop() {
      stopped = true;
      wake.abort();
      await loop;
    },
  };
}
