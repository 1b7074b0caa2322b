export { CEL_LIMITS, celEnvironment, MAX_EXPRESSION_LENGTH } from './celEnvironment';
export type {
  CompiledExpression,
  CompileResult,
  EvalResult,
  ExpressionError,
  ExpressionRole,
} from './compileExpression';
export { compileExpression } from './compileExpression';
export { COST_LIMITS } from './costMeter';
export { describeValue } from './describeValue';
export { fieldReader, parseFieldPath } from './fieldPath';
export { type FastEvaluator, NOT_ANSWERED } from './numericFastPath';
