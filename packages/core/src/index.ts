/**
 * twinkit core: one clock and event calendar, processes, seeded RNG streams and distributions, the
 * state vector, statistics, fork.
 *
 * @module @twinkit/core
 */
// Validators and RNG internals (invalidArgument, createStream, Mrg32k3a, ...) are for the sibling
// packages only: @twinkit/core/internal (src/internal.ts).
export { TwinkitError, type TwinkitErrorCode, type TwinkitErrorOptions } from './errors';
export * from './events';
export * from './model';
export {
  DEFAULT_GENERATOR,
  type GeneratorKind,
  RandomStream,
  type RandomStreamState,
  type SamplerKind,
  type SamplerParameters,
  type StreamKey,
} from './random';
export * from './resumable';
export * from './simulation';
export * from './state';
export * from './statistics';
