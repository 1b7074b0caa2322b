import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  color: string;
  /** Unit shown in the legend after each value. */
  unit?: string;
  kind?: 'line' | 'bars' | 'points';
  /** Values the legend shows instead of the plotted ones (the raw values of a stacked series). */
  legendValues?: (number | null)[];
  fill?: boolean;
  dash?: number[];
  scale?: string;
}

export interface ChartProps {
  title: string;
  /** x: epoch seconds. */
  x: number[];
  series: ChartSeries[];
  data: (number | null)[][];
  yLabel: string;
  y2Label?: string;
  height?: number;
  /** Fill between series i and j (indexes into `series`, 0-based), e.g. a min–max band. */
  bands?: [number, number][];
  /** Shown instead of the chart when there is no point. */
  empty?: string;
  /** Seconds between x values (bucket width): pads the x range by half of it so end bars are whole and one point is not a span of years. */
  step?: number;
  /** The y axis starts at 0 (counts). */
  zero?: boolean;
}

const css = (name: string): string =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

/** At most this many points in every series: draw the points, or a lone minute would not show at all as a line. */
const fewPoints = (p: ChartProps): boolean => p.data.every((d) => d.filter((v) => v !== null).length <= 12);

function options(p: ChartProps, width: number): uPlot.Options {
  const few = fewPoints(p);
  const fg = css('--muted');
  const grid = css('--grid');
  const axis = (label: string, scale?: string): uPlot.Axis => ({
    label,
    stroke: fg,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid },
    ...(scale ? { scale, side: 1 } : {}),
    size: 60,
  });
  return {
    width,
    height: p.height ?? 220,
    legend: { live: true },
    cursor: { points: { size: 6 } },
    scales: {
      x: { time: true, range: (_u, min, max) => [min - (p.step ?? 60) / 2, max + (p.step ?? 60) / 2] },
      ...(p.zero
        ? { y: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.1 : 1] } }
        : {}),
    },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
      axis(p.yLabel),
      ...(p.y2Label ? [axis(p.y2Label, 'y2')] : []),
    ],
    series: [
      { label: 'time' },
      ...p.series.map((s): uPlot.Series => ({
        label: s.unit ? `${s.label} (${s.unit})` : s.label,
        stroke: s.color,
        width: s.kind === 'bars' ? 0 : 2,
        ...(s.scale ? { scale: s.scale } : {}),
        ...(s.dash ? { dash: s.dash } : {}),
        ...(s.kind === 'bars' ? { paths: uPlot.paths.bars!({ size: [0.8, 40] }), fill: s.color } : {}),
        ...(s.kind === 'points'
          ? { paths: () => null, points: { show: true, size: 8, fill: s.color, stroke: s.color } }
          : { points: { show: s.kind !== 'bars' && few, size: 6, fill: s.color } }),
        ...(s.fill && s.kind !== 'bars' ? { fill: `${s.color}33` } : {}),
        spanGaps: false,
        value: (_u, v, _si, i) => {
          const shown = s.legendValues && i !== null ? s.legendValues[i] : v;
          return shown === null || shown === undefined
            ? '–'
            : `${Number(shown).toLocaleString('en-US', { maximumFractionDigits: 2 })}${s.unit ? ` ${s.unit}` : ''}`;
        },
      })),
    ],
    ...(p.bands
      ? {
          bands: p.bands.map(([a, b]) => ({
            series: [a + 1, b + 1] as [number, number],
            fill: `${p.series[a]?.color ?? '#888'}22`,
          })),
        }
      : {}),
  };
}

/** A uPlot chart: recreated when its series change, data swapped in place on refresh, resized with its box. */
export function Chart(p: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const scheme = useScheme();
  const shape = `${p.series.map((s) => `${s.label}|${s.kind}|${s.scale}`).join(',')}|${p.height}|${p.y2Label}|${scheme}|${fewPoints(p)}`;
  const hasData = p.x.length > 0 && p.data.some((d) => d.some((v) => v !== null));
  useEffect(() => {
    const el = box.current;
    if (!el || !hasData) return;
    const u = new uPlot(options(p, el.clientWidth || 600), [p.x, ...p.data] as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: p.height ?? 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = undefined;
    };
  }, [shape, hasData]);
  useEffect(() => {
    plot.current?.setData([p.x, ...p.data] as uPlot.AlignedData);
  });
  return html`<figure class="chart" data-chart=${p.title} data-points=${hasData ? p.x.length : 0}>
    <figcaption>${p.title}</figcaption>
    ${hasData ? html`<div ref=${box} class="plot"></div>` : html`<div class="empty">${p.empty ?? 'No data in this range yet.'}</div>`}
  </figure>`;
}

/** A tiny SVG line of values (the Streams table's recent window means). */
export function Sparkline({ values, width = 120, height = 24 }: { values: number[]; width?: number; height?: number }) {
  if (values.length < 2) return html`<span class="muted">–</span>`;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const points = values
    .map(
      (v, i) =>
        `${((i / (values.length - 1)) * (width - 2) + 1).toFixed(1)},${(height - 1 - ((v - min) / span) * (height - 2)).toFixed(1)}`,
    )
    .join(' ');
  return html`<svg
    class="spark"
    width=${width}
    height=${height}
    viewBox="0 0 ${width} ${height}"
    role="img"
    aria-label="recent window means"
  >
    <polyline points=${points} fill="none" stroke="currentColor" stroke-width="1.5" />
  </svg>`;
}

/** Light or dark as shown (the OS setting unless the page's theme overrides it); charts are redrawn in the new colours. */
export function useScheme(): string {
  const read = () =>
    document.documentElement.dataset['theme'] ??
    (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const [scheme, setScheme] = useState(read());
  useEffect(() => {
    const update = () => setScheme(read());
    const media = matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener('change', update);
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      media.removeEventListener('change', update);
      observer.disconnect();
    };
  }, []);
  return scheme;
}
