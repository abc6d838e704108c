/**
 * Draws from a multivariate normal through a RandomStream.
 *
 * Internal to the package. (Not tagged internal: on a file comment that tag strips the next import.)
 */
import type { RandomStream } from '@twinkit/core';

/** The draws a stochastic filter needs: a {@link RandomStream} of @twinkit/core. */
export type FilterRandom = Pick<RandomStream, 'next' | 'normal'>;

/** Writes mean + L·ε into `out`, ε standard normal, L a lower factor of the covariance (n x n). */
export function drawGaussian(
  rng: FilterRandom,
  mean: ArrayLike<number> | null,
  L: Float64Array,
  n: number,
  out: Float64Array,
  work: Float64Array,
): void {
  for (let i = 0; i < n; i++) work[i] = rng.normal(0, 1);
  for (let i = 0; i < n; i++) {
    let s = mean === null ? 0 : mean[i]!;
    for (let j = 0; j <= i; j++) s += L[i * n + j]! * work[j]!;
    out[i] = s;
  }
}
