/**
 * The slice of a `RandomStream` (from `@twinkit/core`) that spaces and agent sets draw from.
 * Any `RandomStream` satisfies it; spaces take it as an argument so they stay usable without a
 * simulation (tests, tools) and never reach for a global generator.
 */
export interface RandomSource {
  /** Returns a uniform draw in (0, 1). */
  next(): number;
}

/** Draws an integer uniformly from [0, n) with `rng.next()` (n <= 2^32, bias below 2^-20). */
export function randomIndex(rng: RandomSource, n: number): number {
  return Math.floor(rng.next() * n);
}
