/**
 * The degradation twin of an engine, calibrated from run-to-failure history:
 *
 * - a health indicator (HI): a linear map from the standardized informative sensors to a health
 *   that is 1 while the engine is healthy and falls linearly to 0 over its last `knee` cycles,
 *   fitted by least squares over the training engines' cycles;
 * - a degradation model: each engine's HI follows a trend h(τ) = h0 + v·τ + a·τ² (τ = cycle / 100)
 *   plus noise. As a state-space model the state is the local (h, v, a) (health, drift rate,
 *   acceleration), x' = F x, and each cycle's HI is a reading z = h + e;
 * - calibration with `calibrate`: least squares (Levenberg-Marquardt) per training engine gives each
 *   engine's (h0, v, a), hence the population's distribution of rates (mean and covariance: the
 *   prior of a new engine); the reading variance is the maximum-likelihood estimate of the Kalman
 *   filter's likelihood (median over engines), inflated by the residuals' autocorrelation time; the
 *   failure threshold is the distribution of the fitted trend at failure;
 * - synchronization: a KalmanFilter over an engine's readings from the population prior (EngineTwin);
 *   the forecast samples the state from its posterior and a threshold, and runs each sample forward
 *   cycle by cycle until the health reaches the threshold (forecastTwin). This is the plain-loop
 *   form the cross-validation uses; the test engines' twins are twinkit models forked on worker
 *   threads (engine-twin.ts), which give the same distribution (tested).
 */
import { RandomStream } from '@twinkit/core';
import { calibrate, KalmanFilter, type KalmanFilterOptions } from '@twinkit/estimation';
import { invalidArgument } from '../support/invalid-argument';
import { type Engine, INFORMATIVE_SENSORS } from './data';

/** The cycles of a time unit of the degradation model (τ = cycle / TIME_SCALE, for conditioning). */
export const TIME_SCALE = 100;

/** Options of the twin's construction. */
export interface TwinSettings {
  /** Cycles before failure from which the HI target falls linearly to 0 (before: 1); default 130. */
  knee: number;
  /** Sensors (1-based) of the HI; default the informative ones. */
  sensors: readonly number[];
  /** Forecast horizon beyond the present, in cycles (a later failure is reported at the horizon). */
  horizon: number;
  /** Monte Carlo samples per forecast. */
  samples: number;
  /** The noise variances are fitted on every noiseEvery-th training engine. */
  noiseEvery: number;
  /** The acceleration's process variance per cycle (default 0). */
  processVar?: number;
  /** The inflation of the reading variance, instead of the residuals' integrated autocorrelation time. */
  noiseScale?: number;
}

export const DEFAULT_SETTINGS: TwinSettings = {
  knee: 130,
  sensors: INFORMATIVE_SENSORS,
  horizon: 400,
  samples: 1000,
  noiseEvery: 4,
};

/** A linear health indicator: h = bias + Σ weight_k · (sensor_k − mean_k) / sd_k. */
export interface HealthIndicator {
  sensors: readonly number[];
  mean: number[];
  sd: number[];
  weights: number[];
  bias: number;
}

/** The calibrated degradation model: the population prior of (h0, v, a), the noise and the threshold. */
export interface DegradationModel {
  hi: HealthIndicator;
  priorMean: number[];
  priorCov: number[][];
  /** The filter's reading variance: the maximum-likelihood r (median over engines) times the autocorrelation time. */
  noiseVar: number;
  /** Process noise variance of the acceleration per cycle (0 by default: constant trend parameters). */
  processVar: number;
  /** The reading variance of the maximum-likelihood fits, before the inflation for autocorrelation. */
  whiteNoiseVar: number;
  /** The lag-1 autocorrelation of the HI around the engines' trends. */
  residualAutocorrelation: number;
  /** The integrated autocorrelation time of those residuals (readings per independent one): the inflation of the reading variance. */
  autocorrelationTime: number;
  /** The residual variance of the HI around the engines' least-squares trends, pooled (for reference). */
  pooledResidualVar: number;
  /** The fitted HI at failure over the training engines: mean and standard deviation. */
  threshold: { mean: number; sd: number };
  /** Each training engine's least-squares (h0, v, a) and life. */
  fits: { unit: number; life: number; params: number[] }[];
}

/** Solves A x = b (A symmetric positive definite, small) by Gaussian elimination with pivoting. */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const pivot = M[c]![c]!;
    if (Math.abs(pivot) < 1e-300)
      throw invalidArgument(
        'solve(A, b)',
        'A must be nonsingular',
        pivot,
        'Drop constant or collinear sensors.',
      );
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / pivot;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) M[r]![k] = M[r]![k]! - f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

