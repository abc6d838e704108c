// @ts-expect-error fmin ships no type declarations; the part used here is described below.
import * as fminModule from 'fmin';
import { levenbergMarquardt } from 'ml-levenberg-marquardt';

interface NelderMeadParameters {
  maxIterations?: number;
  minErrorDelta?: number;
  minTolerance?: number;
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
 * runs): a simplex that collapsed early is rebuilt around the best point.
 *
 * fmin 0.0.4's shrink step assigns an undeclared loop variable, a ReferenceError in its strict
 * bundle, so it runs with sigma = 1 (no shrink: the run ends where it would shrink) and the
 * restart takes its place. On strictly convex functions Nelder-Mead never shrinks (Lagarias et
 * al. 1998), so near a minimum this changes nothing. @internal
 */
export function nelderMead(
  f: (u: readonly number[]) => number,
  x0: readonly number[],
  options: { maxIterations: number; tolerance: number },
): MinimizerResult {
  fmin ??= loadFmin();
  let evaluations = 0;
  const objective = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  let x = [...x0];
  let value = objective(x);
  let iterations = 0;
  let stoppedOnTolerance = false;
  for (let run = 0; run < 10; run++) {
    const history: unknown[] = [];
    const result = fmin.nelderMead(objective, [...x], {
      maxIterations: options.maxIterations,
      minErrorDelta: options.tolerance,
      minTolerance: options.tolerance,
      sigma: 1,
      history,
    });
    iterations += history.length;
    stoppedOnTolerance = history.length < options.maxIterations;
    const improved = value - result.fx;
    if (result.fx <= value) {
      x = [...result.x];
      value = result.fx;
    }
    if (!(improved > options.tolerance * Math.max(1, Math.abs(value)))) break;
  }
  return { x, value, iterations, evaluations, stoppedOnTolerance };
}

/**
 * Levenberg-Marquardt (ml-levenberg-marquardt) on residual weights 1/sigma²; `predict(u)` gives
 * the model's values at the data points for unbounded parameters u. @internal
 */
export function levenbergMarquardtFit(
  predict: (u: readonly number[]) => ArrayLike<number>,
  y: ArrayLike<number>,
  sigma: ArrayLike<number> | number,
  x0: readonly number[],
  options: { maxIterations: number },
): MinimizerResult {
  let evaluations = 0;
  const n = y.length;
  const x = Array.from({ length: n }, (_, i) => i);
  const result = levenbergMarquardt(
    { x, y },
    (u: number[]) => {
      evaluations++;
      const values = predict(u);
      return (i: number) => values[i]!;
    },
    {
      initialValues: [...x0],
      weights: sigma,
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
