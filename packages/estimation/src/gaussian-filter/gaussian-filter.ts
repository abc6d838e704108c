import { TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, requireFinite } from '@twinkit/core/internal';
import {
  cholesky,
  choleskySemidefinite,
  choleskySolveInPlace,
  logDetFromCholesky,
  mahalanobisFromCholesky,
  mul,
  mulBtSymmetric,
  notPositiveDefinite,
  symmetrize,
  toRows,
} from '../linear-algebra/dense';
import { type MatrixLike, readMatrix, readVector, type VectorLike } from '../linear-algebra/matrix-like';

const LOG_2PI = Math.log(2 * Math.PI);

/** The name of the sensor used when an update names none. */
export const DEFAULT_SENSOR = 'default';

/** Diagnostics of an update that had a measurement. */
export interface MeasurementUpdate {
  /** Discriminates a measurement update from a missing one. */
  readonly kind: 'measurement';
  /** Number of predict steps taken before this update. */
  readonly step: number;
  /** Filter time of the update (sum of the predict steps' dt). */
  readonly time: number;
  /** The sensor whose model (H or h, and R) was used. */
  readonly sensor: string;
  /** Innovation y = z − h(x⁻). */
  readonly innovation: number[];
  /** Innovation covariance S (R included). */
  readonly innovationCovariance: number[][];
  /** Kalman gain K (states x measurements); for particle filters an empty array. */
  readonly gain: number[][];
  /** Normalized innovation squared yᵀ S⁻¹ y; chi-square with `innovation.length` degrees of freedom when the filter is consistent. */
  readonly nis: number;
  /** Log-likelihood of the measurement, log N(y; 0, S). */
  readonly logLikelihood: number;
  /** Normalized estimation error squared of the posterior, when the update was given the truth. */
  readonly nees?: number;
}

/** Diagnostics of an update without a measurement (`update(null)`): the posterior is the prior. */
export interface MissingUpdate {
  /** Discriminates a missing update from a measurement update. */
  readonly kind: 'missing';
  /** Number of predict steps taken before this update. */
  readonly step: number;
  /** Filter time of the update. */
  readonly time: number;
  /** The sensor that had no reading. */
  readonly sensor: string;
  /** Normalized estimation error squared of the (unchanged) estimate, when the update was given the truth. */
  readonly nees?: number;
}

/** What an update returns: diagnostics of a measurement, or the record of a missing one. */
export type UpdateResult = MeasurementUpdate | MissingUpdate;

/** Options of one update call, shared by all Gaussian filters. */
export interface UpdateOptions {
  /** The sensor whose model to use (see the filter's `sensors` option); default `'default'`. */
  sensor?: string;
  /** Replaces R for this update only. */
  R?: MatrixLike;
  /** The true state, when known (simulation studies): the result then carries the NEES. */
  truth?: VectorLike;
}

/** The keys of {@link UpdateOptions}. @internal */
export const UPDATE_OPTION_KEYS: readonly string[] = ['sensor', 'R', 'truth'];

/** The options of an update called without options (shared: no allocation per update). @internal */
export const NO_UPDATE_OPTIONS: Readonly<UpdateOptions> = Object.freeze({});

/** A snapshot of a Gaussian estimate. */
export interface GaussianEstimate {
  /** Mean. */
  x: number[];
  /** Covariance. */
  P: number[][];
}

/** Reads a covariance matrix and checks that it is symmetric and positive (semi)definite. @internal */
export function readCovariance(
  api: string,
  name: string,
  value: unknown,
  n: number,
  strict: boolean,
  out?: Float64Array,
): Float64Array {
  const { data } = readMatrix(api, name, value, n, n, out);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = data[i * n + j]!;
      const b = data[j * n + i]!;
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))) {
        throw invalidArgument(
          api,
          `${name} must be symmetric, but ${name}[${i}][${j}] = ${a} and ${name}[${j}][${i}] = ${b}`,
          toRows(data, n, n),
          `Make ${name} symmetric, e.g. (A + Aᵀ)/2.`,
        );
      }
    }
  }
  symmetrize(data, n);
  const work = new Float64Array(n * n);
  const ok = strict ? cholesky(data, n, work) : choleskySemidefinite(data, n, work);
  if (!ok) {
    throw invalidArgument(
      api,
      `${name} must be positive ${strict ? 'definite' : 'semidefinite'}`,
      toRows(data, n, n),
      strict
        ? `Give ${name} positive variances on the diagonal and correlations within (-1, 1).`
        : `Give ${name} non-negative variances and correlations within [-1, 1].`,
    );
  }
  return data;
}

