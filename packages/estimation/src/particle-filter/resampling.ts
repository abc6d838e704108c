import type { RandomStream } from '@twinkit/core';
import { invalidArgument } from '@twinkit/core/internal';

/** How a particle filter draws the next generation from the weighted particles. */
export type ResamplingScheme = 'systematic' | 'stratified' | 'residual' | 'multinomial';

/** The resampling schemes, in the order of their usual preference. */
export const RESAMPLING_SCHEMES: readonly ResamplingScheme[] = [
  'systematic',
  'stratified',
  'residual',
  'multinomial',
];

/**
 * Reads a particle filter's resampling options (scheme, default systematic; ESS threshold as a
 * fraction of the particles, default 0.5), with clear errors. @internal
 */
export function readResamplingOptions(
  api: string,
  options: { resampling?: ResamplingScheme | undefined; resampleThreshold?: number | undefined },
): { resampling: ResamplingScheme; resampleThreshold: number } {
  const resampling = options.resampling ?? 'systematic';
  if (!RESAMPLING_SCHEMES.includes(resampling)) {
    throw invalidArgument(
      api,
      `resampling must be one of ${RESAMPLING_SCHEMES.map((s) => `'${s}'`).join(', ')}`,
      resampling,
    );
  }
  const resampleThreshold = options.resampleThreshold ?? 0.5;
  if (!(resampleThreshold >= 0 && resampleThreshold <= 1)) {
    throw invalidArgument(
      api,
      'resampleThreshold must be within [0, 1] (a fraction of the particles)',
      options.resampleThreshold,
    );
  }
  return { resampling, resampleThreshold };
}

/** The uniforms a resampler needs: a {@link RandomStream} of @twinkit/core. */
export type UniformDraws = Pick<RandomStream, 'next'>;

/** Returns the effective sample size 1 / Σ wᵢ² of normalized weights. */
export function effectiveSampleSize(weights: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < weights.length; i++) s += weights[i]! * weights[i]!;
  return 1 / s;
}

function checkWeights(api: string, weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw invalidArgument(
        api,
        `weights[${i}] must be a finite number >= 0`,
        w,
        'Normalize the weights first.',
      );
    }
    total += w;
  }
  if (weights.length === 0 || Math.abs(total - 1) > 1e-9) {
    throw invalidArgument(
      api,
      'weights must be non-empty and sum to 1',
      total,
      'Divide the weights by their sum.',
    );
  }
  return total;
}

/** Walks the cumulative weights with sorted positions in [0, 1), writing the chosen indices. */
function walk(
  weights: ArrayLike<number>,
  positions: (i: number) => number,
  count: number,
  out: Int32Array,
  offset: number,
): void {
  let cumulative = weights[0]!;
  let j = 0;
  const last = weights.length - 1;
  for (let i = 0; i < count; i++) {
    const u = positions(i);
    while (u >= cumulative && j < last) {
      j++;
      cumulative += weights[j]!;
    }
    out[offset + i] = j;
  }
}

/**
 * Returns the indices of the particles that survive resampling (N draws from normalized weights),
 * by the chosen scheme. Every scheme is unbiased: particle i is drawn N·wᵢ times in expectation.
 * Systematic and stratified resampling add the least noise; residual keeps ⌊N·wᵢ⌋ copies for sure.
 */
export function resample(
  weights: ArrayLike<number>,
  scheme: ResamplingScheme,
  rng: UniformDraws,
  out: Int32Array = new Int32Array(weights.length),
): Int32Array {
  const api = 'resample(weights, scheme, rng)';
  checkWeights(api, weights);
  const N = out.length;
  switch (scheme) {
    case 'systematic': {
      const u = rng.next();
      walk(weights, (i) => (i + u) / N, N, out, 0);
      return out;
    }
    case 'stratified':
      walk(weights, (i) => (i + rng.next()) / N, N, out, 0);
      return out;
    case 'multinomial': {
      // N sorted uniforms from normalized exponential spacings: O(N) and no sort.
      const spacings = new Float64Array(N + 1);
      let total = 0;
      for (let i = 0; i <= N; i++) {
        total += -Math.log(rng.next());
        spacings[i] = total;
      }
      walk(weights, (i) => spacings[i]! / total, N, out, 0);
      return out;
    }
    case 'residual': {
      let k = 0;
      const residual = new Float64Array(weights.length);
      let residualTotal = 0;
      for (let i = 0; i < weights.length; i++) {
        const expected = N * weights[i]!;
        const copies = Math.floor(expected);
        for (let c = 0; c < copies && k < N; c++) out[k++] = i;
        residual[i] = expected - copies;
        residualTotal += residual[i]!;
      }
      const rest = N - k;
      if (rest > 0) {
        for (let i = 0; i < residual.length; i++) residual[i] = residual[i]! / residualTotal;
        const spacings = new Float64Array(rest + 1);
        let total = 0;
        for (let i = 0; i <= rest; i++) {
          total += -Math.log(rng.next());
          spacings[i] = total;
        }
        walk(residual, (i) => spacings[i]! / total, rest, out, k);
      }
      return out;
    }
    default:
      throw invalidArgument(
        api,
        `scheme must be one of ${RESAMPLING_SCHEMES.map((s) => `'${s}'`).join(', ')}`,
        scheme,
        "Use 'systematic' unless you have a reason not to.",
      );
  }
}
