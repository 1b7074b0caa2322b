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
      // With nothing cached, guessing (the default pipeline) would fold the batch differently from its retry once the
      // store answers: fail the invocation instead, so the trigger retries the batch (a storage fault is transient).
      if (!this.pipelines) throw e;
      warn(`reading pipelines failed, using the cached set: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.pipelines;
  }
}

function defaultCompiled(retention: number): CompiledPipeline {
  const r = compilePipeline({ ...defaultPipeline, retention });
  if (!r.ok) throw new Error(`internal: default pipeline invalid: ${JSON.stringify(r.issues)}`);
  return r.pipeline;
}