/** Per-measurement-size scratch buffers, allocated once. @internal */
export interface Scratch {
  m: number;
  z: Float64Array;
  hx: Float64Array;
  y: Float64Array;
  S: Float64Array;
  L: Float64Array;
  R: Float64Array;
  PHt: Float64Array;
  Kt: Float64Array;
  K: Float64Array;
  H: Float64Array;
  work: Float64Array;
}

/**
 * Holds what every Gaussian filter (KF, EKF, UKF) shares: the mean and covariance, time and step
 * counters, the named sensors, measurement checks, the gain and the diagnostics.
 *
 * A new Gaussian filter implements `predict` (and calls `finishPredict`) and `update`, computes
 * the innovation y, its covariance S (R included) and P Hᵀ (or the cross-covariance Pxz) into the
 * scratch buffers, and calls `correct` with the Joseph form or not; it then gets the gain, the
 * missing-measurement record, NIS, log-likelihood, NEES and the positive-definiteness checks for free.
 */
export abstract class GaussianFilter {
  /** Number of state components. */
  readonly dimension: number;
  /** @internal */
  protected readonly mean: Float64Array;
  /** @internal */
  protected readonly covariance: Float64Array;
  /** @internal */
  protected readonly api: string;
  /** `<Filter>.update(z)`, built once: a template string per update was a measurable cost. @internal */
  protected readonly updateApi: string;
  /** `<Filter>.predict(dt)`, built once. @internal */
  protected readonly predictApi: string;
  /** @internal */
  protected stepCount = 0;
  /** @internal */
  protected clock = 0;
  private readonly scratch = new Map<number, Scratch>();
  private readonly nn: Float64Array;
  private readonly nn2: Float64Array;
  private readonly nn3: Float64Array;

  /** @internal */
  protected constructor(api: string, x0: unknown, P0: unknown) {
    this.api = api;
    this.updateApi = `${api}.update(z)`;
    this.predictApi = `${api}.predict(dt)`;
    this.mean = readVector(`${api}(options)`, 'x0', x0);
    this.dimension = this.mean.length;
    this.covariance = readCovariance(`${api}(options)`, 'P0', P0, this.dimension, false);
    const n = this.dimension;
    this.nn = new Float64Array(n * n);
    this.nn2 = new Float64Array(n * n);
    this.nn3 = new Float64Array(n * n);
  }

  /** Returns a copy of the current state estimate (the mean). */
  get x(): number[] {
    return Array.from(this.mean);
  }

  /** Returns a copy of the current state covariance. */
  get P(): number[][] {
    return toRows(this.covariance, this.dimension, this.dimension);
  }

  /** Returns the number of predict steps taken. */
  get step(): number {
    return this.stepCount;
  }

  /** Returns the filter time: the sum of the dt of all predict steps. */
  get time(): number {
    return this.clock;
  }

  /** Returns a copy of the current mean and covariance. */
  estimate(): GaussianEstimate {
    return { x: this.x, P: this.P };
  }

  /** Replaces the estimate (e.g. to re-initialize after a detected divergence). */
  reset(x: VectorLike, P: MatrixLike): void {
    const api = `${this.api}.reset(x, P)`;
    const mean = readVector(api, 'x', x, this.dimension);
    const cov = readCovariance(api, 'P', P, this.dimension, false);
    this.mean.set(mean);
    this.covariance.set(cov);
  }

  /**
   * Returns the normalized estimation error squared (x − truth)ᵀ P⁻¹ (x − truth) of the current
   * estimate; chi-square with `dimension` degrees of freedom when the filter is consistent.
   */
  nees(truth: VectorLike): number {
    const n = this.dimension;
    const t = readVector(`${this.api}.nees(truth)`, 'truth', truth, n);
    const e = new Float64Array(n);
    for (let i = 0; i < n; i++) e[i] = this.mean[i]! - t[i]!;
    const L = new Float64Array(n * n);
    if (!cholesky(this.covariance, n, L)) {
      throw notPositiveDefinite(`${this.api}.nees(truth)`, 'P', this.stepCount, this.covariance, n);
    }
    return mahalanobisFromCholesky(L, n, e, new Float64Array(n));
  }

  /** Advances time by dt: the filter's prior for the next measurement. */
  abstract predict(dt?: number): void;

