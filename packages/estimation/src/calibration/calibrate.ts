import { type ModelDefinition, RandomStream, TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys, requireInteger } from '@twinkit/core/internal';
// @ts-expect-error jstat ships no type declarations; the part used here is described below.
import jstatModule from 'jstat';
import { checkConfidence } from '../confidence-interval/confidence-interval';
import { tQuantile } from '../distributions/quantiles';
import { KalmanFilter, type KalmanFilterOptions } from '../kalman-filter/kalman-filter';
import { readMatrix, readVector } from '../linear-algebra/matrix-like';
import { type OutputFunction, runReplication } from '../replications/replication-task';
import { curvature, semidefiniteCholesky } from './numeric';
import { levenbergMarquardtFit, type MinimizerResult, nelderMead } from './optimizers';
import { type Parameter, type ParameterSpec, readParameters, toRecord } from './parameters';

const jStat = jstatModule as { normal: { inv(p: number, mean: number, sd: number): number } };

const API = 'calibrate(options)';

/**
 * What is minimized: see {@link CalibrateOptions}. Implied by the options (a function `model`,
 * `stateSpace`, or a model definition); pass it to state the intent.
 *
 * @example
 * ```ts
 * const fit = calibrate({ model: predict, data, params, objective: 'least-squares' });
 * fit.diagnostics.objective; // 'least-squares'
 * ```
 */
export type CalibrationObjective = 'least-squares' | 'likelihood' | 'simulated';

/**
 * The optimizer: Levenberg-Marquardt (ml-levenberg-marquardt, least squares only) or Nelder-Mead (fmin).
 *
 * @example
 * ```ts
 * calibrate({ model: predict, data, params, method: 'nelder-mead' }); // derivative-free least squares
 * ```
 */
export type CalibrationMethod = 'levenberg-marquardt' | 'nelder-mead';

/**
 * How the uncertainty of the estimates is stated: `'hessian'` (default), `'bootstrap'` or `'none'`.
 *
 * @example
 * ```ts
 * const fit = calibrate({ model: predict, data, params, uncertainty: 'bootstrap', bootstrap: 500, seed: 1 });
 * fit.bootstrapSamples!.k.length; // 500
 * ```
 */
export type CalibrationUncertainty = 'hessian' | 'bootstrap' | 'none';

/** Options shared by every objective. */
interface CalibrateCommonOptions {
  /** The parameters to fit and their ranges, by name. */
  params: Readonly<Record<string, ParameterSpec>>;
  /** The optimizer; default `'levenberg-marquardt'` for least squares, `'nelder-mead'` otherwise. */
  method?: CalibrationMethod;
  /**
   * Seed of the random numbers: the common random numbers of a simulated objective, and the
   * parametric bootstrap's samples. Default 0.
   */
  seed?: number | string;
  /**
   * `'hessian'` (default): standard errors from the inverse of the numerical Hessian of the
   * objective at the optimum. `'bootstrap'`: refit `bootstrap` data sets simulated from the fitted
   * model (least squares and likelihood), standard errors are their standard deviation and the
   * interval their percentiles. `'none'`: no uncertainty (faster).
   */
  uncertainty?: CalibrationUncertainty;
  /** Parametric bootstrap samples (default 200) with `uncertainty: 'bootstrap'`. */
  bootstrap?: number;
  /** Confidence of the intervals; default 0.95. */
  confidence?: number;
  /** Iteration cap of the optimizer (default 200 for Levenberg-Marquardt, 400 per parameter for Nelder-Mead). */
  maxIterations?: number;
}

/**
 * Least squares: minimizes Σ ((data_i − model(params)_i) / sigma_i)². `model` maps a parameter
 * record to its predictions of the observations, in the order of `data`.
 *
 * @example
 * ```ts
 * const options: LeastSquaresOptions = {
 *   model: ({ b0, b1 }) => x.map((xi) => b0! + b1! * xi),
 *   data: y,
 *   params: { b0: { initial: 0 }, b1: { initial: 1 } },
 * };
 * ```
 */
export interface LeastSquaresOptions extends CalibrateCommonOptions {
  /** Predictions of the observations for a parameter record. */
  model: (params: Record<string, number>) => ArrayLike<number>;
  /** The observations. */
  data: ArrayLike<number>;
  /** Default `'least-squares'` for a function `model`. */
  objective?: 'least-squares';
  /**
   * Known standard deviations of the observations (one number or one per observation): residuals
   * are divided by them and the covariance is 2·H⁻¹ (the data's stated errors). Without sigma, the
   * residual variance S/(n − p) scales it (2·s²·H⁻¹ on the unweighted sum).
   */
  sigma?: number | ArrayLike<number>;
  stateSpace?: never;
}

