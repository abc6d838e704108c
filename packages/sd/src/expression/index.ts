export { EquationSyntaxError, isBlankEquation, parseEquation } from './parser';
export type { BinaryOperator, Expr, Subscript } from './parser';
