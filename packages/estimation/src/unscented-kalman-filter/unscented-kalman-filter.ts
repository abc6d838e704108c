import { invalidArgument, rejectUnknownKeys, requirePositive } from '@twinkit/core/internal';
import type {
  MeasurementFunction,
  TransitionFunction,
} from '../extended-kalman-filter/extended-kalman-filter';
import {
  DEFAULT_SENSOR,
  GaussianFilter,
  NO_UPDATE_OPTIONS,
  readCovariance,
  UPDATE_OPTION_KEYS,
  type UpdateOptions,
  type UpdateResult,
} from '../gaussian-filter/gaussian-filter';
import {
  compileFunctionSensor,
  type FunctionSensor,
  lookupSensor,
  outputLengthChanged,
  registerSensors,
} from '../internal/sensors';
import { notPositiveDefinite } from '../linear-algebra/dense';
import { type MatrixLike, readVector, type VectorLike } from '../linear-algebra/matrix-like';
import { MerweScaledSigmaPoints, type SigmaPointScheme, symmetricSigmaPoints } from './sigma-points';

/** A sensor of the unscented filter: z = h(x) + v, v ~ N(0, R). */
export interface UnscentedSensor {
  /** Measurement function. */
  h: MeasurementFunction;
  /** Measurement noise covariance, positive definite. */
  R: MatrixLike;
}

/** Options of {@link UnscentedKalmanFilter}. */
export interface UnscentedKalmanFilterOptions {
  /** Initial state estimate. */
  x0: VectorLike;
  /** Initial state covariance. */
  P0: MatrixLike;
  /** State transition x' = f(x, dt, u), applied to every sigma point. */
  f: TransitionFunction;
  /** Process noise covariance, or a function of the time step. */
  Q: MatrixLike | ((dt: number) => MatrixLike);
  /** Measurement function of the default sensor. */
  h?: MeasurementFunction;
  /** Measurement noise covariance of the default sensor. */
  R?: MatrixLike;
  /** Further named sensors; update with `{ sensor: name }`. */
  sensors?: Record<string, UnscentedSensor>;
  /** Sigma points: {@link MerweScaledSigmaPoints} (default, alpha 1, beta 2, kappa 0) or {@link JulierSigmaPoints}. */
  sigmaPoints?: SigmaPointScheme;
  /** Time step used when `predict()` is called without one; default 1. */
  dt?: number;
}

const UKF_OPTION_KEYS: readonly string[] = ['x0', 'P0', 'f', 'Q', 'h', 'R', 'sensors', 'sigmaPoints', 'dt'];

/**
 * Estimates the state of a nonlinear model by pushing sigma points through f and h (no Jacobians).
 * Predict propagates the posterior's sigma points and adds Q; update draws fresh sigma points from the
 * prior, and P = P − K S Kᵀ.
 *
 * @example
 * ```ts
 * const ukf = new UnscentedKalmanFilter({
 *   x0: [0.3, 0], P0: [[0.1, 0], [0, 0.1]], dt: 0.05,
 *   f: ([th, om], dt) => [th + om * dt, om - 9.81 * Math.sin(th) * dt],
 *   Q: [[1.6e-8, 6.3e-7], [6.3e-7, 2.5e-5]],
 *   h: ([th]) => [Math.sin(th)], R: [[0.01]],
 *   sigmaPoints: new MerweScaledSigmaPoints({ alpha: 0.1, beta: 2, kappa: 1 }),
 * });
 * ukf.predict();
 * ukf.update([0.49]);
 * ```
 */
export class UnscentedKalmanFilter extends GaussianFilter {
  /** The sigma-point scheme in use. */
  readonly sigmaPoints: SigmaPointScheme;
  private readonly f: TransitionFunction;
  private readonly processNoise: MatrixLike | ((dt: number) => MatrixLike);
  private readonly Q: Float64Array;
  private readonly defaultDt: number;
  private readonly sensors: ReadonlyMap<string, FunctionSensor>;
  private readonly Wm: Float64Array;
  private readonly Wc: Float64Array;
  private readonly spread: number;
  private readonly count: number;
  private readonly sigmas: Float64Array;
  private readonly propagated: Float64Array;
  private readonly work: Float64Array;
  private readonly lower: Float64Array;
  private readonly point: Float64Array;

  /** Creates a filter from its model and initial estimate. */
  constructor(options: UnscentedKalmanFilterOptions) {
    rejectUnknownKeys('UnscentedKalmanFilter(options)', options, UKF_OPTION_KEYS);
    super('UnscentedKalmanFilter', options?.x0, options?.P0);
    const api = 'UnscentedKalmanFilter(options)';
    const n = this.dimension;
    if (typeof options.f !== 'function')
      throw invalidArgument(api, 'f must be a function (x, dt, u) => x next', options.f);
    this.f = options.f;
    this.processNoise = options.Q;
    this.Q = new Float64Array(n * n);
    if (typeof options.Q !== 'function') readCovariance(api, 'Q', options.Q, n, false, this.Q);
    this.defaultDt = options.dt === undefined ? 1 : requirePositive(api, 'dt', options.dt);
    this.sigmaPoints = options.sigmaPoints ?? new MerweScaledSigmaPoints();
    const { Wm, Wc } = this.sigmaPoints.weights(n);
    this.Wm = Wm;
    this.Wc = Wc;
    this.spread = this.sigmaPoints.scale(n);
    this.count = this.sigmaPoints.count(n);
    if (this.count !== 2 * n + 1 || Wm.length !== this.count || Wc.length !== this.count) {
      throw invalidArgument(
        api,
        `sigmaPoints must describe 2n+1 = ${2 * n + 1} symmetric points`,
        this.count,
      );
    }
    this.sigmas = new Float64Array(this.count * n);
    this.propagated = new Float64Array(this.count * n);
    this.work = new Float64Array(n * n);
    this.lower = new Float64Array(n * n);
    this.point = new Float64Array(n);
    this.sensors = registerSensors(api, options, {
      keys: ['h', 'R'],
      defaultSensor: () => ({ h: options.h!, R: options.R! }),
      compile: (_name, sensor, label) =>
        compileFunctionSensor(api, label, sensor, new Float64Array(this.mean)),
    });
  }

