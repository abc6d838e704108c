/**
 * Dense row-major linear algebra on `Float64Array`, written for the small fixed sizes of state-space
 * filters (a handful of states and measurements).
 *
 * Why not ml-matrix here: a 4-state, 2-measurement Kalman step written with ml-matrix runs at
 * 0.18x a hand-written Float64Array loop (~205k vs ~1.14M steps/s on this machine), because it
 * allocates a matrix per operation; these kernels write into preallocated buffers, and
 * KalmanFilter runs at 0.54-0.57x the hand-written loop (~620k steps/s), the EKF at ~0.51x.
 * `benchmarks/src/estimation/kalman.bench.ts` measures all of them in one run. ml-matrix is still
 * accepted as input wherever a matrix is expected.
 *
 * Internal to the package. (Not tagged internal: on a file comment that tag strips the next import.)
 */
import { TwinkitError } from '@twinkit/core';

/** out(r x c) = a(r x k) * b(k x c). `out` must not alias `a` or `b`. */
export function mul(
  a: Float64Array,
  b: Float64Array,
  r: number,
  k: number,
  c: number,
  out: Float64Array,
): void {
  for (let i = 0; i < r; i++) {
    const ai = i * k;
    const oi = i * c;
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p]! * b[p * c + j]!;
      out[oi + j] = s;
    }
  }
}

/** out(r x c) = a(r x k) * b(c x k)ᵀ. `out` must not alias `a` or `b`. */
export function mulBt(
  a: Float64Array,
  b: Float64Array,
  r: number,
  k: number,
  c: number,
  out: Float64Array,
): void {
  for (let i = 0; i < r; i++) {
    const ai = i * k;
    const oi = i * c;
    for (let j = 0; j < c; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
      out[oi + j] = s;
    }
  }
}

/**
 * out(n x n) = a(n x k) * b(n x k)ᵀ for a product known to be symmetric (F P Fᵀ, A P Aᵀ): computes
 * the upper triangle and mirrors it, so the result is exactly symmetric at half the cost.
 */
export function mulBtSymmetric(
  a: Float64Array,
  b: Float64Array,
  n: number,
  k: number,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const ai = i * k;
    for (let j = i; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
}

/** out(r) = a(r x c) * v(c). */
export function mulVec(a: Float64Array, v: ArrayLike<number>, r: number, c: number, out: Float64Array): void {
  for (let i = 0; i < r; i++) {
    const ai = i * c;
    let s = 0;
    for (let p = 0; p < c; p++) s += a[ai + p]! * v[p]!;
    out[i] = s;
  }
}

/** Replaces a square matrix by (A + Aᵀ)/2 so that rounding never makes it asymmetric. */
export function symmetrize(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (a[i * n + j]! + a[j * n + i]!);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
}

/**
 * Writes the lower Cholesky factor L (L Lᵀ = A) of a symmetric matrix into `out` and returns true,
 * or returns false when A is not positive definite (a pivot <= 0 or not finite).
 */
export function cholesky(a: Float64Array, n: number, out: Float64Array): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let p = 0; p < j; p++) s -= out[i * n + p]! * out[j * n + p]!;
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return false;
        out[i * n + i] = Math.sqrt(s);
      } else {
        out[i * n + j] = s / out[j * n + j]!;
      }
    }
    for (let j = i + 1; j < n; j++) out[i * n + j] = 0;
  }
  return true;
}

/**
 * Writes a lower factor L with L Lᵀ = A of a symmetric positive semidefinite matrix into `out` and
 * returns true, or returns false when A has a clearly negative direction or a non-finite entry.
 * Pivots within `tolerance` (relative to the largest diagonal entry) of zero count as zero, so a state
 * that is known exactly (a zero row and column of P) is accepted.
 */
export function choleskySemidefinite(
  a: Float64Array,
  n: number,
  out: Float64Array,
  tolerance = 1e-12,
): boolean {
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i * n + i]!;
    if (!Number.isFinite(d)) return false;
    scale = Math.max(scale, Math.abs(d));
  }
  const floor = tolerance * scale;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let p = 0; p < j; p++) s -= out[i * n + p]! * out[j * n + p]!;
      if (i === j) {
        if (!Number.isFinite(s) || s < -floor) return false;
        out[i * n + i] = s > floor ? Math.sqrt(s) : 0;
      } else {
        const d = out[j * n + j]!;
        out[i * n + j] = d === 0 ? 0 : s / d;
      }
    }
    for (let j = i + 1; j < n; j++) out[i * n + j] = 0;
  }
  return true;
}

/** Solves L Lᵀ X = B in place for X (B is n x c), given the lower Cholesky factor L. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array, c: number): void {
  for (let col = 0; col < c; col++) {
    for (let i = 0; i < n; i++) {
      let s = b[i * c + col]!;
      for (let p = 0; p < i; p++) s -= l[i * n + p]! * b[p * c + col]!;
      b[i * c + col] = s / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i * c + col]!;
      for (let p = i + 1; p < n; p++) s -= l[p * n + i]! * b[p * c + col]!;
      b[i * c + col] = s / l[i * n + i]!;
    }
  }
}

/** Returns log det(A) from the lower Cholesky factor L of A. */
export function logDetFromCholesky(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/** Returns vᵀ A⁻¹ v using the lower Cholesky factor L of A (solves L w = v, returns |w|²). */
export function mahalanobisFromCholesky(
  l: Float64Array,
  n: number,
  v: ArrayLike<number>,
  work: Float64Array,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = v[i]!;
    for (let p = 0; p < i; p++) s -= l[i * n + p]! * work[p]!;
    const w = s / l[i * n + i]!;
    work[i] = w;
    total += w * w;
  }
  return total;
}

/** Writes the n x n identity into `out`. */
export function identity(n: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
}

/** Converts a row-major buffer into an array of rows. */
export function toRows(a: ArrayLike<number>, r: number, c: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < r; i++) {
    const row: number[] = new Array(c);
    for (let j = 0; j < c; j++) row[j] = a[i * c + j]!;
    rows.push(row);
  }
  return rows;
}

/**
 * Throws the error of a covariance that stopped being positive definite: this is where a filter
 * would otherwise start producing NaN.
 */
export function notPositiveDefinite(
  api: string,
  what: string,
  step: number,
  matrix: Float64Array,
  n: number,
): TwinkitError {
  const shown = `[${toRows(matrix, n, n)
    .map(
      (row) =>
        `[${row.map((v) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v))).join(', ')}]`,
    )
    .join(', ')}]`;
  return new TwinkitError(
    `${api}: ${what} must stay finite and positive definite, but at step ${step} it is not: ${shown}. ` +
      'Check that Q and R are positive (semi)definite and large enough for the model error, and that the ' +
      'measurement function is not degenerate; the Joseph-form update (the default) keeps P positive longer.',
    { code: 'NUMERIC', details: { step, what, matrix: toRows(matrix, n, n) } },
  );
}
