export type { CompiledPipeline, CompilePipelineResult, PipelineConfig } from './compile';
export { compilePipeline } from './compile';
export type { ParsePipelineResult, PipelineDefinition, PipelineIssue } from './definition';
export { defaultPipeline, parsePipeline, pipelineDefinitionSchema } from './definition';