/**
 * Maximum likelihood of a linear Gaussian state-space model: minimizes the negative log-likelihood
 * that a {@link KalmanFilter} built by `stateSpace(params)` accumulates over `data` (the prediction
 * error decomposition). `x0` and `P0` are the prior of the first observation: the filter updates
 * with data[0], then predicts and updates with each following observation (`null`: missing).
 *
 * @example
 * ```ts
 * // Local level (random walk plus noise): the two variances by maximum likelihood.
 * const options: LikelihoodOptions = {
 *   stateSpace: ({ q, r }) => ({ x0: [0], P0: [[1e6]], F: [[1]], Q: [[q!]], H: [[1]], R: [[r!]] }),
 *   data: readings, // numbers, or null where a reading is missing
 *   burn: 1,
 *   params: { q: [0, 10], r: [0, 10] },
 * };
 * ```
 */
export interface LikelihoodOptions extends CalibrateCommonOptions {
  /** The filter's options for a parameter record (noise variances, drift rates, ...). */
  stateSpace: (params: Record<string, number>) => KalmanFilterOptions;
  /** The observations: numbers (one measurement), vectors, or null for a missing one. */
  data: ArrayLike<number | readonly number[] | null>;
  /** Default `'likelihood'` with `stateSpace`. */
  objective?: 'likelihood';
  /**
   * Observations whose likelihood is left out (default 0): with a diffuse prior (large P0) leave
   * out the first, as statsmodels' `loglikelihood_burn` does.
   */
  burn?: number;
  model?: never;
}

/**
 * A simulated objective for a stochastic model: every parameter vector runs the same `replications`
 * (the same seed, so the same random numbers: common random numbers), and the objective is
 * ½ Σ_k ((mean_k − data_k) / scale_k)² over the named outputs, a smooth surface for the optimizer.
 * With `scales` the standard errors of the observed statistics, the Hessian's inverse times
 * (1 + 1/replications) (the simulation's own noise) is the covariance of the estimates.
 *
 * @example
 * ```ts
 * const fit = calibrate({
 *   model: counter, objective: 'simulated',
 *   data: { utilization: 0.75 }, scales: { utilization: 0.01 },
 *   outputs: (sim) => ({ utilization: sim.model.server.stats.utilization ?? 0 }),
 *   fixedParams: { arrivalMean: 1 }, params: { serviceMean: [0.1, 0.99] },
 *   replications: 20, until: 2000, seed: 1,
 * });
 * ```
 */
export interface SimulatedOptions<P, M> extends CalibrateCommonOptions {
  /** The model definition; its parameters are `{ ...defaults, ...fixedParams, ...calibrated }`. */
  model: ModelDefinition<P, M>;
  /** The observed statistics, by output name. */
  data: Readonly<Record<string, number>>;
  /** Must be `'simulated'` for a model definition (the default). */
  objective?: 'simulated';
  /** Maps a finished replication to named numbers (at least the names of `data`). */
  outputs: OutputFunction<M>;
  /** Replications per parameter vector (>= 2); default 20. */
  replications?: number;
  /** Run every replication until this time. */
  until?: number;
  /** Parameters of the model that are not calibrated. */
  fixedParams?: Partial<P>;
  /**
   * Standard errors of the observed statistics, by name. Default |data_k| (relative errors): then
   * the estimates are fine but `uncertainty` defaults to `'none'`, as the scale is not a variance.
   */
  scales?: Readonly<Record<string, number>>;
  stateSpace?: never;
}

/**
 * Options of {@link calibrate}: least squares, state-space likelihood, or a simulated objective.
 *
 * @example
 * ```ts
 * const options: CalibrateOptions = { model: (p) => t.map((ti) => p.a! * Math.exp(-p.k! * ti)), data: y, params: { a: [0, 100], k: [0, 5] } };
 * const fit = calibrate(options);
 * ```
 */
export type CalibrateOptions<P = unknown, M = unknown> =
  | LeastSquaresOptions
  | LikelihoodOptions
  | SimulatedOptions<P, M>;

/**
 * An estimate's interval.
 *
 * @example
 * ```ts
 * const { lower, upper } = calibrate(options).intervals.k!;
 * ```
 */
export interface EstimateInterval {
  /** Lower end. */
  lower: number;
  /** Upper end. */
  upper: number;
}

/**
 * How the fit went.
 *
 * @example
 * ```ts
 * const { converged, message, value, residuals } = calibrate(options).diagnostics;
 * if (!converged) console.warn(message);
 * ```
 */