/** The HI target of a training cycle: 1 until `knee` cycles before failure, then linear to 0. */
export function healthTarget(cycle: number, life: number, knee: number): number {
  return Math.min(1, (life - cycle) / knee);
}

/** Fits the health indicator to the training engines by least squares (normal equations). */
export function fitHealthIndicator(
  train: readonly Engine[],
  settings: TwinSettings = DEFAULT_SETTINGS,
): HealthIndicator {
  const { sensors, knee } = settings;
  const m = sensors.length;
  const mean = new Array<number>(m).fill(0);
  const sq = new Array<number>(m).fill(0);
  let n = 0;
  for (const e of train)
    for (const row of e.sensors) {
      n++;
      for (let j = 0; j < m; j++) {
        const v = row[sensors[j]! - 1]!;
        mean[j] = mean[j]! + v;
        sq[j] = sq[j]! + v * v;
      }
    }
  if (n === 0)
    throw invalidArgument('fitHealthIndicator(train)', 'train must hold at least one engine', train.length);
  for (let j = 0; j < m; j++) mean[j] = mean[j]! / n;
  const sd = sq.map((s, j) => Math.sqrt(Math.max(s / n - mean[j]! ** 2, 1e-300)));
  const p = m + 1;
  const A = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const b = new Array<number>(p).fill(0);
  const x = new Array<number>(p);
  for (const e of train) {
    const life = e.cycles.length;
    for (let i = 0; i < life; i++) {
      x[0] = 1;
      for (let j = 0; j < m; j++) x[j + 1] = (e.sensors[i]![sensors[j]! - 1]! - mean[j]!) / sd[j]!;
      const y = healthTarget(e.cycles[i]!, life, knee);
      for (let r = 0; r < p; r++) {
        b[r] = b[r]! + x[r]! * y;
        for (let c = 0; c < p; c++) A[r]![c] = A[r]![c]! + x[r]! * x[c]!;
      }
    }
  }
  const w = solve(A, b);
  return { sensors, mean, sd, weights: w.slice(1), bias: w[0]! };
}

/** The HI of one row of sensor values given in the HI's sensor order. */
export function healthOfValues(hi: HealthIndicator, values: readonly number[]): number {
  let h = hi.bias;
  for (let j = 0; j < hi.weights.length; j++) h += (hi.weights[j]! * (values[j]! - hi.mean[j]!)) / hi.sd[j]!;
  return h;
}

/** The HI of each cycle of an engine. */
export function healthSeries(hi: HealthIndicator, engine: Engine): number[] {
  return engine.sensors.map((row) =>
    healthOfValues(
      hi,
      hi.sensors.map((k) => row[k - 1]!),
    ),
  );
}

/** The health trend of parameters (h0, v, a) at a cycle. */
export function trend(params: readonly number[], cycle: number): number {
  const tau = cycle / TIME_SCALE;
  return params[0]! + params[1]! * tau + params[2]! * tau * tau;
}

/** Fits (h0, v, a) to one engine's HI series by least squares with `calibrate` (Levenberg-Marquardt). */
export function fitEngine(
  cycles: readonly number[],
  health: readonly number[],
): { params: number[]; residualVariance: number } {
  const fit = calibrate({
    model: ({ h0, v, a }) => cycles.map((c) => trend([h0!, v!, a!], c)),
    data: [...health],
    params: {
      h0: { initial: 1, low: -5, high: 5 },
      v: { initial: 0, low: -10, high: 10 },
      a: { initial: -0.1, low: -10, high: 10 },
    },
    uncertainty: 'none',
  });
  return {
    params: [fit.estimates.h0!, fit.estimates.v!, fit.estimates.a!],
    residualVariance: fit.diagnostics.residualVariance ?? Number.NaN,
  };
}

function pooledVariance(variances: readonly number[], train: readonly Engine[]): number {
  let ss = 0;
  let dof = 0;
  for (const [i, e] of train.entries()) {
    ss += variances[i]! * (e.cycles.length - 3);
    dof += e.cycles.length - 3;
  }
  return ss / dof;
}

function meanCov(rows: readonly number[][]): { mean: number[]; cov: number[][] } {
  const n = rows.length;
  const p = rows[0]!.length;
  const mean = new Array<number>(p).fill(0);
  for (const r of rows) for (let j = 0; j < p; j++) mean[j] = mean[j]! + r[j]! / n;
  const cov = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (const r of rows)
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++)
        cov[i]![j] = cov[i]![j]! + ((r[i]! - mean[i]!) * (r[j]! - mean[j]!)) / (n - 1);
  return { mean, cov };
}

const D = 1 / TIME_SCALE;