  /** @internal */
  protected scratchFor(m: number): Scratch {
    let s = this.scratch.get(m);
    if (s === undefined) {
      const n = this.dimension;
      s = {
        m,
        z: new Float64Array(m),
        hx: new Float64Array(m),
        y: new Float64Array(m),
        S: new Float64Array(m * m),
        L: new Float64Array(m * m),
        R: new Float64Array(m * m),
        PHt: new Float64Array(n * m),
        Kt: new Float64Array(m * n),
        K: new Float64Array(n * m),
        H: new Float64Array(m * n),
        work: new Float64Array(Math.max(m, n)),
      };
      this.scratch.set(m, s);
    }
    return s;
  }

  /** Checks a measurement (length and finiteness, naming time and sensor) into `out`. @internal */
  protected readMeasurement(z: unknown, m: number, sensor: string, out: Float64Array): void {
    const api = this.updateApi;
    if (!(Array.isArray(z) || z instanceof Float64Array)) {
      throw invalidArgument(
        api,
        `z must be an array of ${m} numbers, or null for a missing measurement (sensor '${sensor}', time ${this.clock})`,
        z,
        'Pass null when the sensor has no reading.',
      );
    }
    const arr = z as ArrayLike<unknown>;
    if (arr.length !== m) {
      throw new TwinkitError(
        `${api}: z must have length ${m} for sensor '${sensor}' (rows of its H/R), got length ${arr.length} ` +
          `(${formatValue(z)}) at time ${this.clock}. Give one value per measured component.`,
        { code: 'INVALID_ARGUMENT', details: { sensor, time: this.clock, expected: m, actual: arr.length } },
      );
    }
    for (let i = 0; i < m; i++) {
      const v = arr[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new TwinkitError(
          `${api}: measurement z[${i}] from sensor '${sensor}' at time ${this.clock} must be a finite number, ` +
            `got ${formatValue(v)}. Pass null for a missing reading instead of NaN; reject bad readings before the filter.`,
          { code: 'INVALID_ARGUMENT', details: { sensor, time: this.clock, index: i, value: v } },
        );
      }
      out[i] = v;
    }
  }

  /** Reads the dt of a predict call. @internal */
  protected readDt(dt: unknown, fallback: number): number {
    const value = dt === undefined ? fallback : dt;
    requireFinite(this.predictApi, 'dt', value);
    if ((value as number) < 0) {
      throw invalidArgument(
        `${this.api}.predict(dt)`,
        'dt must be >= 0',
        value,
        'Filters only move forward in time.',
      );
    }
    return value as number;
  }

  /**
   * Propagates the covariance through a linear(ized) transition, P = F P Fᵀ + Q (`FP` is an n×n
   * scratch), keeping P exactly symmetric. @internal
   */
  protected propagateCovariance(F: Float64Array, Q: Float64Array, FP: Float64Array): void {
    const n = this.dimension;
    mul(F, this.covariance, n, n, n, FP);
    mulBtSymmetric(FP, F, n, n, this.covariance);
    for (let i = 0; i < n * n; i++) this.covariance[i] = this.covariance[i]! + Q[i]!;
  }

  /** Records the end of a predict step and checks the prior covariance (`symmetric`: P is exactly symmetric already). @internal */
  protected finishPredict(dt: number, symmetric = false): void {
    const n = this.dimension;
    if (!symmetric) symmetrize(this.covariance, n);
    for (let i = 0; i < n; i++) {
      const d = this.covariance[i * n + i]!;
      if (!(d >= 0) || !Number.isFinite(d) || !Number.isFinite(this.mean[i]!)) {
        throw notPositiveDefinite(
          `${this.api}.predict(dt)`,
          'the prior covariance P',
          this.stepCount + 1,
          this.covariance,
          n,
        );
      }
    }
    this.stepCount++;
    this.clock += dt;
  }

  /** Returns the record of an update without a measurement. @internal */
  protected missing(sensor: string, truth: VectorLike | undefined): MissingUpdate {
    const result: MissingUpdate = { kind: 'missing', step: this.stepCount, time: this.clock, sensor };
    return truth === undefined ? result : { ...result, nees: this.nees(truth) };
  }