  private drawSigmas(api: string, what: string): void {
    const ok = symmetricSigmaPoints(
      this.mean,
      this.covariance,
      this.dimension,
      this.spread,
      this.sigmas,
      this.work,
      this.lower,
    );
    if (!ok) throw notPositiveDefinite(api, what, this.stepCount, this.covariance, this.dimension);
  }

  /** Propagates the sigma points of the posterior through f and adds Q: the prior for the next update. */
  predict(dt?: number, u?: VectorLike): void {
    const n = this.dimension;
    const step = this.readDt(dt, this.defaultDt);
    const api = 'UnscentedKalmanFilter.predict(dt)';
    const input = u === undefined ? undefined : readVector(api, 'u', u);
    if (typeof this.processNoise === 'function')
      readCovariance(api, 'Q(dt)', this.processNoise(step), n, false, this.Q);
    this.drawSigmas(api, 'the posterior covariance P');
    for (let k = 0; k < this.count; k++) {
      this.point.set(this.sigmas.subarray(k * n, (k + 1) * n));
      const next = readVector(api, 'f(x, dt)', this.f(this.point, step, input), n);
      this.propagated.set(next, k * n);
    }
    weightedMean(this.propagated, this.Wm, this.count, n, this.mean);
    const P = this.covariance;
    P.set(this.Q);
    for (let k = 0; k < this.count; k++) {
      const w = this.Wc[k]!;
      for (let i = 0; i < n; i++) {
        const di = this.propagated[k * n + i]! - this.mean[i]!;
        for (let j = 0; j < n; j++)
          P[i * n + j] = P[i * n + j]! + w * di * (this.propagated[k * n + j]! - this.mean[j]!);
      }
    }
    this.finishPredict(step);
  }

  /** Corrects the estimate with measurement z of a sensor, or keeps the prior when z is null. */
  update(z: VectorLike | null, options: UpdateOptions = NO_UPDATE_OPTIONS): UpdateResult {
    if (options !== NO_UPDATE_OPTIONS) {
      rejectUnknownKeys('UnscentedKalmanFilter.update(z, options)', options, UPDATE_OPTION_KEYS);
    }
    const sensorName = options.sensor ?? DEFAULT_SENSOR;
    const api = 'UnscentedKalmanFilter.update(z)';
    const sensor = lookupSensor(api, this.sensors, sensorName);
    if (z === null) return this.missing(sensorName, options.truth);
    const n = this.dimension;
    const m = sensor.m;
    const s = this.scratchFor(m);
    this.readMeasurement(z, m, sensorName, s.z);
    if (options.R !== undefined) readCovariance(api, 'R', options.R, m, true, s.R);
    else s.R.set(sensor.R);
    this.drawSigmas(api, 'the prior covariance P');
    const Z = new Float64Array(this.count * m);
    for (let k = 0; k < this.count; k++) {
      this.point.set(this.sigmas.subarray(k * n, (k + 1) * n));
      const hx = sensor.h(this.point);
      if (hx?.length !== m) throw outputLengthChanged(api, 'h(x)', hx, m, sensorName, this.clock);
      Z.set(readVector(api, `h(x) of sensor '${sensorName}'`, hx, m), k * m);
    }
    weightedMean(Z, this.Wm, this.count, m, s.hx);
    s.S.set(s.R);
    s.PHt.fill(0);
    for (let k = 0; k < this.count; k++) {
      const w = this.Wc[k]!;
      for (let i = 0; i < m; i++) {
        const dz = Z[k * m + i]! - s.hx[i]!;
        for (let j = 0; j < m; j++) s.S[i * m + j] = s.S[i * m + j]! + w * dz * (Z[k * m + j]! - s.hx[j]!);
      }
      for (let i = 0; i < n; i++) {
        const dx = this.sigmas[k * n + i]! - this.mean[i]!;
        for (let j = 0; j < m; j++)
          s.PHt[i * m + j] = s.PHt[i * m + j]! + w * dx * (Z[k * m + j]! - s.hx[j]!);
      }
    }
    for (let i = 0; i < m; i++) s.y[i] = s.z[i]! - s.hx[i]!;
    return this.correct(s, sensorName, false, options.truth);
  }
}

function weightedMean(
  points: Float64Array,
  weights: Float64Array,
  count: number,
  dim: number,
  out: Float64Array,
): void {
  out.fill(0);
  for (let k = 0; k < count; k++) {
    const w = weights[k]!;
    for (let i = 0; i < dim; i++) out[i] = out[i]! + w * points[k * dim + i]!;
  }
}
