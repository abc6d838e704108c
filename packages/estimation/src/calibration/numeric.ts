import { CholeskyDecomposition, inverse, Matrix } from 'ml-matrix';
import type { Parameter } from './parameters';

/** The curvature of an objective at a point, on the parameters' own scale. @internal */
export interface Curvature {
  /** Central-difference gradient. */
  gradient: number[];
  /** Central-difference Hessian (symmetric). */
  hessian: number[][];
  /** The inverse Hessian, or null when the Hessian is not positive definite. */
  inverse: number[][] | null;
  /** Parameters whose difference step was cut to nothing by a bound (the estimate sits on it). */
  atBound: string[];
}

/**
 * Gradient and Hessian of f at x by central differences with steps h_i = 1e-4·max(|x_i|, 1e-3·scale_i),
 * shortened to stay inside the bounds. @internal
 */
export function curvature(
  f: (x: readonly number[]) => number,
  x: readonly number[],
  parameters: readonly Parameter[],
): Curvature {
  const p = x.length;
  const atBound: string[] = [];
  const h = x.map((xi, i) => {
    const par = parameters[i]!;
    const scale = Number.isFinite(par.high - par.low)
      ? par.high - par.low
      : Math.max(1, Math.abs(par.initial));
    let step = 1e-4 * Math.max(Math.abs(xi), 1e-3 * scale);
    const room = Math.min(xi - par.low, par.high - xi);
    if (step > room / 2.5) step = room / 2.5;
    if (!(step > 1e-12 * Math.max(1, Math.abs(xi)))) atBound.push(par.name);
    return step;
  });
  const at = (deltas: readonly [number, number][]): number => {
    const y = [...x];
    for (const [i, d] of deltas) y[i] = y[i]! + d * h[i]!;
    return f(y);
  };
  const f0 = f(x);
  const gradient = new Array<number>(p).fill(0);
  const hessian = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < p; i++) {
    const fp = at([[i, 1]]);
    const fm = at([[i, -1]]);
    gradient[i] = (fp - fm) / (2 * h[i]!);
    hessian[i]![i] = (fp - 2 * f0 + fm) / (h[i]! * h[i]!);
    for (let j = 0; j < i; j++) {
      const v =
        (at([
          [i, 1],
          [j, 1],
        ]) -
          at([
            [i, 1],
            [j, -1],
          ]) -
          at([
            [i, -1],
            [j, 1],
          ]) +
          at([
            [i, -1],
            [j, -1],
          ])) /
        (4 * h[i]! * h[j]!);
      hessian[i]![j] = v;
      hessian[j]![i] = v;
    }
  }
  let inv: number[][] | null = null;
  const finite = hessian.every((row) => row.every(Number.isFinite));
  if (finite && atBound.length === 0) {
    const H = new Matrix(hessian);
    if (new CholeskyDecomposition(H).isPositiveDefinite()) inv = inverse(H).to2DArray();
  }
  return { gradient, hessian, inverse: inv, atBound };
}

/** Lower-triangular factor L of a positive semidefinite matrix (zero columns where the pivot vanishes). @internal */
export function semidefiniteCholesky(a: readonly (readonly number[])[]): number[][] {
  const n = a.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let d = a[j]![j]!;
    for (let k = 0; k < j; k++) d -= L[j]![k]! ** 2;
    const scale = Math.max(1e-300, Math.abs(a[j]![j]!));
    if (d <= 1e-12 * scale) continue;
    const root = Math.sqrt(d);
    L[j]![j] = root;
    for (let i = j + 1; i < n; i++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = s / root;
    }
  }
  return L;
}
