export type { BinaryOperator, Expr, Subscript } from './parser';
export { EquationSyntaxError, parseEquation } from './parser';
