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
import { readSensorNoise, registerSensors, sizeFromRows, unknownSensor } from '../internal/sensors';
import { mul, mulBt, mulVec } from '../linear-algebra/dense';
import { type MatrixLike, readMatrix, readVector, type VectorLike } from '../linear-algebra/matrix-like';

/** A linear sensor: z = H x + v, v ~ N(0, R). */
export interface LinearSensor {
  /** Measurement matrix (measurements x states). */
  H: MatrixLike;
  /** Measurement noise covariance (measurements x measurements), positive definite. */
  R: MatrixLike;
}

/** How the posterior covariance is computed. */
export type CovarianceUpdateForm = 'joseph' | 'simple';

/** Options of {@link KalmanFilter}. */
export interface KalmanFilterOptions {
  /** Initial state estimate. */
  x0: VectorLike;
  /** Initial state covariance (positive semidefinite). */
  P0: MatrixLike;
  /** State transition matrix, or a function of the time step for irregular sampling. */
  F: MatrixLike | ((dt: number) => MatrixLike);
  /** Process noise covariance, or a function of the time step. */
  Q: MatrixLike | ((dt: number) => MatrixLike);
  /** Measurement matrix of the default sensor. */
  H?: MatrixLike;
  /** Measurement noise covariance of the default sensor. */
  R?: MatrixLike;
  /** Further named sensors (several sensors at different rates); update with `{ sensor: name }`. */
  sensors?: Record<string, LinearSensor>;
  /** Control matrix (states x inputs), used when `predict` is given an input u. */
  B?: MatrixLike;
  /** Time step used when `predict()` is called without one; default 1. */
  dt?: number;
  /** Posterior covariance form: `'joseph'` (default, keeps P positive definite) or `'simple'` ((I − KH)P). */
  covarianceUpdate?: CovarianceUpdateForm;
}

/** Options of {@link KalmanFilter.update}. */
export interface KalmanUpdateOptions extends UpdateOptions {
  /** Replaces H for this update only. */
  H?: MatrixLike;
}

const KF_OPTION_KEYS: readonly string[] = [
  'x0',
  'P0',
  'F',
  'Q',
  'H',
  'R',
  'sensors',
  'B',
  'dt',
  'covarianceUpdate',
];
const KALMAN_UPDATE_OPTION_KEYS: readonly string[] = [...UPDATE_OPTION_KEYS, 'H'];

interface CompiledSensor {
  m: number;
  H: Float64Array;
  R: Float64Array;
}

/**
 * Estimates the state of a linear Gaussian state-space model, x' = F x + B u + w, z = H x + v.
 *
 * Updates use the Joseph form and symmetrize P; a covariance that stops being positive definite
 * raises a `TwinkitError` (code `'NUMERIC'`) instead of producing NaN. `update(null)` keeps the prior.
 *
 * @example
 * ```ts
 * const kf = new KalmanFilter({
 *   x0: [0, 0], P0: [[10, 0], [0, 10]],
 *   F: (dt) => [[1, dt], [0, 1]],
 *   Q: (dt) => [[dt ** 4 / 4, dt ** 3 / 2], [dt ** 3 / 2, dt ** 2]],
 *   H: [[1, 0]], R: [[0.25]],
 * });
 * kf.predict(0.1);
 * const result = kf.update([0.34]);
 * if (result.kind === 'measurement') console.log(kf.x, result.nis);
 * ```
 */
export class KalmanFilter extends GaussianFilter {
  private readonly transition: MatrixLike | ((dt: number) => MatrixLike);
  private readonly processNoise: MatrixLike | ((dt: number) => MatrixLike);
  private readonly F: Float64Array;
  private readonly Q: Float64Array;
  private readonly B: Float64Array | null;
  private readonly inputs: number;
  private readonly defaultDt: number;
  private readonly joseph: boolean;
  private readonly sensors: ReadonlyMap<string, CompiledSensor>;
  private readonly FP: Float64Array;
  private readonly xPrior: Float64Array;
  private readonly Bu: Float64Array;

  /** Creates a filter from its model and initial estimate. */
  constructor(options: KalmanFilterOptions) {
    rejectUnknownKeys('KalmanFilter(options)', options, KF_OPTION_KEYS);
    super('KalmanFilter', options?.x0, options?.P0);
    const api = 'KalmanFilter(options)';
    const n = this.dimension;
    this.defaultDt = options.dt === undefined ? 1 : requirePositive(api, 'dt', options.dt);
    this.transition = options.F;
    this.processNoise = options.Q;
    this.F = new Float64Array(n * n);
    this.Q = new Float64Array(n * n);
    if (typeof options.F !== 'function') readMatrix(api, 'F', options.F, n, n, this.F);
    if (typeof options.Q !== 'function') readCovariance(api, 'Q', options.Q, n, false, this.Q);
    if (options.B !== undefined) {
      const B = readMatrix(api, 'B', options.B, n);
      this.B = B.data;
      this.inputs = B.cols;
    } else {
      this.B = null;
      this.inputs = 0;
    }
    this.Bu = new Float64Array(n);
    this.joseph = (options.covarianceUpdate ?? 'joseph') === 'joseph';
    if (options.covarianceUpdate !== undefined && !['joseph', 'simple'].includes(options.covarianceUpdate)) {
      throw invalidArgument(api, "covarianceUpdate must be 'joseph' or 'simple'", options.covarianceUpdate);
    }
    this.sensors = registerSensors(api, options, {
      model: 'H',
      pairRemedy: 'Pass both H and R, or neither (then use sensors).',
      keys: ['H', 'R'],
      defaultSensor: () => ({ H: options.H!, R: options.R! }),
      compile: (_name, sensor, label) =>
        this.compileSensor(api, `${label}H`, `${label}R`, sensor?.H, sensor?.R),
    });
    this.FP = new Float64Array(n * n);
    this.xPrior = new Float64Array(n);
  }

