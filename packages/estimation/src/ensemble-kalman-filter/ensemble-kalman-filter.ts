import { invalidArgument, rejectUnknownKeys, requireInteger, requirePositive } from '@twinkit/core/internal';
import type {
  MeasurementFunction,
  TransitionFunction,
} from '../extended-kalman-filter/extended-kalman-filter';
import {
  DEFAULT_SENSOR,
  type MeasurementUpdate,
  readCovariance,
  type UpdateOptions,
  type UpdateResult,
} from '../gaussian-filter/gaussian-filter';
import { requireRandomStream, SampleFilter } from '../internal/sample-filter';
import {
  compileFunctionSensor,
  type FunctionSensor,
  lookupSensor,
  outputLengthChanged,
  registerSensors,
} from '../internal/sensors';
import {
  cholesky,
  choleskySemidefinite,
  choleskySolveInPlace,
  logDetFromCholesky,
  mahalanobisFromCholesky,
  notPositiveDefinite,
  toRows,
} from '../linear-algebra/dense';
import { type MatrixLike, readVector, type VectorLike } from '../linear-algebra/matrix-like';
import { drawGaussian, type FilterRandom } from '../random-source/gaussian';

const LOG_2PI = Math.log(2 * Math.PI);

/** A sensor of the ensemble filter: z = h(x) + v, v ~ N(0, R). */
export interface EnsembleSensor {
  /** Measurement function. */
  h: MeasurementFunction;
  /** Measurement noise covariance, positive definite. */
  R: MatrixLike;
}

/** Options of {@link EnsembleKalmanFilter}. */
export interface EnsembleKalmanFilterOptions {
  /** Number of ensemble members (>= 2). */
  members: number;
  /** The stream the filter draws from (initial ensemble, process noise, perturbed observations). */
  rng: FilterRandom;
  /** Initial mean; the initial ensemble is drawn from N(x0, P0). */
  x0: VectorLike;
  /** Initial covariance. */
  P0: MatrixLike;
  /** State transition applied to every member. */
  f: TransitionFunction;
  /** Additive process noise covariance (or a function of dt), drawn for every member; none when omitted. */
  Q?: MatrixLike | ((dt: number) => MatrixLike);
  /** Measurement function of the default sensor. */
  h?: MeasurementFunction;
  /** Measurement noise covariance of the default sensor. */
  R?: MatrixLike;
  /** Further named sensors. */
  sensors?: Record<string, EnsembleSensor>;
  /** Time step used when `predict()` is called without one; default 1. */
  dt?: number;
}

const ENKF_OPTION_KEYS: readonly string[] = [
  'members',
  'rng',
  'x0',
  'P0',
  'f',
  'Q',
  'h',
  'R',
  'sensors',
  'dt',
];

interface CompiledEnsembleSensor extends FunctionSensor {
  L: Float64Array;
}

/**
 * Estimates the state of a large or nonlinear model with an ensemble of model runs (stochastic
 * EnKF with perturbed observations): the covariances come from the ensemble, the update is a Kalman
 * update of every member.
 *
 * @example
 * ```ts
 * const enkf = new EnsembleKalmanFilter({
 *   members: 500, rng: createStream({ seed: 3, name: 'enkf', replication: 0, forkPath: '' }),
 *   x0: [0, 0], P0: [[10, 0], [0, 10]],
 *   f: ([p, v], dt) => [p + v * dt, v], Q: [[1e-4, 0], [0, 1e-2]],
 *   h: ([p]) => [p], R: [[0.25]], dt: 0.1,
 * });
 * enkf.predict();
 * enkf.update([0.3]);
 * ```
 */
export class EnsembleKalmanFilter extends SampleFilter {
  /** Number of ensemble members. */
  readonly members: number;
  /** Number of state components. */
  readonly dimension: number;
  private readonly rng: FilterRandom;
  private readonly f: TransitionFunction;
  private readonly processNoise: MatrixLike | ((dt: number) => MatrixLike) | undefined;
  private readonly Q: Float64Array;
  private readonly LQ: Float64Array;
  private readonly ensemble: Float64Array;
  private readonly sensors: ReadonlyMap<string, CompiledEnsembleSensor>;
  private readonly defaultDt: number;
  private readonly point: Float64Array;
  private readonly noise: Float64Array;

