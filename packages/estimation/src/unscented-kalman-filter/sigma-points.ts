import {
  invalidArgument,
  rejectUnknownKeys,
  requireFinite,
  requireNonNegative,
  requirePositive,
} from '@twinkit/core/internal';
import { choleskySemidefinite } from '../linear-algebra/dense';

/** Weights of a sigma-point set: for the mean (`Wm`) and for the covariance (`Wc`). */
export interface SigmaWeights {
  /** Mean weights, one per point. */
  Wm: Float64Array;
  /** Covariance weights, one per point. */
  Wc: Float64Array;
}

/**
 * A sigma-point scheme: how many points, their weights, and where they go for a mean and covariance.
 * Implement `count`, `weights` and `scale` to add a scheme with the symmetric 2n+1 layout.
 */
export interface SigmaPointScheme {
  /** Returns the number of points for a state of dimension n. */
  count(n: number): number;
  /** Returns the weights for dimension n. */
  weights(n: number): SigmaWeights;
  /** Returns the factor c of the matrix square root √(c·P) that spreads the points. */
  scale(n: number): number;
}

/**
 * Writes the symmetric sigma points χ₀ = x, χᵢ₊₁ = x + √(cP)ᵢ, χₙ₊ᵢ₊₁ = x − √(cP)ᵢ into `out`
 * (row-major, (2n+1) x n), with √(cP)ᵢ the i-th row of the upper Cholesky factor U (UᵀU = cP).
 * Returns false when P is not positive semidefinite.
 *
 * @internal
 */
export function symmetricSigmaPoints(
  x: Float64Array,
  P: Float64Array,
  n: number,
  c: number,
  out: Float64Array,
  work: Float64Array,
  lower: Float64Array,
): boolean {
  for (let i = 0; i < n * n; i++) work[i] = c * P[i]!;
  if (!choleskySemidefinite(work, n, lower)) return false;
  for (let j = 0; j < n; j++) out[j] = x[j]!;
  for (let i = 0; i < n; i++) {
    // Row i of U = Lᵀ is column i of L.
    for (let j = 0; j < n; j++) {
      const u = lower[j * n + i]!;
      out[(i + 1) * n + j] = x[j]! + u;
      out[(n + i + 1) * n + j] = x[j]! - u;
    }
  }
  return true;
}

/** Options of {@link MerweScaledSigmaPoints}. */
export interface MerweScaledOptions {
  /** Spread of the points around the mean, 0 < alpha <= 1; default 1. */
  alpha?: number;
  /** Prior knowledge of the distribution (2 is optimal for Gaussians); default 2. */
  beta?: number;
  /** Secondary scaling; default 0. */
  kappa?: number;
}

/**
 * Describes Van der Merwe's scaled sigma points: λ = α²(n + κ) − n, Wm₀ = λ/(n + λ),
 * Wc₀ = Wm₀ + 1 − α² + β, Wᵢ = 1/(2(n + λ)).
 *
 * @example
 * ```ts
 * const points = new MerweScaledSigmaPoints({ alpha: 0.1, beta: 2, kappa: 1 });
 * points.weights(2).Wm; // Float64Array [-65.67, 16.67, 16.67, 16.67, 16.67]
 * ```
 */
export class MerweScaledSigmaPoints implements SigmaPointScheme {
  /** Spread parameter. */
  readonly alpha: number;
  /** Distribution parameter. */
  readonly beta: number;
  /** Secondary scaling parameter. */
  readonly kappa: number;

  /** Creates the scheme; defaults alpha = 1, beta = 2, kappa = 0 (no negative weights). */
  constructor(options: MerweScaledOptions = {}) {
    const api = 'MerweScaledSigmaPoints(options)';
    rejectUnknownKeys(api, options, ['alpha', 'beta', 'kappa'], '{ alpha: 0.1, beta: 2, kappa: 1 }');
    this.alpha = requirePositive(api, 'alpha', options.alpha ?? 1);
    this.beta = requireFinite(api, 'beta', options.beta ?? 2);
    this.kappa = requireFinite(api, 'kappa', options.kappa ?? 0);
  }

  private lambda(n: number): number {
    const lambda = this.alpha * this.alpha * (n + this.kappa) - n;
    if (!(n + lambda > 0)) {
      throw invalidArgument(
        'MerweScaledSigmaPoints',
        `alpha²(n + kappa) must be > 0 for n = ${n}`,
        { alpha: this.alpha, kappa: this.kappa },
        'Use kappa > -n.',
      );
    }
    return lambda;
  }

  /** Returns 2n + 1. */
  count(n: number): number {
    return 2 * n + 1;
  }

  /** Returns the Van der Merwe weights for dimension n. */
  weights(n: number): SigmaWeights {
    const lambda = this.lambda(n);
    const count = this.count(n);
    const w = 0.5 / (n + lambda);
    const Wm = new Float64Array(count).fill(w);
    const Wc = new Float64Array(count).fill(w);
    Wm[0] = lambda / (n + lambda);
    Wc[0] = lambda / (n + lambda) + (1 - this.alpha * this.alpha + this.beta);
    return { Wm, Wc };
  }

  /** Returns n + λ. */
  scale(n: number): number {
    return n + this.lambda(n);
  }
}

/** Options of {@link JulierSigmaPoints}. */
export interface JulierOptions {
  /** Scaling: W₀ = κ/(n + κ); default 0. */
  kappa?: number;
}

/**
 * Describes Julier's original sigma points: W₀ = κ/(n + κ), Wᵢ = 1/(2(n + κ)), spread √((n + κ)P).
 */
export class JulierSigmaPoints implements SigmaPointScheme {
  /** Scaling parameter. */
  readonly kappa: number;

  /** Creates the scheme; default kappa = 0. */
  constructor(options: JulierOptions = {}) {
    rejectUnknownKeys('JulierSigmaPoints(options)', options, ['kappa'], '{ kappa: 1 }');
    this.kappa = requireFinite('JulierSigmaPoints(options)', 'kappa', options.kappa ?? 0);
  }

  /** Returns 2n + 1. */
  count(n: number): number {
    return 2 * n + 1;
  }

  /** Returns the Julier weights (the same for mean and covariance). */
  weights(n: number): SigmaWeights {
    const c = this.scale(n);
    const count = this.count(n);
    const Wm = new Float64Array(count).fill(0.5 / c);
    Wm[0] = this.kappa / c;
    return { Wm, Wc: new Float64Array(Wm) };
  }

  /** Returns n + κ. */
  scale(n: number): number {
    requireNonNegative('JulierSigmaPoints', 'n + kappa', n + this.kappa, 'Use kappa > -n.');
    if (n + this.kappa === 0)
      throw invalidArgument('JulierSigmaPoints', 'n + kappa must be > 0', n + this.kappa);
    return n + this.kappa;
  }
}
