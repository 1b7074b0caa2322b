export type { AggregateDefinition, CompiledAggregate } from './aggregates';
export type { CompiledPipeline, CompilePipelineResult, PipelineConfig } from './compile';
export { compilePipeline } from './compile';
export type { ParsePipelineResult, PipelineDefinition, PipelineIssue, WindowDefinition } from './definition';
export {
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_LATENESS,
  DEFAULT_WINDOW,
  defaultPipeline,
  idleTimeoutMs,
  parsePipeline,
  pipelineDefinitionSchema,
} from './definition';
