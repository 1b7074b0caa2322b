import { parseDuration } from '../duration';
import { type CompiledExpression, compileExpression, type ExpressionRole } from '../expressions';
import { compileAggregates, type CompiledAggregate } from './aggregates';
import {
  idleTimeoutMs,
  parsePipeline,
  type ParsePipelineResult,
  type PipelineDefinition,
  type PipelineIssue,
} from './definition';

/** JSON-safe settings the stream entity needs (sent with every merge so the entity has no storage reads). */
export interface PipelineConfig {
  name: string;
  windowSizeMs: number;
  /** Equal to windowSizeMs for a tumbling window. */
  hopMs: number;
  /** The definition's `lateness`. */
  allowedLatenessMs: number;
  /** The definition's `corrections` (windows-and-lateness.md, "Window revisions"); absent = off. */
  correctionsMs?: number;
  retention: number;
  sketchAccuracy: number;
  /** Processing time without events after which open windows are closed by the idle flush; 0 = never. */
  idleTimeoutMs: number;
  /**
   * Session windows (docs/explanation/windows-and-lateness.md); windowSizeMs and hopMs are then maxDurationMs, the
   * longest a session can be. Absent for tumbling and hopping windows.
   */
  session?: { gapMs: number; maxDurationMs: number };
  /**
   * The stored pipeline's version (ingest sets it from the store; docs/explanation/pipeline-versions.md): closed windows
   * and dead letters name it. Absent for the built-in default pipeline and from senders that predate versions.
   */
  version?: number;
}

export interface CompiledPipeline {
  definition: PipelineDefinition;
  config: PipelineConfig;
  name: string;
  match?: CompiledExpression;
  filter?: CompiledExpression;
  key: CompiledExpression;
  /** The key is the default `stream`: a CloudEvent without `stream` in its data is keyed by its subject. */
  keyFallsBackToSubject: boolean;
  /** A field path; missing -> the CloudEvents `time`, then the enqueued time. */
  time: CompiledExpression;
  measures: [string, CompiledExpression][];
  /** The definition's `aggregates`, in written order; empty when it has none. */
  aggregates: CompiledAggregate[];
  /**
   * Set on a stand-in for a stored pipeline that no longer compiles (ingest has no earlier version of it): every event
   * its `match` takes (all, when the match itself does not compile) is dead-lettered as `expression` with this text.
   */
  unusable?: string;
}

export type CompilePipelineResult = { ok: true; pipeline: CompiledPipeline } | { ok: false; issues: PipelineIssue[] };

function must(text: string, role: ExpressionRole): CompiledExpression {
  const compiled = compileExpression(text, role);
  // parsePipeline has already compiled every expression, so this cannot fail for a parsed definition.
  if (!compiled.ok)
    throw new Error(`internal: expression ${JSON.stringify(text)} failed after validation: ${compiled.error.message}`);
  return compiled.expression;
}

/** Validates (with defaults) and compiles a pipeline definition, once per pipeline version. `name`: as for parsePipeline. */
export function compilePipeline(input: unknown, name?: string): CompilePipelineResult {
  const parsed: ParsePipelineResult = parsePipeline(input, name);
  if (!parsed.ok) return parsed;
  const d = parsed.pipeline;
  const session =
    d.window.type === 'session'
      ? { gapMs: parseDuration(d.window.gap) as number, maxDurationMs: parseDuration(d.window.maxDuration) as number }
      : undefined;
  const windowSizeMs = session?.maxDurationMs ?? (parseDuration((d.window as { size: string }).size) as number);
  return {
    ok: true,
    pipeline: {
      definition: d,
      name: d.name,
      config: {
        name: d.name,
        windowSizeMs,
        hopMs: d.window.type === 'hopping' ? (parseDuration(d.window.hop) as number) : windowSizeMs,
        allowedLatenessMs: parseDuration(d.lateness) as number,
        ...(d.corrections === undefined ? {} : { correctionsMs: parseDuration(d.corrections) as number }),
        retention: d.retention,
        sketchAccuracy: d.sketchAccuracy,
        idleTimeoutMs: idleTimeoutMs(d.idleTimeout),
        ...(session === undefined ? {} : { session }),
      },
      ...(d.match === undefined ? {} : { match: must(d.match, 'boolean') }),
      ...(d.filter === undefined ? {} : { filter: must(d.filter, 'boolean') }),
      key: must(d.key, 'key'),
      keyFallsBackToSubject: d.key.trim() === 'stream',
      time: must(d.time, 'key'),
      measures: Object.entries(d.measures).map(([measure, text]) => [measure, must(text, 'number')]),
      aggregates: compileAggregates(d.aggregates),
    },
  };
}