export interface CalibrationDiagnostics {
  /** The objective minimized. */
  objective: CalibrationObjective;
  /** The optimizer used. */
  method: CalibrationMethod;
  /** The objective at the estimates (sum of squares, negative log-likelihood, or simulated distance). */
  value: number;
  /** Optimizer iterations. */
  iterations: number;
  /** Objective evaluations (for a simulated objective, each runs every replication). */
  evaluations: number;
  /**
   * True when the gradient at the estimates is ~0 (|g_i|·max(|θ_i|, 1e-3) <= 1e-3·max(1, |value|))
   * and the Hessian is positive definite: a local minimum inside the bounds.
   */
  converged: boolean;
  /** Why `converged` is false, or `'converged'`. */
  message: string;
  /** Numerical gradient of the objective at the estimates, by parameter. */
  gradient: Record<string, number>;
  /** Observations minus predictions (least squares). */
  residuals?: number[];
  /** Residual variance S/(n − p) (least squares). */
  residualVariance?: number;
  /** Log-likelihood at the estimates (likelihood). */
  logLikelihood?: number;
  /** Akaike's information criterion 2p − 2 log L (likelihood). */
  aic?: number;
  /** Number of observations (or observed statistics) that entered the objective. */
  observations: number;
}

/**
 * What {@link calibrate} returns.
 *
 * @example
 * ```ts
 * const fit = calibrate(options);
 * console.log(fit.estimates.k, '±', fit.standardErrors.k, fit.intervals.k);
 * ```
 */
export interface CalibrationResult {
  /** The fitted parameters. */
  estimates: Record<string, number>;
  /** Standard errors (NaN when the Hessian is not positive definite, or a parameter sits on a bound). */
  standardErrors: Record<string, number>;
  /** Intervals at `confidence`: estimate ± quantile·SE (t with n − p degrees of freedom for least squares without sigma, normal otherwise), or bootstrap percentiles. */
  intervals: Record<string, EstimateInterval>;
  /** Covariance matrix of the estimates, in the order of `names` (null without one). */
  covariance: number[][] | null;
  /** Parameter names, in the order of `covariance`. */
  names: string[];
  /** How the uncertainty was stated. */
  uncertainty: CalibrationUncertainty;
  /** Confidence of `intervals`. */
  confidence: number;
  /** The fit's diagnostics. */
  diagnostics: CalibrationDiagnostics;
  /** The bootstrap estimates by parameter, with `uncertainty: 'bootstrap'`. */
  bootstrapSamples?: Record<string, number[]>;
}

const COMMON_KEYS = [
  'params',
  'method',
  'seed',
  'uncertainty',
  'bootstrap',
  'confidence',
  'maxIterations',
  'objective',
];
const KEYS: Record<CalibrationObjective, readonly string[]> = {
  'least-squares': [...COMMON_KEYS, 'model', 'data', 'sigma'],
  likelihood: [...COMMON_KEYS, 'stateSpace', 'data', 'burn'],
  simulated: [...COMMON_KEYS, 'model', 'data', 'outputs', 'replications', 'until', 'fixedParams', 'scales'],
};

/** A prepared problem: the objective on the parameters' scale, and how to refit simulated data. */
interface Problem {
  objective: CalibrationObjective;
  observations: number;
  /** The observed data. */
  data: unknown;
  /** The objective for a data set (the observed one, or one simulated from the fit). */
  objectiveFor: (data: unknown) => (theta: readonly number[]) => number;
  /** Fits a data set on the unbounded scale from u0. */
  minimize: (u0: readonly number[], data: unknown) => MinimizerResult;
  /** Covariance from the inverse Hessian; null when not available. */
  covariance: (inverse: number[][] | null, value: number) => number[][] | null;
  /** Quantile of the interval. */
  quantile: (confidence: number) => number;
  /** Extra diagnostics at the estimates. */
  describe: (theta: readonly number[], value: number) => Partial<CalibrationDiagnostics>;
  /** A data set simulated from the fitted model (parametric bootstrap), or null if unsupported. */
  simulate: ((theta: readonly number[], rng: RandomStream) => unknown) | null;
  defaultUncertainty: CalibrationUncertainty;
}

/**
 * Fits parameters to observed data and states their uncertainty. Three objectives:
 * - least squares (`model` a function giving predictions of `data`), with Levenberg-Marquardt
 *   (ml-levenberg-marquardt) or Nelder-Mead (fmin);
 * - the negative log-likelihood of a linear Gaussian state-space model (`stateSpace` giving a
 *   {@link KalmanFilter}'s options), with Nelder-Mead: maximum likelihood of noise variances and
 *   drift rates, as statsmodels fits state-space models;
 * - a simulated objective for a stochastic model definition (`model`, `outputs`, `replications`)
 *   with common random numbers, with Nelder-Mead.
 *
 * Bounds are transformed away (logit between two finite bounds, log beyond one). The uncertainty
 * comes from the numerical Hessian of the objective at the optimum (least squares: 2·s²·H⁻¹;
 * likelihood: the inverse observed information H⁻¹), or from a parametric bootstrap.
 *
 * @example
 * ```ts
 * // Exponential decay y = a·exp(−k·t), observed with noise.
 * const t = [0, 1, 2, 3, 4, 5, 6, 7];
 * const y = [10.1, 6.0, 3.7, 2.2, 1.4, 0.8, 0.5, 0.3];
 * const fit = calibrate({
 *   model: ({ a, k }) => t.map((ti) => a! * Math.exp(-k! * ti)),
 *   data: y,
 *   params: { a: [0, 100], k: [0, 5] },
 * });
 * fit.estimates.k;            // ≈ 0.5
 * fit.intervals.k;            // { lower, upper }, 95%
 * fit.diagnostics.converged;  // true
 * ```
 */