  /** Creates the filter and draws its initial ensemble. */
  constructor(options: EnsembleKalmanFilterOptions) {
    super();
    const api = 'EnsembleKalmanFilter(options)';
    rejectUnknownKeys(api, options, ENKF_OPTION_KEYS);
    this.members = requireInteger(
      api,
      'members',
      options?.members,
      2,
      'Use at least 2 members (50 to 1000 in practice).',
    );
    requireRandomStream(api, options.rng, "sim.rng('enkf') or createStream({ ... })");
    if (typeof options.f !== 'function')
      throw invalidArgument(api, 'f must be a function (x, dt, u) => x next', options.f);
    this.rng = options.rng;
    this.f = options.f;
    const x0 = readVector(api, 'x0', options.x0);
    const n = x0.length;
    this.dimension = n;
    const P0 = readCovariance(api, 'P0', options.P0, n, false);
    this.defaultDt = options.dt === undefined ? 1 : requirePositive(api, 'dt', options.dt);
    this.processNoise = options.Q;
    this.Q = new Float64Array(n * n);
    this.LQ = new Float64Array(n * n);
    if (options.Q !== undefined && typeof options.Q !== 'function') {
      readCovariance(api, 'Q', options.Q, n, false, this.Q);
      choleskySemidefinite(this.Q, n, this.LQ);
    }
    this.point = new Float64Array(n);
    this.noise = new Float64Array(n);
    this.ensemble = new Float64Array(this.members * n);
    const L0 = new Float64Array(n * n);
    choleskySemidefinite(P0, n, L0);
    for (let k = 0; k < this.members; k++) {
      drawGaussian(this.rng, x0, L0, n, this.point, this.noise);
      this.ensemble.set(this.point, k * n);
    }
    this.sensors = registerSensors(api, options, {
      keys: ['h', 'R'],
      defaultSensor: () => ({ h: options.h!, R: options.R! }),
      compile: (_name, sensor, label) => {
        const compiled = compileFunctionSensor(api, label, sensor, this.ensemble.slice(0, n), 'h(x)');
        const L = new Float64Array(compiled.m * compiled.m);
        cholesky(compiled.R, compiled.m, L);
        return { ...compiled, L };
      },
    });
  }

  /** Returns copies of the members (one state per entry). */
  get ensembleMembers(): number[][] {
    return toRows(this.ensemble, this.members, this.dimension);
  }

  /** Returns the ensemble mean and the ensemble covariance (divisor N − 1). */
  estimate(): { x: number[]; P: number[][] } {
    const n = this.dimension;
    const N = this.members;
    const mean = new Float64Array(n);
    for (let k = 0; k < N; k++)
      for (let i = 0; i < n; i++) mean[i] = mean[i]! + this.ensemble[k * n + i]! / N;
    const P = new Float64Array(n * n);
    for (let k = 0; k < N; k++) {
      for (let i = 0; i < n; i++) {
        const di = this.ensemble[k * n + i]! - mean[i]!;
        for (let j = 0; j < n; j++)
          P[i * n + j] = P[i * n + j]! + (di * (this.ensemble[k * n + j]! - mean[j]!)) / (N - 1);
      }
    }
    return { x: Array.from(mean), P: toRows(P, n, n) };
  }

  /** Moves every member forward by dt and adds process noise drawn from Q(dt). */
  predict(dt?: number, u?: VectorLike): void {
    const api = 'EnsembleKalmanFilter.predict(dt)';
    const step = this.readStep(api, dt, this.defaultDt);
    const n = this.dimension;
    const input = u === undefined ? undefined : readVector(api, 'u', u);
    if (typeof this.processNoise === 'function') {
      readCovariance(api, 'Q(dt)', this.processNoise(step), n, false, this.Q);
      if (!choleskySemidefinite(this.Q, n, this.LQ))
        throw notPositiveDefinite(api, 'Q(dt)', this.stepCount + 1, this.Q, n);
    }
    const noisy = this.processNoise !== undefined;
    for (let k = 0; k < this.members; k++) {
      this.point.set(this.ensemble.subarray(k * n, (k + 1) * n));
      const next = readVector(api, 'f(x, dt)', this.f(this.point, step, input), n);
      if (noisy) {
        drawGaussian(this.rng, next, this.LQ, n, this.point, this.noise);
        this.ensemble.set(this.point, k * n);
      } else {
        this.ensemble.set(next, k * n);
      }
    }
    this.finishStep(step);
  }

