import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { readCovariance } from '../gaussian-filter/gaussian-filter';
import {
  cholesky,
  choleskySolveInPlace,
  mul,
  mulBt,
  mulVec,
  notPositiveDefinite,
  symmetrize,
  toRows,
} from '../linear-algebra/dense';
import { type MatrixLike, readMatrix, readVector, type VectorLike } from '../linear-algebra/matrix-like';

/** Input of {@link rtsSmooth}: a filtered run and the model that produced it. */
export interface RtsSmootherInput {
  /** Filtered (posterior) means x₀ … x_{N−1}, one per step. */
  means: readonly VectorLike[];
  /** Filtered (posterior) covariances, one per step. */
  covariances: readonly MatrixLike[];
  /**
   * Transition matrix, or one per step: `F[k]` takes step k to step k + 1 (the last entry is unused;
   * give it anyway so that indices line up, as FilterPy does).
   */
  F: MatrixLike | readonly MatrixLike[];
  /** Process noise covariance, or one per step with the same indexing as F. */
  Q: MatrixLike | readonly MatrixLike[];
}

/** Output of {@link rtsSmooth}. */
export interface RtsSmootherResult {
  /** Smoothed means, one per step. */
  means: number[][];
  /** Smoothed covariances, one per step. */
  covariances: number[][][];
  /** Smoother gains G_k = P_k F_kᵀ (F_k P_k F_kᵀ + Q_k)⁻¹; the last one is zero (no later step). */
  gains: number[][][];
}

/** Tells a list of matrices (entries that are not rows of numbers) from a single matrix (rows of numbers). */
function isMatrixList(value: MatrixLike | readonly MatrixLike[]): value is readonly MatrixLike[] {
  return (
    Array.isArray(value) && value.length > 0 && value.every((m) => typeof (m as unknown[])[0] !== 'number')
  );
}

/**
 * Smooths a filtered run backwards in time (Rauch–Tung–Striebel): every estimate then uses all the
 * measurements, earlier and later ones.
 *
 * @example
 * ```ts
 * const means = [], covariances = [];
 * for (const z of measurements) { kf.predict(); kf.update([z]); means.push(kf.x); covariances.push(kf.P); }
 * const smoothed = rtsSmooth({ means, covariances, F, Q });
 * ```
 */
export function rtsSmooth(input: RtsSmootherInput): RtsSmootherResult {
  const api = 'rtsSmooth(input)';
  rejectUnknownKeys(api, input, ['means', 'covariances', 'F', 'Q'], '{ means, covariances, F, Q }');
  const N = input?.means?.length ?? 0;
  if (N === 0)
    throw invalidArgument(api, 'means must hold at least one step', input?.means, 'Pass the filtered means.');
  if (input.covariances?.length !== N) {
    throw invalidArgument(
      api,
      `covariances must have one entry per mean (${N})`,
      input.covariances?.length,
      'Record P after each update.',
    );
  }
  const first = readVector(api, 'means[0]', input.means[0]);
  const n = first.length;
  const xs = input.means.map((x, k) => readVector(api, `means[${k}]`, x, n));
  const Ps = input.covariances.map((P, k) => readCovariance(api, `covariances[${k}]`, P, n, false));
  const listF = isMatrixList(input.F);
  const listQ = isMatrixList(input.Q);
  for (const [name, isList, value] of [
    ['F', listF, input.F],
    ['Q', listQ, input.Q],
  ] as const) {
    if (isList && (value as readonly MatrixLike[]).length !== N) {
      throw invalidArgument(
        api,
        `${name} must be one ${n}x${n} matrix or a list of ${N} matrices (one per step)`,
        `${(value as readonly MatrixLike[]).length} matrices`,
      );
    }
  }
  const constF = listF ? null : readMatrix(api, 'F', input.F, n, n).data;
  const constQ = listQ ? null : readCovariance(api, 'Q', input.Q, n, false);
  const Fk = (k: number) =>
    constF ?? readMatrix(api, `F[${k}]`, (input.F as readonly MatrixLike[])[k], n, n).data;
  const Qk = (k: number) =>
    constQ ?? readCovariance(api, `Q[${k}]`, (input.Q as readonly MatrixLike[])[k], n, false);

  const gains: Float64Array[] = Array.from({ length: N }, () => new Float64Array(n * n));
  const Pp = new Float64Array(n * n);
  const FP = new Float64Array(n * n);
  const L = new Float64Array(n * n);
  const Gt = new Float64Array(n * n);
  const xPred = new Float64Array(n);
  const diff = new Float64Array(n * n);
  const tmp = new Float64Array(n * n);
  for (let k = N - 2; k >= 0; k--) {
    const F = Fk(k);
    const Q = Qk(k);
    const x = xs[k]!;
    const P = Ps[k]!;
    mul(F, P, n, n, n, FP);
    mulBt(FP, F, n, n, n, Pp);
    for (let i = 0; i < n * n; i++) Pp[i] = Pp[i]! + Q[i]!;
    symmetrize(Pp, n);
    if (!cholesky(Pp, n, L))
      throw notPositiveDefinite(api, 'the predicted covariance F P Fᵀ + Q', k + 1, Pp, n);
    // Gᵀ = Pp⁻¹ (F P) since P is symmetric.
    Gt.set(FP);
    choleskySolveInPlace(L, n, Gt, n);
    const G = gains[k]!;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[i * n + j] = Gt[j * n + i]!;
    mulVec(F, x, n, n, xPred);
    const next = xs[k + 1]!;
    for (let i = 0; i < n; i++) xPred[i] = next[i]! - xPred[i]!;
    mulVec(G, xPred, n, n, diff);
    for (let i = 0; i < n; i++) x[i] = x[i]! + diff[i]!;
    const nextP = Ps[k + 1]!;
    for (let i = 0; i < n * n; i++) diff[i] = nextP[i]! - Pp[i]!;
    mul(G, diff, n, n, n, tmp);
    mulBt(tmp, G, n, n, n, diff);
    for (let i = 0; i < n * n; i++) P[i] = P[i]! + diff[i]!;
    symmetrize(P, n);
  }
  return {
    means: xs.map((x) => Array.from(x)),
    covariances: Ps.map((P) => toRows(P, n, n)),
    gains: gains.map((G) => toRows(G, n, n)),
  };
}