/** The transition of the local state (h, v, a) over one cycle: health, rate (per τ), acceleration. */
export const TRANSITION: readonly (readonly number[])[] = [
  [1, D, (D * D) / 2],
  [0, 1, D],
  [0, 0, 1],
];

/** The prior of the local state (h, v, a) at cycle 1, from the population of trends (h0, v, a). */
export function localPrior(
  priorMean: readonly number[],
  priorCov: readonly (readonly number[])[],
): { x0: number[]; P0: number[][] } {
  // (h, v, a) at cycle c of the trend h0 + vτ + aτ²: h = trend(c), v + 2aτ, 2a; a linear map T.
  const tau = 1 / TIME_SCALE;
  const T = [
    [1, tau, tau * tau],
    [0, 1, 2 * tau],
    [0, 0, 2],
  ];
  const x0 = T.map((row) => row.reduce((s, t, j) => s + t * priorMean[j]!, 0));
  const TP = T.map((row) => [0, 1, 2].map((k) => row.reduce((s, t, j) => s + t * priorCov[j]![k]!, 0)));
  const P0 = TP.map((row) => [0, 1, 2].map((k) => row.reduce((s, t, j) => s + t * T[k]![j]!, 0)));
  return { x0, P0 };
}

/**
 * The state-space model of an engine's HI from cycle 1: x = (h, v, a), x' = F x + w with w on the
 * acceleration only (variance q per cycle), z = h + e (variance r).
 */
export function stateSpace(
  model: Pick<DegradationModel, 'priorMean' | 'priorCov'>,
  q: number,
  r: number,
): KalmanFilterOptions {
  const { x0, P0 } = localPrior(model.priorMean, model.priorCov);
  return {
    x0,
    P0,
    F: TRANSITION.map((row) => [...row]),
    Q: [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, q],
    ],
    H: [[1, 0, 0]],
    R: [[r]],
  };
}

/**
 * An engine's twin kept in step with its readings: a Kalman filter of its local state (h, v, a),
 * at cycle 1 before the first reading.
 */
export class EngineTwin {
  readonly filter: KalmanFilter;
  /** Cycles assimilated so far (the present cycle). */
  cycle = 0;
  /** The log-likelihood of the readings so far. */
  logLikelihood = 0;

  constructor(model: Pick<DegradationModel, 'priorMean' | 'priorCov' | 'noiseVar' | 'processVar'>) {
    this.filter = new KalmanFilter(stateSpace(model, model.processVar, model.noiseVar));
  }

  /** Feeds the HI of the next cycle (`null` when the cycle is missing: the estimate only widens). */
  assimilate(health: number | null): void {
    if (this.cycle > 0) this.filter.predict(1);
    this.cycle++;
    const result = this.filter.update(health === null ? null : [health]);
    if (result.kind === 'measurement') this.logLikelihood += result.logLikelihood;
  }
}

/** Calibrates the degradation twin from run-to-failure engines. */
export function calibrateTwin(
  train: readonly Engine[],
  settings: TwinSettings = DEFAULT_SETTINGS,
): DegradationModel {
  const hi = fitHealthIndicator(train, settings);
  const fits: DegradationModel['fits'] = [];
  const failure: number[] = [];
  const variances: number[] = [];
  for (const e of train) {
    const health = healthSeries(hi, e);
    const { params, residualVariance } = fitEngine(e.cycles, health);
    variances.push(residualVariance);
    fits.push({ unit: e.unit, life: e.cycles.length, params });
    failure.push(trend(params, e.cycles.length));
  }
  const { mean: priorMean, cov: priorCov } = meanCov(fits.map((f) => f.params));
  const fm = failure.reduce((s, v) => s + v, 0) / failure.length;
  const fsd = Math.sqrt(failure.reduce((s, v) => s + (v - fm) ** 2, 0) / (failure.length - 1));
  // The reading noise variance r: maximum likelihood of each engine's Kalman filter from the
  // population prior (calibrate's likelihood objective), on every `noiseEvery`-th training engine;
  // the model takes the median. The trend's parameters are constant (process variance q = 0 unless
  // `settings.processVar` says otherwise: a random-walk acceleration fitted by maximum likelihood
  // made the cross-validated forecasts worse, see the README).
  const q = settings.processVar ?? 0;
  const rs: number[] = [];
  for (let i = 0; i < train.length; i += settings.noiseEvery) {
    const fit = calibrate({
      stateSpace: ({ r }) => stateSpace({ priorMean, priorCov }, q, r!),
      data: healthSeries(hi, train[i]!),
      params: { r: { initial: 0.005, low: 0, high: 1 } },
      uncertainty: 'none',
    });
    rs.push(fit.estimates.r!);
  }
  // The residuals around each engine's trend are autocorrelated: n readings hold as much
  // information on the trend as n / tau independent ones, tau = 1 + 2 Σ rho_k the integrated
  // autocorrelation time. The filter's reading variance is inflated by tau so that its posterior is
  // not overconfident.
  const residuals = train.map((e, i) => {
    const health = healthSeries(hi, e);
    return health.map((h, k) => h - trend(fits[i]!.params, e.cycles[k]!));
  });
  const rhoAt = (lag: number) => {
    let c0 = 0;
    let c = 0;
    for (const r of residuals)
      for (let k = 0; k < r.length; k++) {
        c0 += r[k]! * r[k]!;
        if (k >= lag) c += r[k]! * r[k - lag]!;
      }
    return c / c0;
  };
  // The integrated autocorrelation time 1 + 2 Σ rho_k, summed while rho_k stays positive.
  const rho = rhoAt(1);
  let tauInt = 1;
  for (let lag = 1; lag < 100; lag++) {
    const r = rhoAt(lag);
    if (r <= 0) break;
    tauInt += 2 * r;
  }
  const inflation = settings.noiseScale ?? tauInt;
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  return {
    hi,
    priorMean,
    priorCov,
    noiseVar: median(rs) * inflation,
    whiteNoiseVar: median(rs),
    residualAutocorrelation: rho,
    autocorrelationTime: tauInt,
    processVar: q,
    pooledResidualVar: pooledVariance(variances, train),
    threshold: { mean: fm, sd: fsd },
    fits,
  };
}

