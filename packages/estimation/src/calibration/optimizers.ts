// @ts-expect-error fmin ships no type declarations; the part used here is described below.
import * as fminModule from 'fmin';
import { levenbergMarquardt } from 'ml-levenberg-marquardt';

interface NelderMeadParameters {
  maxIterations?: number;
  minErrorDelta?: number;
  minTolerance?: number;
  nonZeroDelta?: number;
  sigma?: number;
  history?: unknown[];
}
interface Fmin {
  nelderMead(
    f: (x: number[]) => number,
    x0: number[],
    parameters?: NelderMeadParameters,
  ): { fx: number; x: number[] };
}

/**
 * fmin 0.0.4 publishes a UMD bundle in a `"type": "module"` package: a bundler (esbuild, webpack)
 * reads it as CommonJS and gives its exports; Node's ESM loader runs it as a module, where the UMD
 * wrapper finds no `exports` and installs its exports as `globalThis.fmin` instead.
 */
function loadFmin(): Fmin {
  const ns = fminModule as Partial<Fmin> & { default?: Partial<Fmin> };
  if (typeof ns.nelderMead === 'function') return ns as Fmin;
  if (typeof ns.default?.nelderMead === 'function') return ns.default as Fmin;
  const global = (globalThis as { fmin?: Partial<Fmin> }).fmin;
  if (typeof global?.nelderMead === 'function') return global as Fmin;
  throw new Error('calibrate: the fmin package did not load (no nelderMead export); reinstall fmin');
}

let fmin: Fmin | undefined;

/** What a minimizer returns (on the unbounded scale). @internal */
export interface MinimizerResult {
  x: number[];
  value: number;
  iterations: number;
  evaluations: number;
  /** The optimizer stopped on its tolerance, not on its iteration cap. */
  stoppedOnTolerance: boolean;
}

/**
 * Nelder-Mead (fmin), restarted from its result until a restart no longer improves (at most 10
 * runs): a simplex that collapsed early is rebuilt around the best point, each time 5 times smaller.
 *
 * fmin 0.0.4's shrink step assigns an undeclared loop variable, a ReferenceError in its strict
 * bundle, so it runs with sigma = 1 (no shrink: the run ends where it would shrink) and the
 * restart takes its place. On strictly convex functions Nelder-Mead never shrinks (Lagarias et
 * al. 1998), so near a minimum this changes nothing. @internal
 */
export function nelderMead(
  f: (u: readonly number[]) => number,
  x0: readonly number[],
  options: { maxIterations: number; tolerance: number; steps: readonly number[] },
): MinimizerResult {
  fmin ??= loadFmin();
  let evaluations = 0;
  let x = [...x0];
  // fmin builds its first simplex by scaling each coordinate by nonZeroDelta (by nothing at 0):
  // it runs on v = (u − center)/step + 1, so that the simplex starts one step from the center in
  // every coordinate.
  let center = x;
  let shrink = 1;
  const toU = (v: readonly number[]) => v.map((vi, i) => center[i]! + (vi - 1) * shrink * options.steps[i]!);
  const objective = (v: number[]): number => {
    evaluations++;
    const value = f(toU(v));
    return Number.isNaN(value) ? Infinity : value;
  };
  let value = f(x);
  evaluations++;
  let iterations = 0;
  let stoppedOnTolerance = false;
  for (let run = 0; run < 10; run++) {
    const history: unknown[] = [];
    center = x;
    shrink = 0.2 ** run;
    const result = fmin.nelderMead(
      objective,
      x.map(() => 1),
      {
        maxIterations: options.maxIterations,
        nonZeroDelta: 2,
        minErrorDelta: options.tolerance,
        minTolerance: options.tolerance,
        sigma: 1,
        history,
      },
    );
    iterations += history.length;
    stoppedOnTolerance = history.length < options.maxIterations;
    const improved = value - result.fx;
    if (result.fx <= value) {
      x = toU(result.x);
      value = result.fx;
    }
    if (!(improved > options.tolerance * Math.max(1, Math.abs(value)))) break;
  }
  return { x, value, iterations, evaluations, stoppedOnTolerance };
}

/**
 * Levenberg-Marquardt (ml-levenberg-marquardt) on the residuals (y_i − m_i)/sigma_i; `predict(u)`
 * gives the model's values at the data points for unbounded parameters u.
 *
 * The residuals are divided by sigma here rather than through the library's `weights`: version
 * 5.1 multiplies the squared residuals by w² in its error but weights its step by 1/w², which
 * agree only for w = 1. @internal
 */
export function levenbergMarquardtFit(
  predict: (u: readonly number[]) => ArrayLike<number>,
  y: ArrayLike<number>,
  sigma: ArrayLike<number>,
  x0: readonly number[],
  options: { maxIterations: number },
): MinimizerResult {
  let evaluations = 0;
  const n = y.length;
  const x = Array.from({ length: n }, (_, i) => i);
  const scaled = Array.from({ length: n }, (_, i) => y[i]! / sigma[i]!);
  const result = levenbergMarquardt(
    { x, y: scaled },
    (u: number[]) => {
      evaluations++;
      const values = predict(u);
      return (i: number) => values[i]! / sigma[i]!;
    },
    {
      initialValues: [...x0],
      maxIterations: options.maxIterations,
      gradientDifference: 1e-6,
      centralDifference: true,
      errorTolerance: 0,
      damping: 1e-2,
    },
  );
  return {
    x: result.parameterValues,
    value: result.parameterError,
    iterations: result.iterations,
    evaluations,
    stoppedOnTolerance: result.iterations < options.maxIterations,
  };
}
