import { type CompiledPipeline, compilePipeline, defaultPipeline } from '../core';
import type { PipelineStore } from '../storage';

type Log = (message: string) => void;

/**
 * Active pipelines, cached in-process and re-read at most every `refreshMs` (PIPELINE_REFRESH_SECONDS, default 10 s),
 * so a pipeline change reaches ingest within that interval without a table read per batch. Stored definitions that
 * no longer validate are skipped with a warning; with none stored the built-in default pipeline is used. When the
 * store cannot be read the last good set is kept. The default pipeline keeps `defaultRetention` live windows
 * (STREAM_RETENTION_WINDOWS); stored pipelines carry their own (the API fills in that setting when a PUT omits it).
 */
export class PipelineCache {
  private pipelines: CompiledPipeline[] | undefined;
  private loadedAt = -Infinity;

  constructor(
    private readonly store: PipelineStore,
    private readonly refreshMs: number,
    private readonly defaultRetention: number = defaultPipeline.retention,
  ) {}

  async get(now: number, warn: Log = () => undefined): Promise<CompiledPipeline[]> {
    if (this.pipelines && now - this.loadedAt < this.refreshMs) return this.pipelines;
    try {
      const stored = await this.store.list();
      const compiled: CompiledPipeline[] = [];
      for (const s of stored) {
        const r = compilePipeline(s.definition, s.name);
        if (r.ok) compiled.push(r.pipeline);
        else warn(`pipeline ${s.name} skipped: ${r.issues.map((i) => i.message).join('; ')}`);
      }
      this.pipelines = compiled.length > 0 ? compiled : [defaultCompiled(this.defaultRetention)];
      this.loadedAt = now;
    } catch (e) {
      warn(`reading pipelines failed, using ${this.pipelines ? 'the cached set' : 'the default pipeline'}: ${e instanceof Error ? e.message : String(e)}`);
      this.pipelines ??= [defaultCompiled(this.defaultRetention)];
    }
    return this.pipelines;
  }
}

function defaultCompiled(retention: number): CompiledPipeline {
  const r = compilePipeline({ ...defaultPipeline, retention });
  if (!r.ok) throw new Error(`internal: default pipeline invalid: ${JSON.stringify(r.issues)}`);
  return r.pipeline;
}