  /** Corrects every member with measurement z (perturbed by draws from R), or keeps the ensemble when z is null. */
  update(z: VectorLike | null, options: Omit<UpdateOptions, 'truth'> = {}): UpdateResult {
    const api = 'EnsembleKalmanFilter.update(z)';
    rejectUnknownKeys('EnsembleKalmanFilter.update(z, options)', options, ['sensor', 'R']);
    const sensorName = options.sensor ?? DEFAULT_SENSOR;
    const sensor = lookupSensor(api, this.sensors, sensorName);
    if (z === null) return this.missing(sensorName);
    const m = sensor.m;
    const reading = this.readReading(api, z, m, sensorName);
    let R = sensor.R;
    let LR = sensor.L;
    if (options.R !== undefined) {
      R = readCovariance(api, 'R', options.R, m, true);
      LR = new Float64Array(m * m);
      cholesky(R, m, LR);
    }
    const n = this.dimension;
    const N = this.members;
    const HX = new Float64Array(N * m);
    const xMean = new Float64Array(n);
    const zMean = new Float64Array(m);
    for (let k = 0; k < N; k++) {
      this.point.set(this.ensemble.subarray(k * n, (k + 1) * n));
      const hx = sensor.h(this.point);
      if (hx?.length !== m) throw outputLengthChanged(api, 'h(x)', hx, m, sensorName, this.clock);
      HX.set(readVector(api, `h(x) of sensor '${sensorName}'`, hx, m), k * m);
      for (let i = 0; i < n; i++) xMean[i] = xMean[i]! + this.ensemble[k * n + i]! / N;
      for (let i = 0; i < m; i++) zMean[i] = zMean[i]! + HX[k * m + i]! / N;
    }
    const S = Float64Array.from(R);
    const Pxz = new Float64Array(n * m);
    for (let k = 0; k < N; k++) {
      for (let j = 0; j < m; j++) {
        const dz = (HX[k * m + j]! - zMean[j]!) / (N - 1);
        for (let i = 0; i < m; i++) S[i * m + j] = S[i * m + j]! + (HX[k * m + i]! - zMean[i]!) * dz;
        for (let i = 0; i < n; i++)
          Pxz[i * m + j] = Pxz[i * m + j]! + (this.ensemble[k * n + i]! - xMean[i]!) * dz;
      }
    }
    const L = new Float64Array(m * m);
    if (!cholesky(S, m, L))
      throw notPositiveDefinite(
        api,
        `the innovation covariance S of sensor '${sensorName}'`,
        this.stepCount,
        S,
        m,
      );
    const Kt = new Float64Array(m * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) Kt[j * n + i] = Pxz[i * m + j]!;
    choleskySolveInPlace(L, m, Kt, n);
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) y[i] = reading[i]! - zMean[i]!;
    const nis = mahalanobisFromCholesky(L, m, y, new Float64Array(m));
    const logLikelihood = -0.5 * (m * LOG_2PI + logDetFromCholesky(L, m) + nis);
    const perturbation = new Float64Array(m);
    const work = new Float64Array(m);
    const residual = new Float64Array(m);
    for (let k = 0; k < N; k++) {
      drawGaussian(this.rng, null, LR, m, perturbation, work);
      for (let j = 0; j < m; j++) residual[j] = reading[j]! + perturbation[j]! - HX[k * m + j]!;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < m; j++) v += Kt[j * n + i]! * residual[j]!;
        this.ensemble[k * n + i] = this.ensemble[k * n + i]! + v;
      }
    }
    const gain: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row: number[] = [];
      for (let j = 0; j < m; j++) row.push(Kt[j * n + i]!);
      gain.push(row);
    }
    const result: MeasurementUpdate = {
      kind: 'measurement',
      step: this.stepCount,
      time: this.clock,
      sensor: sensorName,
      innovation: Array.from(y),
      innovationCovariance: toRows(S, m, m),
      gain,
      nis,
      logLikelihood,
    };
    return result;
  }
}
