export type { Node } from './ast';
export type { CompiledExpression, CompileResult, EvalResult, ExpressionError, Value } from './compile';
export { compileExpression } from './compile';
export { BUILT_INS, describeValue } from './functions';
export { MAX_EXPRESSION_LENGTH, parse } from './parser';