  private compileSensor(api: string, hName: string, rName: string, H: unknown, R: unknown): CompiledSensor {
    const h = readMatrix(api, hName, H, undefined, this.dimension);
    const r = readSensorNoise(api, rName, R, h.rows, sizeFromRows(hName, h.rows));
    return { m: h.rows, H: h.data, R: r };
  }

  /**
   * Propagates the estimate by dt (default: the `dt` option): x = F x + B u, P = F P Fᵀ + Q.
   * F and Q are evaluated at dt when they are functions.
   */
  predict(dt?: number, u?: VectorLike): void {
    const n = this.dimension;
    const step = this.readDt(dt, this.defaultDt);
    const api = 'KalmanFilter.predict(dt)';
    if (typeof this.transition === 'function') readMatrix(api, 'F(dt)', this.transition(step), n, n, this.F);
    if (typeof this.processNoise === 'function')
      readCovariance(api, 'Q(dt)', this.processNoise(step), n, false, this.Q);
    mulVec(this.F, this.mean, n, n, this.xPrior);
    if (u !== undefined) {
      if (this.B === null)
        throw invalidArgument(
          'KalmanFilter.predict(dt, u)',
          'an input u needs the B option',
          u,
          'Pass B to the constructor.',
        );
      const input = readVector('KalmanFilter.predict(dt, u)', 'u', u, this.inputs);
      mulVec(this.B, input, n, this.inputs, this.Bu);
      for (let i = 0; i < n; i++) this.xPrior[i] = this.xPrior[i]! + this.Bu[i]!;
    }
    this.mean.set(this.xPrior);
    this.propagateCovariance(this.F, this.Q, this.FP);
    this.finishPredict(step, true);
  }

  /**
   * Corrects the estimate with measurement z of a sensor (default `'default'`), or keeps the prior
   * when z is null. Returns the innovation, its covariance, the gain, NIS and log-likelihood.
   */
  update(z: VectorLike | null, options: KalmanUpdateOptions = NO_UPDATE_OPTIONS): UpdateResult {
    if (options !== NO_UPDATE_OPTIONS) {
      rejectUnknownKeys('KalmanFilter.update(z, options)', options, KALMAN_UPDATE_OPTION_KEYS);
    }
    const sensorName = options.sensor ?? DEFAULT_SENSOR;
    const sensor = this.sensors.get(sensorName);
    const api = 'KalmanFilter.update(z)';
    if (sensor === undefined && (options.H === undefined || options.R === undefined)) {
      throw unknownSensor(
        api,
        'the sensor must be defined in the options (H and R, or sensors), or H and R given to this update',
        sensorName,
        this.sensors.keys(),
      );
    }
    if (z === null) return this.missing(sensorName, options.truth);
    const n = this.dimension;
    let m: number;
    if (options.H !== undefined) {
      m = readMatrix(api, 'H', options.H, undefined, n).rows;
    } else {
      m = sensor!.m;
    }
    const s = this.scratchFor(m);
    let H: Float64Array;
    if (options.H !== undefined) H = readMatrix(api, 'H', options.H, m, n, s.H).data;
    else H = sensor!.H;
    let R: Float64Array;
    if (options.R !== undefined && options.H !== undefined)
      R = readSensorNoise(api, 'R', options.R, m, sizeFromRows('H', m), s.R);
    else if (options.R !== undefined) R = readCovariance(api, 'R', options.R, m, true, s.R);
    else if (sensor !== undefined && sensor.m === m) R = sensor.R;
    else
      throw invalidArgument(api, `R must be given with an H of ${m} rows`, options.R, 'Pass R with this H.');
    this.readMeasurement(z, m, sensorName, s.z);
    mulVec(H, this.mean, m, n, s.hx);
    for (let i = 0; i < m; i++) s.y[i] = s.z[i]! - s.hx[i]!;
    mulBt(this.covariance, H, n, n, m, s.PHt);
    mul(H, s.PHt, m, n, m, s.S);
    for (let i = 0; i < m * m; i++) s.S[i] = s.S[i]! + R[i]!;
    return this.correct(s, sensorName, this.joseph, options.truth, H, R);
  }
}