/** A forecast of an engine's remaining life at its last observed cycle. */
export interface LifeForecast {
  /** The median remaining life (cycles). */
  rul: number;
  lo90: number;
  hi90: number;
  /** Sampled remaining lives, sorted. */
  samples: Float64Array;
  /** The filter's posterior mean and covariance of the local state (h, v, a) at the present. */
  mean: number[];
  cov: number[][];
}

function cholesky(A: readonly number[][]): number[][] {
  const n = A.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-18)) : s / L[j]![j]!;
    }
  return L;
}

/** The q-quantile of sorted samples (linear interpolation between order statistics). */
export function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - f) + sorted[i + 1]! * f : sorted[i]!;
}

/**
 * Synchronizes a filter with an engine's HI readings and forecasts its failure by Monte Carlo over
 * the posterior (h0, v, a) and the threshold. `seed` fixes the random numbers: every engine uses the
 * same draws (common random numbers), so differences between engines are not sampling noise.
 */
export function forecastLife(
  model: DegradationModel,
  health: readonly (number | null)[],
  settings: TwinSettings = DEFAULT_SETTINGS,
  seed = 19,
): LifeForecast {
  const twin = new EngineTwin(model);
  for (const h of health) twin.assimilate(h);
  return forecastTwin(model, twin, settings, seed);
}

/**
 * Forecasts the failure of a synchronized twin: Monte Carlo over its posterior state, the
 * acceleration's process noise and the failure threshold; each sample runs the state forward cycle
 * by cycle until the health reaches the threshold (or the horizon). The same `seed` for every engine
 * gives them the same random numbers (common random numbers).
 */
export function forecastTwin(
  model: DegradationModel,
  twin: EngineTwin,
  settings: TwinSettings = DEFAULT_SETTINGS,
  seed = 19,
): LifeForecast {
  const mean = twin.filter.x;
  const cov = twin.filter.P;
  const L = cholesky(cov);
  const rng = new RandomStream({ seed, name: 'turbofan/forecast', replication: 0, forkPath: '' });
  const samples = new Float64Array(settings.samples);
  const sq = Math.sqrt(model.processVar);
  for (let s = 0; s < settings.samples; s++) {
    const z0 = rng.normal(0, 1);
    const z1 = rng.normal(0, 1);
    const z2 = rng.normal(0, 1);
    let h = mean[0]! + L[0]![0]! * z0;
    let v = mean[1]! + L[1]![0]! * z0 + L[1]![1]! * z1;
    let a = mean[2]! + L[2]![0]! * z0 + L[2]![1]! * z1 + L[2]![2]! * z2;
    const thr = model.threshold.mean + model.threshold.sd * rng.normal(0, 1);
    let k = 0;
    while (h > thr && k < settings.horizon) {
      h += v * D + (a * D * D) / 2;
      v += a * D;
      a += sq * rng.normal(0, 1);
      k++;
    }
    samples[s] = k;
  }
  samples.sort();
  return {
    rul: quantile(samples, 0.5),
    lo90: quantile(samples, 0.05),
    hi90: quantile(samples, 0.95),
    samples,
    mean,
    cov,
  };
}