export function calibrate<P, M>(options: CalibrateOptions<P, M>): CalibrationResult {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidArgument(
      API,
      'options must be an object',
      options,
      'Pass e.g. { model: (p) => predictions, data, params: { k: [0, 5] } }.',
    );
  }
  const objective = readObjective(options as CalibrateOptions<never, never>);
  rejectUnknownKeys(API, options, KEYS[objective], exampleFor(objective));
  const parameters = readParameters(API, options.params);
  const method = readMethod(objective, options.method);
  const confidence = options.confidence === undefined ? 0.95 : checkConfidence(API, options.confidence);
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' && typeof seed !== 'string')
    throw invalidArgument(API, 'seed must be a number or a string', seed);
  const maxIterations =
    options.maxIterations === undefined
      ? method === 'levenberg-marquardt'
        ? 200
        : 400 * parameters.length
      : requireInteger(API, 'maxIterations', options.maxIterations, 1);
  const problem =
    objective === 'least-squares'
      ? leastSquaresProblem(options as LeastSquaresOptions, parameters, method, maxIterations)
      : objective === 'likelihood'
        ? likelihoodProblem(options as LikelihoodOptions, parameters, maxIterations)
        : simulatedProblem(options as SimulatedOptions<P, M>, parameters, seed, maxIterations);
  const uncertainty = options.uncertainty ?? problem.defaultUncertainty;
  if (!['hessian', 'bootstrap', 'none'].includes(uncertainty))
    throw invalidArgument(API, "uncertainty must be 'hessian', 'bootstrap' or 'none'", uncertainty);
  if (uncertainty === 'bootstrap' && problem.simulate === null)
    throw invalidArgument(
      API,
      `uncertainty 'bootstrap' needs an objective that can simulate its data (least-squares or likelihood), not '${objective}'`,
      uncertainty,
      "Use uncertainty: 'hessian' with scales, or calibrate on several independent histories.",
    );
  const bootstrapCount =
    options.bootstrap === undefined ? 200 : requireInteger(API, 'bootstrap', options.bootstrap, 10);

  const u0 = parameters.map((p) => p.toFree(p.initial));
  const f = problem.objectiveFor(problem.data);
  const fit = problem.minimize(u0, problem.data);
  const theta = fit.x.map((u, i) => parameters[i]!.toValue(u));
  const value = f(theta);
  if (!Number.isFinite(value)) {
    throw new TwinkitError(
      `${API}: the ${objective} objective is not finite at any point the optimizer tried (last value ${formatValue(value)} at ${formatValue(toRecord(parameters, theta))}). Check that the model gives finite predictions within the bounds of params, or narrow the bounds.`,
      { code: 'NUMERIC', details: { estimates: toRecord(parameters, theta) } },
    );
  }
  const curve = curvature(f, theta, parameters);
  const names = parameters.map((p) => p.name);
  const gradientOk = curve.gradient.every(
    (g, i) => Math.abs(g) * Math.max(Math.abs(theta[i]!), 1e-3) <= 1e-3 * Math.max(1, Math.abs(value)),
  );
  const message =
    curve.atBound.length > 0
      ? `the estimate of ${curve.atBound.join(', ')} is on a bound of its range: widen the bounds, or fix the parameter`
      : !gradientOk
        ? `the gradient at the estimates is not ~0 (${fit.stoppedOnTolerance ? 'the optimizer stopped early' : `the optimizer hit maxIterations ${maxIterations}`}): raise maxIterations or start elsewhere (initial)`
        : curve.inverse === null
          ? 'the Hessian at the estimates is not positive definite: the parameters are not identified by the data (flat or saddle), fix one or add data'
          : 'converged';
  const diagnostics: CalibrationDiagnostics = {
    objective,
    method,
    value,
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    converged: message === 'converged',
    message,
    gradient: toRecord(parameters, curve.gradient),
    observations: problem.observations,
    ...problem.describe(theta, value),
  };
  const result: CalibrationResult = {
    estimates: toRecord(parameters, theta),
    standardErrors: toRecord(
      parameters,
      theta.map(() => Number.NaN),
    ),
    intervals: Object.fromEntries(names.map((n) => [n, { lower: Number.NaN, upper: Number.NaN }])),
    covariance: null,
    names,
    uncertainty,
    confidence,
    diagnostics,
  };
  if (uncertainty === 'hessian') {
    const cov = problem.covariance(curve.inverse, value);
    if (cov !== null) {
      const q = problem.quantile(confidence);
      result.covariance = cov;
      names.forEach((name, i) => {
        const se = Math.sqrt(cov[i]![i]!);
        result.standardErrors[name] = se;
        result.intervals[name] = { lower: theta[i]! - q * se, upper: theta[i]! + q * se };
      });
    }
  } else if (uncertainty === 'bootstrap') {
    const rng = new RandomStream({ seed, name: 'calibrate.bootstrap', replication: 0, forkPath: '' });
    const samples = names.map(() => [] as number[]);
    const uHat = theta.map((t, i) => parameters[i]!.toFree(t));
    for (let b = 0; b < bootstrapCount; b++) {
      const refit = problem.minimize(uHat, problem.simulate!(theta, rng));
      refit.x.forEach((u, i) => {
        samples[i]!.push(parameters[i]!.toValue(u));
      });
    }
    const cov = names.map((_, i) => names.map((_, j) => covarianceOf(samples[i]!, samples[j]!)));
    result.covariance = cov;
    result.bootstrapSamples = {};
    names.forEach((name, i) => {
      const sorted = [...samples[i]!].sort((a, b) => a - b);
      result.bootstrapSamples![name] = samples[i]!;
      result.standardErrors[name] = Math.sqrt(cov[i]![i]!);
      result.intervals[name] = {
        lower: percentile(sorted, (1 - confidence) / 2),
        upper: percentile(sorted, (1 + confidence) / 2),
      };
    });
  }
  return result;
}

