/** Syntax tree of the expression language. `position` is the 0-based offset of the node's first character. */
export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Node =
  | { type: 'literal'; value: number | string | boolean | null; position: number }
  /** The whole event (`$`). */
  | { type: 'root'; position: number }
  /** A top-level field of the event, e.g. `value`. */
  | { type: 'field'; name: string; position: number }
  | { type: 'member'; object: Node; name: string; position: number }
  | { type: 'index'; object: Node; index: Node; position: number }
  | { type: 'unary'; operator: '-' | '!'; operand: Node; position: number }
  | { type: 'binary'; operator: BinaryOperator; left: Node; right: Node; position: number }
  | { type: 'logical'; operator: '&&' | '||'; left: Node; right: Node; position: number }
  | { type: 'conditional'; test: Node; consequent: Node; alternate: Node; position: number }
  | { type: 'call'; name: string; args: Node[]; position: number };
