/**
 * twinkit core: one clock and event calendar, processes, seeded RNG streams and distributions, the
 * state vector, statistics, fork.
 *
 * @module @twinkit/core
 */
export * from './errors';
export * from './events';
export * from './model';
export * from './random';
export * from './simulation';
export * from './state';
export * from './statistics';
