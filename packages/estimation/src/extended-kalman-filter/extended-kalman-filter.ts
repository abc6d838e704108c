import { invalidArgument, rejectUnknownKeys, requirePositive } from '@twinkit/core/internal';
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
  lookupSensor,
  outputLengthChanged,
  registerSensors,
} from '../internal/sensors';
import type { CovarianceUpdateForm } from '../kalman-filter/kalman-filter';
import { mul, mulBt, mulVec } from '../linear-algebra/dense';
import { type MatrixLike, readMatrix, readVector, type VectorLike } from '../linear-algebra/matrix-like';

/**
 * A state transition x' = f(x, dt, u). `x` is a scratch buffer valid only during the call: read it,
 * do not keep it.
 */
export type TransitionFunction = (x: Float64Array, dt: number, u?: Float64Array) => VectorLike;

/** A Jacobian ∂f/∂x of a transition at x, or ∂h/∂x of a measurement function. */
export type TransitionJacobian = (x: Float64Array, dt: number, u?: Float64Array) => MatrixLike;

/** A measurement function z = h(x). `x` is a scratch buffer valid only during the call. */
export type MeasurementFunction = (x: Float64Array) => VectorLike;

/** The Jacobian ∂h/∂x of a measurement function at x. */
export type MeasurementJacobian = (x: Float64Array) => MatrixLike;

/** A nonlinear sensor: z = h(x) + v, v ~ N(0, R), with an optional analytic Jacobian H(x). */
export interface NonlinearSensor {
  /** Measurement function. */
  h: MeasurementFunction;
  /** Jacobian of h; finite differences when omitted. */
  H?: MeasurementJacobian;
  /** Measurement noise covariance, positive definite. */
  R: MatrixLike;
}

/** Options of {@link ExtendedKalmanFilter}. */
export interface ExtendedKalmanFilterOptions {
  /** Initial state estimate. */
  x0: VectorLike;
  /** Initial state covariance. */
  P0: MatrixLike;
  /** State transition x' = f(x, dt, u); may be left out when F is a constant matrix (then x' = F x). */
  f?: TransitionFunction;
  /**
   * Jacobian of f at the previous posterior, or a constant matrix for linear dynamics (common in
   * tracking: linear motion, nonlinear sensors); central finite differences when omitted.
   */
  F?: TransitionJacobian | MatrixLike;
  /** Process noise covariance, or a function of the time step. */
  Q: MatrixLike | ((dt: number) => MatrixLike);
  /** Measurement function of the default sensor. */
  h?: MeasurementFunction;
  /** Jacobian of the default sensor's h at the prior; finite differences when omitted. */
  H?: MeasurementJacobian;
  /** Measurement noise covariance of the default sensor. */
  R?: MatrixLike;
  /** Further named sensors; update with `{ sensor: name }`. */
  sensors?: Record<string, NonlinearSensor>;
  /** Time step used when `predict()` is called without one; default 1. */
  dt?: number;
  /** Posterior covariance form: `'joseph'` (default) or `'simple'`. */
  covarianceUpdate?: CovarianceUpdateForm;
}

const EKF_OPTION_KEYS: readonly string[] = [
  'x0',
  'P0',
  'f',
  'F',
  'Q',
  'h',
  'H',
  'R',
  'sensors',
  'dt',
  'covarianceUpdate',
];

interface CompiledNonlinearSensor {
  m: number;
  hName: string;
  jacobianName: string;
  h: MeasurementFunction;
  H: MeasurementJacobian | undefined;
  R: Float64Array;
}

const FD_STEP = Math.cbrt(Number.EPSILON);

/**
 * Writes the central finite-difference Jacobian of `fn` at `x` (rows = outputs) into `out`.
 *
 * @internal
 */
export function finiteDifferenceJacobian(
  api: string,
  name: string,
  fn: (x: Float64Array) => VectorLike,
  x: Float64Array,
  rows: number,
  out: Float64Array,
): void {
  const n = x.length;
  const probe = new Float64Array(x);
  for (let j = 0; j < n; j++) {
    const step = FD_STEP * Math.max(1, Math.abs(x[j]!));
    probe[j] = x[j]! + step;
    const plus = readVector(api, `${name}(x + h·e${j})`, fn(probe), rows);
    probe[j] = x[j]! - step;
    const minus = readVector(api, `${name}(x − h·e${j})`, fn(probe), rows);
    probe[j] = x[j]!;
    for (let i = 0; i < rows; i++) out[i * n + j] = (plus[i]! - minus[i]!) / (2 * step);
  }
}

/**
 * Estimates the state of a nonlinear model x' = f(x) + w, z = h(x) + v by linearizing f at the
 * posterior and h at the prior (analytic Jacobians, or central finite differences when none are given).
 *
 * @example
 * ```ts
 * const g = 9.81, dt = 0.05;
 * const ekf = new ExtendedKalmanFilter({
 *   x0: [0.3, 0], P0: [[0.1, 0], [0, 0.1]], dt,
 *   f: ([theta, omega]) => [theta + omega * dt, omega - g * Math.sin(theta) * dt],
 *   F: ([theta]) => [[1, dt], [-g * Math.cos(theta) * dt, 1]],
 *   Q: [[1e-8, 6e-7], [6e-7, 2.5e-5]],
 *   h: ([theta]) => [Math.sin(theta)], H: ([theta]) => [[Math.cos(theta), 0]], R: [[0.01]],
 * });
 * ekf.predict();
 * ekf.update([0.49]);
 * ```
 */
