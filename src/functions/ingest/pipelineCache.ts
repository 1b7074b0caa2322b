import { type CompiledPipeline, compileExpression, compilePipeline, defaultPipeline } from '../../core';
import type { PipelineStore } from '../../storage';

type Log = (message: string) => void;

/**
 * Active pipelines, cached in-process and re-read at most every `refreshMs` (PIPELINE_REFRESH_SECONDS, default 10 s),
 * so a pipeline change reaches ingest within that interval without a table read per batch. A stored definition that no
 * longer compiles (stored directly, or before a rule was added) never silently drops its events: this process keeps
 * running the last version of that pipeline it compiled; without one, the events the pipeline's `match` takes (all,
 * when there is no usable match) are dead-lettered as `expression`, naming the problem, so they can be replayed once it
 * is fixed. Either way a warning is logged once per refresh. With none stored the built-in default pipeline is used. When the
 * store cannot be read the last good set is kept. The default pipeline keeps `defaultRetention` live windows
 * (STREAM_RETENTION_WINDOWS); stored pipelines carry their own (the API fills in that setting when a PUT omits it).
 */
export class PipelineCache {
  private pipelines: CompiledPipeline[] | undefined;
  private loadedAt = -Infinity;
  /** The last version of each stored pipeline this process compiled, by name. */
  private readonly lastGood = new Map<string, CompiledPipeline>();

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
        if (r.ok) {
          const versioned = withVersion(r.pipeline, s.version);
          this.lastGood.set(s.name, versioned);
          compiled.push(versioned);
          continue;
        }
        const problem = r.issues.map((i) => i.message).join('; ');
        const previous = this.lastGood.get(s.name);
        if (previous !== undefined) {
          compiled.push(previous);
          warn(
            `pipeline ${s.name} no longer compiles (${problem}); still running the version this process compiled earlier - fix it with PUT /api/pipelines/${s.name}`,
          );
        } else {
          compiled.push(withVersion(unusablePipeline(s.name, s.definition, problem), s.version));
          warn(
            `pipeline ${s.name} no longer compiles (${problem}); the events it takes are dead-lettered as expression until it is fixed with PUT /api/pipelines/${s.name}`,
          );
        }
      }
      for (const name of this.lastGood.keys()) if (!stored.some((s) => s.name === name)) this.lastGood.delete(name);
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

/** The stored version rides in the config, so the stream entity stamps the windows it closes with it. */
function withVersion(pipeline: CompiledPipeline, version: number | undefined): CompiledPipeline {
  return version === undefined ? pipeline : { ...pipeline, config: { ...pipeline.config, version } };
}

function defaultCompiled(retention: number): CompiledPipeline {
  const r = compilePipeline({ ...defaultPipeline, retention });
  if (!r.ok) throw new Error(`internal: default pipeline invalid: ${JSON.stringify(r.issues)}`);
  return r.pipeline;
}

/**
 * A stand-in for a stored pipeline that does not compile: the default pipeline's settings under its name, its own
 * `match` when that still compiles (so only the events meant for it are dead-lettered), and `unusable` set.
 */
function unusablePipeline(name: string, definition: unknown, problem: string): CompiledPipeline {
  const stand = compilePipeline({ ...defaultPipeline, name });
  if (!stand.ok)
    throw new Error(`internal: default pipeline invalid under name ${name}: ${JSON.stringify(stand.issues)}`);
  const text =
    definition !== null && typeof definition === 'object'
      ? (definition as Record<string, unknown>)['match']
      : undefined;
  const match = typeof text === 'string' ? compileExpression(text, 'boolean') : undefined;
  const { match: _none, ...pipeline } = stand.pipeline;
  return {
    ...pipeline,
    ...(match?.ok ? { match: match.expression } : {}),
    unusable: `pipeline ${name} is stored but no longer compiles: ${problem}; fix it with PUT /api/pipelines/${name}, then replay these dead letters`,
  };
}
