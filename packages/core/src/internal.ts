/**
 * `@twinkit/core/internal`: the argument validators and RNG internals that the sibling `@twinkit/*`
 * packages share. Not public API: no compatibility promise, and examples, benchmarks and
 * applications use the public entry point `@twinkit/core` (a standalone stream is
 * `new RandomStream(key)`, a bad argument a `TwinkitError`).
 *
 * @module @twinkit/core/internal
 */
export {
  closestMatch,
  formatValue,
  invalidArgument,
  rejectUnknownKeys,
  requireFinite,
  requireInteger,
  requireNonNegative,
  requirePositive,
} from './errors';
export { createStream, GENERATOR_KINDS, MRG32K3A_DEFAULT_SEED, Mrg32k3a, type Mrg32k3aState } from './random';
