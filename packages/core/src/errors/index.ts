export type { TwinkitErrorCode, TwinkitErrorOptions } from './errors';
export {
  formatValue,
  invalidArgument,
  requireFinite,
  requireInteger,
  requireNonNegative,
  requirePositive,
  TwinkitError,
} from './errors';
export { closestMatch, rejectUnknownKeys } from './unknown-keys';