  /**
   * Completes an update given y, S (R included) and P Hᵀ (or Pxz) in `s`: factors S, computes the gain,
   * corrects the mean, and updates P either in Joseph form (when `joseph` is true, using `s.H` and `s.R`)
   * or as P − K S Kᵀ. @internal
   */
  protected correct(
    s: Scratch,
    sensor: string,
    joseph: boolean,
    truth: VectorLike | undefined,
    H: Float64Array = s.H,
    R: Float64Array = s.R,
  ): MeasurementUpdate {
    const n = this.dimension;
    const m = s.m;
    const api = this.updateApi;
    symmetrize(s.S, m);
    if (!cholesky(s.S, m, s.L)) {
      throw notPositiveDefinite(
        api,
        `the innovation covariance S of sensor '${sensor}'`,
        this.stepCount,
        s.S,
        m,
      );
    }
    // Kᵀ = S⁻¹ (P Hᵀ)ᵀ, solved with the Cholesky factor rather than forming S⁻¹.
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) s.Kt[j * n + i] = s.PHt[i * m + j]!;
    choleskySolveInPlace(s.L, m, s.Kt, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) s.K[i * m + j] = s.Kt[j * n + i]!;
    const nis = mahalanobisFromCholesky(s.L, m, s.y, s.work);
    const logLikelihood = -0.5 * (m * LOG_2PI + logDetFromCholesky(s.L, m) + nis);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < m; j++) v += s.K[i * m + j]! * s.y[j]!;
      this.mean[i] = this.mean[i]! + v;
    }
    const P = this.covariance;
    if (joseph) {
      // P = (I − K H) P (I − K H)ᵀ + K R Kᵀ
      const A = this.nn;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let v = i === j ? 1 : 0;
          for (let p = 0; p < m; p++) v -= s.K[i * m + p]! * H[p * n + j]!;
          A[i * n + j] = v;
        }
      }
      mul(A, P, n, n, n, this.nn2);
      mulBtSymmetric(this.nn2, A, n, n, P);
      mul(s.K, R, n, m, m, s.PHt);
      mulBtSymmetric(s.PHt, s.K, n, m, this.nn3);
      for (let i = 0; i < n * n; i++) P[i] = P[i]! + this.nn3[i]!;
    } else {
      // P = P − K S Kᵀ
      mul(s.K, s.S, n, m, m, s.PHt);
      mulBtSymmetric(s.PHt, s.K, n, m, this.nn3);
      for (let i = 0; i < n * n; i++) P[i] = P[i]! - this.nn3[i]!;
    }
    // The Joseph form is a sum of two positive semidefinite forms, exactly symmetric as computed: it
    // can only fail by overflow or NaN, which the diagonal shows, so an O(n) check suffices (a full
    // Cholesky here cost ~8% of a 4-state step). P − K S Kᵀ can lose positivity: check it fully.
    if (joseph) {
      for (let i = 0; i < n; i++) {
        const d = P[i * n + i]!;
        if (!(d >= 0) || d === Number.POSITIVE_INFINITY) {
          throw notPositiveDefinite(api, 'the posterior covariance P', this.stepCount, P, n);
        }
      }
    } else {
      symmetrize(P, n);
      if (!choleskySemidefinite(P, n, this.nn2)) {
        throw notPositiveDefinite(api, 'the posterior covariance P', this.stepCount, P, n);
      }
    }
    return new MeasurementDiagnostics(
      this.stepCount,
      this.clock,
      sensor,
      s.y.slice(),
      s.S.slice(),
      s.K.slice(),
      m,
      nis,
      logLikelihood,
      truth === undefined ? undefined : this.nees(truth),
    );
  }
}

/**
 * A measurement update's diagnostics. The innovation, S and K are kept as typed-array copies and
 * turned into plain arrays only when read: most updates are never inspected, and building nested
 * arrays on every update cost a third of a 4-state Kalman step (see the estimation benchmark).
 */
class MeasurementDiagnostics implements MeasurementUpdate {
  readonly kind = 'measurement' as const;
  private rowsOfS: number[][] | undefined;
  private rowsOfK: number[][] | undefined;
  private innovationValues: number[] | undefined;

  constructor(
    readonly step: number,
    readonly time: number,
    readonly sensor: string,
    private readonly y: Float64Array,
    private readonly S: Float64Array,
    private readonly K: Float64Array,
    private readonly m: number,
    readonly nis: number,
    readonly logLikelihood: number,
    readonly nees: number | undefined,
  ) {}

  get innovation(): number[] {
    this.innovationValues ??= Array.from(this.y);
    return this.innovationValues;
  }

  get innovationCovariance(): number[][] {
    this.rowsOfS ??= toRows(this.S, this.m, this.m);
    return this.rowsOfS;
  }

  get gain(): number[][] {
    this.rowsOfK ??= toRows(this.K, this.K.length / this.m, this.m);
    return this.rowsOfK;
  }

  toJSON(): MeasurementUpdate {
    return {
      kind: this.kind,
      step: this.step,
      time: this.time,
      sensor: this.sensor,
      innovation: this.innovation,
      innovationCovariance: this.innovationCovariance,
      gain: this.gain,
      nis: this.nis,
      logLikelihood: this.logLikelihood,
      ...(this.nees === undefined ? {} : { nees: this.nees }),
    };
  }
}