function covarianceOf(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return s / (n - 1);
}

function percentile(sorted: readonly number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

function exampleFor(objective: CalibrationObjective): string {
  return objective === 'least-squares'
    ? '{ model: (p) => predictions, data, params: { k: [0, 5] } }'
    : objective === 'likelihood'
      ? '{ stateSpace: (p) => ({ x0, P0, F, Q: [[p.q]], H, R: [[p.r]] }), data, params: { q: [0, 10], r: [0, 10] } }'
      : "{ model, outputs: (sim) => ({ ... }), data: { ... }, params, replications: 20, until, objective: 'simulated' }";
}

function readObjective(options: CalibrateOptions<never, never>): CalibrationObjective {
  const given = (options as { objective?: unknown }).objective;
  const loose = options as { model?: unknown; stateSpace?: unknown };
  const hasModel = loose.model !== undefined;
  const hasStateSpace = loose.stateSpace !== undefined;
  if (hasModel && hasStateSpace)
    throw invalidArgument(
      API,
      'pass either model or stateSpace, not both',
      Object.keys(options),
      'model: least squares or a simulated objective; stateSpace: the likelihood of a Kalman filter.',
    );
  if (!hasModel && !hasStateSpace)
    throw invalidArgument(
      API,
      'options need a model or a stateSpace to fit',
      Object.keys(options),
      `Pass e.g. ${exampleFor('least-squares')}.`,
    );
  let implied: CalibrationObjective;
  if (hasStateSpace) {
    if (typeof loose.stateSpace !== 'function')
      throw invalidArgument(
        API,
        'stateSpace must be a function of the parameters returning KalmanFilter options',
        loose.stateSpace,
        `Pass e.g. ${exampleFor('likelihood')}.`,
      );
    implied = 'likelihood';
  } else if (typeof loose.model === 'function') {
    implied = 'least-squares';
  } else if (
    loose.model !== null &&
    typeof loose.model === 'object' &&
    typeof (loose.model as { create?: unknown }).create === 'function'
  ) {
    implied = 'simulated';
  } else {
    throw invalidArgument(
      API,
      'model must be a function of the parameters returning predictions (least squares) or a model definition (simulated objective)',
      loose.model,
      'Pass e.g. model: (p) => t.map((ti) => p.a * Math.exp(-p.k * ti)), or a defineModel(...) definition.',
    );
  }
  if (given !== undefined && given !== implied) {
    const valid = ['least-squares', 'likelihood', 'simulated'];
    throw invalidArgument(
      API,
      valid.includes(given as string)
        ? `objective '${given}' does not go with ${hasStateSpace ? 'a stateSpace' : implied === 'least-squares' ? 'a model function' : 'a model definition'} (which gives '${implied}')`
        : `objective must be one of ${valid.map((v) => `'${v}'`).join(', ')}`,
      given,
      "least squares: model as a function; 'likelihood': stateSpace; 'simulated': model as a defineModel definition.",
    );
  }
  return implied;
}

function readMethod(objective: CalibrationObjective, method: unknown): CalibrationMethod {
  if (method === undefined) return objective === 'least-squares' ? 'levenberg-marquardt' : 'nelder-mead';
  if (method !== 'levenberg-marquardt' && method !== 'nelder-mead')
    throw invalidArgument(API, "method must be 'levenberg-marquardt' or 'nelder-mead'", method);
  if (method === 'levenberg-marquardt' && objective !== 'least-squares')
    throw invalidArgument(
      API,
      `method 'levenberg-marquardt' fits least squares only, not the '${objective}' objective`,
      method,
      "Use method: 'nelder-mead' (the default).",
    );
  return method;
}

function readNumbers(name: string, value: unknown, min: number): Float64Array {
  if (value === null || typeof value !== 'object' || typeof (value as ArrayLike<number>).length !== 'number')
    throw invalidArgument(API, `${name} must be an array of numbers`, value);
  const arr = value as ArrayLike<unknown>;
  if (arr.length < min)
    throw invalidArgument(
      API,
      `${name} must hold at least ${min} values (more than the parameters)`,
      arr.length,
    );
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw invalidArgument(
        API,
        `${name}[${i}] must be a finite number`,
        v,
        'Remove or fill missing observations.',
      );
    out[i] = v;
  }
  return out;
}

