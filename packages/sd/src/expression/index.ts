export type { BinaryOperator, Expr, Subscript } from './parser';
export { EquationSyntaxError, isBlankEquation, parseEquation } from './parser';
