import type { Report } from '../../src/core/analysis/types';
import type { Progress } from '../../src/functions/analysis/types';

export interface AnalysisRun {
  id: string;
  /** POST to the first GET that shows Completed (client view, polled every `pollMs`). */
  wallMs: number;
  /** The instance's createdTime -> lastUpdatedTime (host view, no polling error). */
  instanceMs: number;
  /** Bytes of the GET /api/analyses/{id} body once completed, and how long that GET took. */
  reportBytes: number;
  reportGetMs: number;
  report: Report;
  /** The progress seen while polling (chunksDone values), to show it moves. */
  progressSeen: number[];
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** POST /api/analyses, then poll GET /api/analyses/{id} until Completed (Failed throws with the error). */
export async function runAnalysis(
  baseUrl: string,
  body: object,
  pollMs: number,
  onProgress: (p: Progress) => void = () => {},
): Promise<AnalysisRun> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}/api/analyses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`POST /api/analyses: expected 202, found ${res.status} ${await res.text()}`);
  const { id } = await json<{ id: string }>(res, 'POST /api/analyses');
  const progressSeen: number[] = [];
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    const t = Date.now();
    const getRes = await fetch(`${baseUrl}/api/analyses/${encodeURIComponent(id)}`);
    const text = await getRes.text();
    const getMs = Date.now() - t;
    if (getRes.status !== 200) throw new Error(`GET /api/analyses/${id}: HTTP ${getRes.status} ${text.slice(0, 500)}`);
    const status = JSON.parse(text) as {
      runtimeStatus: string;
      progress: Progress | null;
      createdTime: string;
      lastUpdatedTime: string;
      report?: Report;
      error?: unknown;
    };
    if (status.progress) {
      onProgress(status.progress);
      if (progressSeen.at(-1) !== status.progress.chunksDone) progressSeen.push(status.progress.chunksDone);
    }
    if (status.runtimeStatus === 'Failed' || status.runtimeStatus === 'Terminated')
      throw new Error(`analysis ${id} ${status.runtimeStatus}: ${JSON.stringify(status.error)}`);
    if (status.runtimeStatus === 'Completed') {
      return {
        id,
        wallMs: Date.now() - started,
        instanceMs: Date.parse(status.lastUpdatedTime) - Date.parse(status.createdTime),
        reportBytes: Buffer.byteLength(text),
        reportGetMs: getMs,
        report: status.report!,
        progressSeen,
      };
    }
  }
}