function leastSquaresProblem(
  options: LeastSquaresOptions,
  parameters: readonly Parameter[],
  method: CalibrationMethod,
  maxIterations: number,
): Problem {
  const p = parameters.length;
  const y = readNumbers('data', options.data, p + 1);
  const n = y.length;
  const sigmaGiven = options.sigma !== undefined;
  let sigma: Float64Array;
  if (typeof options.sigma === 'number') {
    if (!(options.sigma > 0) || !Number.isFinite(options.sigma))
      throw invalidArgument(
        API,
        'sigma must be a finite number > 0 (the standard deviation of an observation)',
        options.sigma,
      );
    sigma = new Float64Array(n).fill(options.sigma);
  } else if (options.sigma !== undefined) {
    sigma = readNumbers('sigma', options.sigma, n);
    if (sigma.length !== n || sigma.some((s) => !(s > 0)))
      throw invalidArgument(API, `sigma must hold ${n} numbers > 0 (one per observation)`, options.sigma);
  } else {
    sigma = new Float64Array(n).fill(1);
  }
  const model = options.model;
  const predict = (theta: readonly number[]): ArrayLike<number> => {
    const values = model(toRecord(parameters, theta));
    if (values === null || typeof values !== 'object' || values.length !== n)
      throw invalidArgument(
        API,
        `model(params) must return ${n} predictions (one per observation in data)`,
        values === null || typeof values !== 'object' ? values : `${values.length} values`,
        'Return an array aligned with data.',
      );
    return values;
  };
  const sumOfSquares = (data: unknown) => {
    const obs = data as Float64Array;
    return (theta: readonly number[]) => {
      const m = predict(theta);
      let s = 0;
      for (let i = 0; i < n; i++) s += ((obs[i]! - m[i]!) / sigma[i]!) ** 2;
      return s;
    };
  };
  const toTheta = (u: readonly number[]) => u.map((ui, i) => parameters[i]!.toValue(ui));
  const residualVariance = (value: number) => value / (n - p);
  return {
    objective: 'least-squares',
    observations: n,
    data: y,
    objectiveFor: sumOfSquares,
    minimize: (u0, data) => {
      if (method === 'levenberg-marquardt')
        return levenbergMarquardtFit((u) => predict(toTheta(u)), data as Float64Array, sigma, u0, {
          maxIterations,
        });
      const f = sumOfSquares(data);
      return nelderMead((u) => f(toTheta(u)), u0, {
        maxIterations,
        tolerance: 1e-12,
        steps: simplexSteps(parameters),
      });
    },
    covariance: (inverse, value) => {
      if (inverse === null || (!sigmaGiven && n <= p)) return null;
      const scale = sigmaGiven ? 2 : 2 * residualVariance(value);
      return inverse.map((row) => row.map((v) => v * scale));
    },
    quantile: (c) => (sigmaGiven ? normalQuantile((1 + c) / 2) : tQuantile((1 + c) / 2, n - p)),
    describe: (theta, value) => {
      const m = predict(theta);
      return {
        residuals: Array.from(y, (yi, i) => yi - m[i]!),
        residualVariance: residualVariance(value),
      };
    },
    simulate: (theta, rng) => {
      const m = predict(theta);
      const s = Math.sqrt(residualVariance(sumOfSquares(y)(theta)));
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = m[i]! + rng.normal(0, sigmaGiven ? sigma[i]! : s);
      return out;
    },
    defaultUncertainty: 'hessian',
  };
}

