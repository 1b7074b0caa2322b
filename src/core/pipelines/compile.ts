import { parseDuration } from '../duration';
import { type CompiledExpression, compileExpression } from '../expressions';
import { idleTimeoutMs, parsePipeline, type ParsePipelineResult, type PipelineDefinition, type PipelineIssue } from './definition';

/** JSON-safe settings the stream entity needs (sent with every merge so the entity has no storage reads). */
export interface PipelineConfig {
  name: string;
  windowSizeMs: number;
  hopMs: number;
  allowedLatenessMs: number;
  retention: number;
  sketchAccuracy: number;
  /** Processing time without events after which open windows are closed by the idle flush; 0 = never. */
  idleTimeoutMs: number;
}

export interface CompiledPipeline {
  definition: PipelineDefinition;
  config: PipelineConfig;
  name: string;
  filter?: CompiledExpression;
  streamKey: CompiledExpression;
  time: CompiledExpression;
  measures: [string, CompiledExpression][];
}

export type CompilePipelineResult = { ok: true; pipeline: CompiledPipeline } | { ok: false; issues: PipelineIssue[] };

function must(text: string): CompiledExpression {
  const compiled = compileExpression(text);
  // parsePipeline has already compiled every expression, so this cannot fail for a parsed definition.
  if (!compiled.ok) throw new Error(`internal: expression ${JSON.stringify(text)} failed after validation: ${compiled.error.message}`);
  return compiled;
}

/** Validates (with defaults) and compiles a pipeline definition. */
export function compilePipeline(input: unknown): CompilePipelineResult {
  const parsed: ParsePipelineResult = parsePipeline(input);
  if (!parsed.ok) return parsed;
  const d = parsed.pipeline;
  const windowSizeMs = parseDuration(d.window.size) as number;
  return {
    ok: true,
    pipeline: {
      definition: d,
      name: d.name,
      config: {
        name: d.name,
        windowSizeMs,
        hopMs: d.window.hop === undefined ? windowSizeMs : (parseDuration(d.window.hop) as number),
        allowedLatenessMs: parseDuration(d.allowedLateness) as number,
        retention: d.retention,
        sketchAccuracy: d.sketchAccuracy,
        idleTimeoutMs: idleTimeoutMs(d.idleTimeout),
      },
      ...(d.filter === undefined ? {} : { filter: must(d.filter) }),
      streamKey: must(d.streamKey),
      time: must(d.time),
      measures: Object.entries(d.measures).map(([name, text]) => [name, must(text)]),
    },
  };
}
