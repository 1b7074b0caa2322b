export type { CompiledPipeline, CompilePipelineResult, PipelineConfig } from './compile';
export { compilePipeline } from './compile';
export type { ParsePipelineResult, PipelineDefinition, PipelineIssue } from './definition';
export { DEFAULT_IDLE_TIMEOUT, defaultPipeline, idleTimeoutMs, parsePipeline, pipelineDefinitionSchema } from './definition';