/** First simplex steps on the unbounded scale: half a logit or log unit, or a tenth of an unbounded parameter's initial value. */
function simplexSteps(parameters: readonly Parameter[]): number[] {
  return parameters.map((p) =>
    Number.isFinite(p.low) || Number.isFinite(p.high) ? 0.5 : 0.1 * Math.max(1, Math.abs(p.initial)),
  );
}

function normalQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}

function readObservations(data: unknown): (readonly number[] | null)[] {
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<unknown>).length !== 'number')
    throw invalidArgument(API, 'data must be an array of observations (numbers, vectors or null)', data);
  const arr = data as ArrayLike<unknown>;
  const out: (readonly number[] | null)[] = [];
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (v === null) out.push(null);
    else if (typeof v === 'number') {
      if (!Number.isFinite(v))
        throw invalidArgument(
          API,
          `data[${i}] must be a finite number, a vector or null (missing)`,
          v,
          'Pass null for a missing observation.',
        );
      out.push([v]);
    } else if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      out.push(v as number[]);
    else
      throw invalidArgument(
        API,
        `data[${i}] must be a finite number, a vector of them, or null (missing)`,
        v,
      );
  }
  return out;
}

function likelihoodProblem(
  options: LikelihoodOptions,
  parameters: readonly Parameter[],
  maxIterations: number,
): Problem {
  const observations = readObservations(options.data);
  const burn = options.burn === undefined ? 0 : requireInteger(API, 'burn', options.burn, 0);
  const counted = observations.slice(burn).filter((z) => z !== null).length;
  if (counted < 1)
    throw invalidArgument(
      API,
      `data must hold observations after the first burn = ${burn}`,
      observations.length,
    );
  const build = (theta: readonly number[]): KalmanFilter => {
    const record = toRecord(parameters, theta);
    let spec: KalmanFilterOptions;
    try {
      spec = options.stateSpace(record);
    } catch (cause) {
      throw new TwinkitError(
        `${API}: stateSpace(${formatValue(record)}) threw: ${(cause as Error)?.message ?? cause}`,
        {
          code: 'INVALID_ARGUMENT',
          cause,
        },
      );
    }
    return new KalmanFilter(spec);
  };
  // The first parameter vector must give a valid filter: a mistake in stateSpace surfaces here
  // as the filter's own error, not as an objective that is infinite everywhere.
  build(parameters.map((p) => p.initial));
  const negLogLik = (data: unknown) => {
    const zs = data as (readonly number[] | null)[];
    return (theta: readonly number[]) => {
      let kf: KalmanFilter;
      try {
        kf = build(theta);
      } catch (error) {
        if (error instanceof TwinkitError && (error.code === 'NUMERIC' || error.code === 'INVALID_ARGUMENT'))
          return Infinity;
        throw error;
      }
      let ll = 0;
      try {
        for (let t = 0; t < zs.length; t++) {
          if (t > 0) kf.predict();
          const r = kf.update(zs[t]!);
          if (r.kind === 'measurement' && t >= burn) ll += r.logLikelihood;
        }
      } catch (error) {
        if (error instanceof TwinkitError && error.code === 'NUMERIC') return Infinity;
        throw error;
      }
      return -ll;
    };
  };
  const toTheta = (u: readonly number[]) => u.map((ui, i) => parameters[i]!.toValue(ui));
  return {
    objective: 'likelihood',
    observations: counted,
    data: observations,
    objectiveFor: negLogLik,
    minimize: (u0, data) => {
      const f = negLogLik(data);
      return nelderMead((u) => f(toTheta(u)), u0, {
        maxIterations,
        tolerance: 1e-10,
        steps: simplexSteps(parameters),
      });
    },
    covariance: (inverse) => inverse,
    quantile: (c) => normalQuantile((1 + c) / 2),
    describe: (_theta, value) => ({ logLikelihood: -value, aic: 2 * parameters.length + 2 * value }),
    simulate: (theta, rng) =>
      simulateStateSpace(options.stateSpace(toRecord(parameters, theta)), observations, rng),
    defaultUncertainty: 'hessian',
  };
}

