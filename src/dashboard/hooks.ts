import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from './api';
import { fmtTime } from './format';

export const REFRESH_MS = 5000;

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  updatedAt: number | undefined;
  reload: () => void;
}

/**
 * Loads `load()` now and every `everyMs` (live refresh without reloading the page), again when `deps` change; keeps the
 * last good data while an error shows. Paused while the tab is hidden.
 */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[], everyMs = REFRESH_MS): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [updatedAt, setUpdatedAt] = useState<number | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    setData(undefined);
    setError(undefined);
  }, deps);
  useEffect(() => {
    const mine = ++generation.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (document.visibilityState !== 'hidden') {
        try {
          const value = await load();
          if (mine !== generation.current) return;
          setData(value);
          setError(undefined);
          setUpdatedAt(Date.now());
        } catch (e) {
          if (mine !== generation.current) return;
          setError(e instanceof ApiError ? e : new ApiError(0, (e as Error).message));
        }
      }
      if (mine === generation.current && everyMs > 0) timer = setTimeout(run, everyMs);
    };
    void run();
    return () => {
      generation.current++;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, updatedAt, reload };
}

/** The problem's detail, in the page (never a blank page). */
export function ErrorBox({ error }: { error: ApiError | Error | undefined }) {
  if (!error) return null;
  const status = error instanceof ApiError && error.status ? `${error.status}: ` : '';
  return html`<div class="error" role="alert">${status}${error.message}</div>`;
}

/** "Last updated hh:mm:ss" and the error of the latest refresh, if any. */
export function Status({ polled }: { polled: { updatedAt: number | undefined; error: ApiError | undefined } }) {
  return html`<div class="status">
    <span class="updated" data-updated=${polled.updatedAt ?? ''}
      >${polled.updatedAt ? `Last updated ${fmtTime(polled.updatedAt)}` : 'Loading…'}</span
    >
    <${ErrorBox} error=${polled.error} />
  </div>`;
}

/** A figure with its label and unit. */
export function Stat({ label, value, unit, hint }: { label: string; value: string; unit?: string; hint?: string }) {
  return html`<div class="stat" title=${hint ?? ''}>
    <div class="stat-label">${label}</div>
    <div class="stat-value">${value}${unit ? html`<small> ${unit}</small>` : ''}</div>
  </div>`;
}
