import { summarizeEncoded } from '../aggregates';
import type { WindowPoint } from './types';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * One value per window from a pipeline's `aggregates`, as a WindowPoint the anomaly methods read like a measure's
 * mean (docs/explanation/aggregates.md, "In the analysis"). Series names:
 * - `name` of a distinct aggregate: its estimate;
 * - `name` of a topK aggregate: the share of its leading item; `name:value`: the share of that value (0 when not kept);
 * - `name` of a moments or quantiles aggregate: its mean, or its p50.
 * Undefined when the window has no such aggregate or it cannot be read.
 */
export function aggregatePoint(
  data: unknown,
  series: string,
  bounds: { start: string; end: string },
): WindowPoint | undefined {
  if (!isObject(data) || !isObject(data['aggregates'])) return undefined;
  const colon = series.indexOf(':');
  const name = colon < 0 ? series : series.slice(0, colon);
  const item = colon < 0 ? undefined : series.slice(colon + 1);
  const stored = data['aggregates'][name];
  if (!isObject(stored) || typeof stored['kind'] !== 'string' || typeof stored['data'] !== 'string') return undefined;
  let result: Record<string, unknown>;
  try {
    result = summarizeEncoded({ kind: stored['kind'], data: stored['data'] });
  } catch {
    return undefined;
  }
  const events = num(data['events']) ?? 1;
  const value = valueOf(result, item);
  if (value === undefined) return undefined;
  if (result.kind === 'moments' && num(result['count']) !== undefined && num(result['min']) !== undefined) {
    const count = result['count'] as number;
    const stddev = num(result['stddev']) ?? 0;
    return {
      ...bounds,
      count,
      mean: value,
      stddev: count > 1 ? stddev * Math.sqrt((count - 1) / count) : 0,
      min: result['min'] as number,
      max: result['max'] as number,
      sum: num(result['sum']) ?? value * count,
    };
  }
  // A per-window figure: one observation of the series, weighted by the window's events.
  return { ...bounds, count: Math.max(1, events), mean: value, stddev: 0, min: value, max: value };
}

function valueOf(result: Record<string, unknown>, item: string | undefined): number | undefined {
  switch (result.kind) {
    case 'distinct':
      return item === undefined ? num(result['estimate']) : undefined;
    case 'topK': {
      const items = Array.isArray(result['items']) ? (result['items'] as { value: string; share: number }[]) : [];
      if (item === undefined) return items.length === 0 ? undefined : num(items[0]?.share);
      return num(items.find((e) => e.value === item)?.share) ?? 0;
    }
    case 'moments':
      return item === undefined ? (num(result['mean']) ?? undefined) : undefined;
    case 'quantiles':
      return item === undefined ? (num(result['p50']) ?? undefined) : undefined;
    default:
      return item === undefined ? (num(result['estimate']) ?? num(result['value'])) : undefined;
  }
}