/** Simulates observations of a linear Gaussian state-space model (default sensor) at the non-missing times of `pattern`. */
function simulateStateSpace(
  spec: KalmanFilterOptions,
  pattern: readonly (readonly number[] | null)[],
  rng: RandomStream,
): (readonly number[] | null)[] {
  const api = `${API} (bootstrap)`;
  const dt = spec.dt ?? 1;
  const x0 = Array.from(readVector(api, 'x0', spec.x0));
  const n = x0.length;
  const rows = (name: string, value: unknown, r?: number, c?: number): number[][] => {
    const m = readMatrix(api, name, value, r, c);
    return Array.from({ length: m.rows }, (_, i) =>
      Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)),
    );
  };
  if (spec.H === undefined || spec.R === undefined)
    throw invalidArgument(
      api,
      'the parametric bootstrap simulates the default sensor: stateSpace must give H and R',
      Object.keys(spec),
    );
  const F = rows('F', typeof spec.F === 'function' ? spec.F(dt) : spec.F, n, n);
  const Q = rows('Q', typeof spec.Q === 'function' ? spec.Q(dt) : spec.Q, n, n);
  const H = rows('H', spec.H, undefined, n);
  const m = H.length;
  const R = rows('R', spec.R, m, m);
  const draw = (L: number[][]): number[] => {
    const z = L.map(() => rng.normal(0, 1));
    return L.map((row) => row.reduce((s, v, k) => s + v * z[k]!, 0));
  };
  const LP = semidefiniteCholesky(rows('P0', spec.P0, n, n));
  const LQ = semidefiniteCholesky(Q);
  const LR = semidefiniteCholesky(R);
  let x = draw(LP).map((v, i) => v + x0[i]!);
  return pattern.map((z, t) => {
    if (t > 0) {
      const w = draw(LQ);
      x = F.map((row, i) => row.reduce((s, v, k) => s + v * x[k]!, 0) + w[i]!);
    }
    if (z === null) return null;
    const v = draw(LR);
    return H.map((row, i) => row.reduce((s, h, k) => s + h * x[k]!, 0) + v[i]!);
  });
}

function simulatedProblem<P, M>(
  options: SimulatedOptions<P, M>,
  parameters: readonly Parameter[],
  seed: number | string,
  maxIterations: number,
): Problem {
  const model = options.model;
  if (typeof options.outputs !== 'function')
    throw invalidArgument(
      API,
      'outputs must be a function of a finished replication returning named numbers',
      options.outputs,
      'Pass e.g. outputs: (sim) => ({ meanWait: sim.model.waits.mean }).',
    );
  const data = options.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data) || Object.keys(data).length === 0)
    throw invalidArgument(
      API,
      'data must be an object of observed statistics by output name for a simulated objective',
      data,
      'Pass e.g. data: { meanWait: 4.2 }.',
    );
  const names = Object.keys(data);
  for (const name of names) {
    const v = data[name];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw invalidArgument(API, `data.${name} must be a finite number`, v);
  }
  const scales: Record<string, number> = {};
  for (const name of names) {
    const s = options.scales?.[name] ?? Math.abs(data[name]!);
    if (!(s > 0) || !Number.isFinite(s))
      throw invalidArgument(
        API,
        `the scale of output '${name}' must be a finite number > 0 (scales.${name}, or |data.${name}| by default)`,
        s,
        `Pass scales: { ${name}: <standard error of the observed value> }.`,
      );
    scales[name] = s;
  }
  if (options.scales !== undefined) {
    const extra = Object.keys(options.scales).find((k) => !(k in data));
    if (extra !== undefined)
      throw invalidArgument(API, `scales.${extra} names no output of data`, Object.keys(data));
  }
  const replications =
    options.replications === undefined ? 20 : requireInteger(API, 'replications', options.replications, 2);
  const base = { ...(model.defaults ?? {}), ...(options.fixedParams ?? {}) } as Record<string, unknown>;
  const f = (theta: readonly number[]): number => {
    const params = { ...base, ...toRecord(parameters, theta) } as P;
    const plan = {
      model,
      seed,
      params,
      from: undefined,
      until: options.until,
      warmup: undefined,
      onWarmupEnd: undefined,
      outputs: options.outputs,
    };
    const sums: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    for (let i = 0; i < replications; i++) {
      const { values } = runReplication(plan, i);
      for (const name of names) {
        if (!(name in values))
          throw invalidArgument(
            API,
            `outputs(sim) must return output '${name}' (named in data)`,
            Object.keys(values),
            'Return every statistic of data from outputs.',
          );
        sums[name] = sums[name]! + values[name]!;
      }
    }
    let s = 0;
    for (const name of names) s += ((sums[name]! / replications - data[name]!) / scales[name]!) ** 2;
    return s / 2;
  };
  const toTheta = (u: readonly number[]) => u.map((ui, i) => parameters[i]!.toValue(ui));
  return {
    objective: 'simulated',
    observations: names.length,
    data,
    objectiveFor: () => f,
    minimize: (u0) =>
      nelderMead((u) => f(toTheta(u)), u0, {
        maxIterations,
        tolerance: 1e-6,
        steps: simplexSteps(parameters),
      }),
    covariance: (inverse) =>
      inverse === null ? null : inverse.map((row) => row.map((v) => v * (1 + 1 / replications))),
    quantile: (c) => normalQuantile((1 + c) / 2),
    describe: () => ({}),
    simulate: null,
    defaultUncertainty: options.scales === undefined ? 'none' : 'hessian',
  };
}
