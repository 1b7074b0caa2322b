import { gaussian, seededRandom } from './random';

export type ValueShape = 'gaussian' | 'sine' | 'random-walk';

export interface GeneratorOptions {
  streams: number;
  shape: ValueShape;
  seed: number;
  /** Every Nth event of a stream is a spike (0: none). */
  spikeEvery: number;
  /** Spike size in standard deviations. */
  spikeSize: number;
  /** Mean and spread of the values. */
  mean: number;
  stddev: number;
  /** Sine period in events per stream. */
  period: number;
}

export interface GeneratedEvent {
  stream: string;
  time: string;
  value: number;
}

export const defaultGeneratorOptions: GeneratorOptions = {
  streams: 10,
  shape: 'gaussian',
  seed: 1,
  spikeEvery: 0,
  spikeSize: 8,
  mean: 50,
  stddev: 5,
  period: 60,
};

export const streamName = (i: number, streams: number): string =>
  `s-${String(i + 1).padStart(Math.max(3, String(streams).length), '0')}`;

/**
 * Synthetic multi-stream events, round robin over streams: {"stream":"s-001","time":"<ISO>","value":12.3}.
 * Values follow the shape per stream; every `spikeEvery`th event of a stream is a planted anomaly.
 */
export function createGenerator(options: Partial<GeneratorOptions> = {}): (now: Date) => GeneratedEvent {
  const o = { ...defaultGeneratorOptions, ...options };
  const random = seededRandom(o.seed);
  const counts = new Array<number>(o.streams).fill(0);
  const walk = new Array<number>(o.streams).fill(o.mean);
  const phase = Array.from({ length: o.streams }, () => random() * 2 * Math.PI);
  let next = 0;
  return (now) => {
    const i = next;
    next = (next + 1) % o.streams;
    const n = (counts[i] as number) + 1;
    counts[i] = n;
    let value: number;
    if (o.shape === 'sine')
      value =
        o.mean +
        o.stddev * Math.sin((2 * Math.PI * n) / o.period + (phase[i] as number)) +
        0.1 * o.stddev * gaussian(random);
    else if (o.shape === 'random-walk') value = walk[i] = (walk[i] as number) + 0.3 * o.stddev * gaussian(random);
    else value = o.mean + o.stddev * gaussian(random);
    if (o.spikeEvery > 0 && n % o.spikeEvery === 0) value += o.spikeSize * o.stddev;
    return { stream: streamName(i, o.streams), time: now.toISOString(), value: Math.round(value * 1000) / 1000 };
  };
}