export class ExtendedKalmanFilter extends GaussianFilter {
  private readonly f: TransitionFunction | undefined;
  private readonly jacobian: TransitionJacobian | undefined;
  private readonly constantF: boolean;
  private readonly processNoise: MatrixLike | ((dt: number) => MatrixLike);
  private readonly Q: Float64Array;
  private readonly F: Float64Array;
  private readonly FP: Float64Array;
  private readonly defaultDt: number;
  private readonly joseph: boolean;
  private readonly sensors: ReadonlyMap<string, CompiledNonlinearSensor>;
  private readonly xBuffer: Float64Array;

  /** Creates a filter from its model and initial estimate. */
  constructor(options: ExtendedKalmanFilterOptions) {
    rejectUnknownKeys('ExtendedKalmanFilter(options)', options, EKF_OPTION_KEYS);
    super('ExtendedKalmanFilter', options?.x0, options?.P0);
    const api = 'ExtendedKalmanFilter(options)';
    const n = this.dimension;
    this.constantF = options.F !== undefined && typeof options.F !== 'function';
    if (typeof options.f !== 'function' && !(options.f === undefined && this.constantF)) {
      throw invalidArgument(
        api,
        'f must be a function (x, dt, u) => x next (it may be left out only when F is a constant matrix)',
        options.f,
      );
    }
    this.f = options.f;
    this.jacobian = typeof options.F === 'function' ? options.F : undefined;
    this.processNoise = options.Q;
    this.Q = new Float64Array(n * n);
    if (typeof options.Q !== 'function') readCovariance(api, 'Q', options.Q, n, false, this.Q);
    this.F = new Float64Array(n * n);
    if (this.constantF) readMatrix(api, 'F', options.F, n, n, this.F);
    this.FP = new Float64Array(n * n);
    this.xBuffer = new Float64Array(n);
    this.defaultDt = options.dt === undefined ? 1 : requirePositive(api, 'dt', options.dt);
    this.joseph = (options.covarianceUpdate ?? 'joseph') === 'joseph';
    this.sensors = registerSensors(api, options, {
      keys: ['h', 'H', 'R'],
      defaultSensor: () => ({ h: options.h!, H: options.H, R: options.R! }),
      compile: (name, sensor: NonlinearSensor, label) => ({
        ...compileFunctionSensor(api, label, sensor, new Float64Array(this.mean)),
        hName: `h(x) of sensor '${name}'`,
        jacobianName: `H(x) of sensor '${name}'`,
        H: sensor.H,
      }),
    });
  }

  /** Propagates the estimate by dt: x = f(x, dt, u), P = F P Fᵀ + Q with F the Jacobian at the previous x. */
  predict(dt?: number, u?: VectorLike): void {
    const n = this.dimension;
    const step = this.readDt(dt, this.defaultDt);
    const api = 'ExtendedKalmanFilter.predict(dt)';
    const input = u === undefined ? undefined : readVector(api, 'u', u);
    const f = this.f;
    this.xBuffer.set(this.mean);
    if (this.jacobian !== undefined) {
      readMatrix(api, 'F(x, dt)', this.jacobian(this.xBuffer, step, input), n, n, this.F);
      this.xBuffer.set(this.mean);
    } else if (!this.constantF && f !== undefined) {
      finiteDifferenceJacobian(api, 'f', (x) => f(x, step, input), this.mean, n, this.F);
    }
    if (f !== undefined) {
      readVector(api, 'f(x, dt)', f(this.xBuffer, step, input), n, this.mean);
    } else {
      mulVec(this.F, this.xBuffer, n, n, this.mean);
    }
    if (typeof this.processNoise === 'function')
      readCovariance(api, 'Q(dt)', this.processNoise(step), n, false, this.Q);
    this.propagateCovariance(this.F, this.Q, this.FP);
    this.finishPredict(step, true);
  }

  /**
   * Corrects the estimate with measurement z of a sensor (H evaluated at the prior), or keeps the prior
   * when z is null.
   */
  update(z: VectorLike | null, options: UpdateOptions = NO_UPDATE_OPTIONS): UpdateResult {
    if (options !== NO_UPDATE_OPTIONS) {
      rejectUnknownKeys('ExtendedKalmanFilter.update(z, options)', options, UPDATE_OPTION_KEYS);
    }
    const sensorName = options.sensor ?? DEFAULT_SENSOR;
    const api = 'ExtendedKalmanFilter.update(z)';
    const sensor = lookupSensor(api, this.sensors, sensorName);
    if (z === null) return this.missing(sensorName, options.truth);
    const n = this.dimension;
    const m = sensor.m;
    const s = this.scratchFor(m);
    this.readMeasurement(z, m, sensorName, s.z);
    const R = options.R !== undefined ? readCovariance(api, 'R', options.R, m, true, s.R) : sensor.R;
    this.xBuffer.set(this.mean);
    const hx = sensor.h(this.xBuffer);
    if (hx?.length !== m) throw outputLengthChanged(api, 'h(x)', hx, m, sensorName, this.clock);
    readVector(api, sensor.hName, hx, m, s.hx);
    if (sensor.H !== undefined) {
      this.xBuffer.set(this.mean);
      readMatrix(api, sensor.jacobianName, sensor.H(this.xBuffer), m, n, s.H);
    } else {
      finiteDifferenceJacobian(api, 'h', sensor.h, this.mean, m, s.H);
    }
    for (let i = 0; i < m; i++) s.y[i] = s.z[i]! - s.hx[i]!;
    mulBt(this.covariance, s.H, n, n, m, s.PHt);
    mul(s.H, s.PHt, m, n, m, s.S);
    for (let i = 0; i < m * m; i++) s.S[i] = s.S[i]! + R[i]!;
    return this.correct(s, sensorName, this.joseph, options.truth, s.H, R);
  }
}
