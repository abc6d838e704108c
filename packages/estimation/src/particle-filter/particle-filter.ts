import { TwinkitError } from '@twinkit/core';
import {
  formatValue,
  invalidArgument,
  rejectUnknownKeys,
  requireInteger,
  requirePositive,
} from '@twinkit/core/internal';
import type { MeasurementFunction } from '../extended-kalman-filter/extended-kalman-filter';
import { requireRandomStream, SampleFilter } from '../internal/sample-filter';
import {
  compileLikelihoodSensor,
  type LikelihoodSensor,
  lookupSensor,
  registerSensors,
} from '../internal/sensors';
import { cholesky, mahalanobisFromCholesky, toRows } from '../linear-algebra/dense';
import { type MatrixLike, readVector, type VectorLike } from '../linear-algebra/matrix-like';
import type { FilterRandom } from '../random-source/gaussian';
import { effectiveSampleSize, type ResamplingScheme, readResamplingOptions, resample } from './resampling';

/**
 * Moves one particle forward by dt, drawing its process noise from `rng`. `x` is a scratch copy of
 * the particle: mutate and return it, or return a new vector.
 */
export type ParticleTransition = (
  x: Float64Array,
  dt: number,
  rng: FilterRandom,
  u?: Float64Array,
) => VectorLike;

/** A particle-filter sensor: Gaussian (`h` and `R`) or any log-likelihood log p(z | x). */
export type ParticleSensor =
  | {
      /** Maps a particle's state to the predicted measurement. */
      h: MeasurementFunction;
      /** Gaussian measurement-noise covariance. */
      R: MatrixLike;
    }
  | {
      /** Log-likelihood of measurement `z` given a particle's state `x` (any noise model). */
      logLikelihood: (z: Float64Array, x: Float64Array) => number;
    };

/** Options of {@link ParticleFilter}. */
export interface ParticleFilterOptions {
  /** Number of particles (>= 2). */
  particles: number;
  /** The stream the filter draws from (`sim.rng('pf')` or `createStream(...)` of @twinkit/core). */
  rng: FilterRandom;
  /** Draws the initial particle `index`. */
  initial: (rng: FilterRandom, index: number) => VectorLike;
  /** Moves a particle forward, process noise included. */
  transition: ParticleTransition;
  /** Measurement function of the default Gaussian sensor. */
  h?: MeasurementFunction;
  /** Measurement noise covariance of the default Gaussian sensor. */
  R?: MatrixLike;
  /** Further named sensors. */
  sensors?: Record<string, ParticleSensor>;
  /** Resampling scheme; default `'systematic'`. */
  resampling?: ResamplingScheme;
  /** Resample when the effective sample size falls below this fraction of the particles; default 0.5. */
  resampleThreshold?: number;
  /** Time step used when `predict()` is called without one; default 1. */
  dt?: number;
}

/** Diagnostics of a particle-filter update with a measurement. */
export interface ParticleMeasurementUpdate {
  /** Discriminates a measurement update from a missing one. */
  readonly kind: 'measurement';
  /** Number of predict steps taken before this update. */
  readonly step: number;
  /** Filter time. */
  readonly time: number;
  /** The sensor used. */
  readonly sensor: string;
  /** Estimate of log p(z | earlier measurements): log Σ wᵢ p(z | xᵢ). */
  readonly logLikelihood: number;
  /** Effective sample size after weighting, before any resampling. */
  readonly effectiveSampleSize: number;
  /** Whether the particles were resampled. */
  readonly resampled: boolean;
  /** For Gaussian sensors: z minus the particle mean of h(x). */
  readonly innovation?: number[];
  /** For Gaussian sensors: the particle covariance of h(x) plus R. */
  readonly innovationCovariance?: number[][];
  /** For Gaussian sensors: yᵀ S⁻¹ y. */
  readonly nis?: number;
}

/** What {@link ParticleFilter.update} returns. */
export type ParticleUpdateResult =
  | ParticleMeasurementUpdate
  | { readonly kind: 'missing'; readonly step: number; readonly time: number; readonly sensor: string };

const PF_OPTION_KEYS: readonly string[] = [
  'particles',
  'rng',
  'initial',
  'transition',
  'h',
  'R',
  'sensors',
  'resampling',
  'resampleThreshold',
  'dt',
];

type CompiledParticleSensor = LikelihoodSensor<Float64Array>;

/**
 * Estimates the state of any model that can be simulated (nonlinear, non-Gaussian) with weighted
 * particles: predict moves every particle, update weights them by the measurement likelihood and
 * resamples when the effective sample size falls below the threshold.
 *
 * @example
 * ```ts
 * const rng = createStream({ seed: 1, name: 'pf', replication: 0, forkPath: '' });
 * const pf = new ParticleFilter({
 *   particles: 2000, rng,
 *   initial: (r) => [r.normal(0, 3)],
 *   transition: ([x], dt, r) => [x + r.normal(0, 0.1)],
 *   h: ([x]) => [x], R: [[0.25]],
 * });
 * pf.predict();
 * pf.update([1.2]);
 * pf.x; // weighted mean
 * ```
 */
export class ParticleFilter extends SampleFilter {
  /** Number of particles. */
  readonly count: number;
  /** Number of state components. */
  readonly dimension: number;
  /** Resampling scheme in use. */
  readonly resampling: ResamplingScheme;
  /** Fraction of the particles under which the effective sample size triggers resampling. */
  readonly resampleThreshold: number;
  private readonly rng: FilterRandom;
  private readonly transition: ParticleTransition;
  private states: Float64Array;
  private spare: Float64Array;
  private readonly weights: Float64Array;
  private readonly logWeights: Float64Array;
  private readonly indices: Int32Array;
  private readonly sensors: ReadonlyMap<string, CompiledParticleSensor>;
  private readonly defaultDt: number;
  private readonly scratch: Float64Array;

  /** Creates the filter and draws its initial particles. */
  constructor(options: ParticleFilterOptions) {
    super();
    const api = 'ParticleFilter(options)';
    rejectUnknownKeys(api, options, PF_OPTION_KEYS);
    this.count = requireInteger(
      api,
      'particles',
      options?.particles,
      2,
      'Use at least 2 particles (hundreds to thousands in practice).',
    );
    requireRandomStream(api, options.rng, "sim.rng('pf') or createStream({ ... })");
    if (typeof options.initial !== 'function')
      throw invalidArgument(api, 'initial must be a function (rng, index) => state', options.initial);
    if (typeof options.transition !== 'function')
      throw invalidArgument(api, 'transition must be a function (x, dt, rng) => state', options.transition);
    this.rng = options.rng;
    this.transition = options.transition;
    ({ resampling: this.resampling, resampleThreshold: this.resampleThreshold } = readResamplingOptions(
      api,
      options,
    ));
    this.defaultDt = options.dt === undefined ? 1 : requirePositive(api, 'dt', options.dt);
    const first = readVector(api, 'initial(rng, 0)', options.initial(this.rng, 0));
    this.dimension = first.length;
    const n = this.dimension;
    this.states = new Float64Array(this.count * n);
    this.spare = new Float64Array(this.count * n);
    this.states.set(first, 0);
    for (let i = 1; i < this.count; i++) {
      this.states.set(readVector(api, `initial(rng, ${i})`, options.initial(this.rng, i), n), i * n);
    }
    this.weights = new Float64Array(this.count).fill(1 / this.count);
    this.logWeights = new Float64Array(this.count);
    this.indices = new Int32Array(this.count);
    this.scratch = new Float64Array(n);
    this.sensors = registerSensors(api, options, {
      keys: ['h', 'R', 'logLikelihood'],
      defaultSensor: () => ({ h: options.h!, R: options.R! }),
      compile: (name, sensor: ParticleSensor, label) =>
        compileLikelihoodSensor<Float64Array>(api, name, label, sensor, {
          updateApi: 'ParticleFilter.update(z)',
          argument: 'x',
          probe: this.states.slice(0, n),
          time: () => this.clock,
          checkOutput: false,
        }),
    });
  }

  /** Returns copies of the particles (one state per entry). */
  get particles(): number[][] {
    return toRows(this.states, this.count, this.dimension);
  }

  /** Returns a copy of the normalized weights. */
  get particleWeights(): number[] {
    return Array.from(this.weights);
  }

  /** Returns the effective sample size of the current weights. */
  get effectiveSampleSize(): number {
    return effectiveSampleSize(this.weights);
  }

  /** Returns the weighted mean and covariance of the particles. */
  estimate(): { x: number[]; P: number[][] } {
    const n = this.dimension;
    const mean = new Float64Array(n);
    for (let k = 0; k < this.count; k++) {
      const w = this.weights[k]!;
      for (let i = 0; i < n; i++) mean[i] = mean[i]! + w * this.states[k * n + i]!;
    }
    const P = new Float64Array(n * n);
    for (let k = 0; k < this.count; k++) {
      const w = this.weights[k]!;
      for (let i = 0; i < n; i++) {
        const di = this.states[k * n + i]! - mean[i]!;
        for (let j = 0; j <= i; j++)
          P[i * n + j] = P[i * n + j]! + w * di * (this.states[k * n + j]! - mean[j]!);
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) P[j * n + i] = P[i * n + j]!;
    return { x: Array.from(mean), P: toRows(P, n, n) };
  }

  /** Moves every particle forward by dt (default: the `dt` option). */
  predict(dt?: number, u?: VectorLike): void {
    const api = 'ParticleFilter.predict(dt)';
    const step = this.readStep(api, dt, this.defaultDt);
    const input = u === undefined ? undefined : readVector(api, 'u', u);
    const n = this.dimension;
    for (let k = 0; k < this.count; k++) {
      this.scratch.set(this.states.subarray(k * n, (k + 1) * n));
      const next = this.transition(this.scratch, step, this.rng, input);
      if (next.length !== n) {
        throw invalidArgument(api, `transition must return ${n} values`, next, 'Return the full state.');
      }
      for (let i = 0; i < n; i++) {
        const v = next[i]!;
        if (!Number.isFinite(v)) {
          throw invalidArgument(
            api,
            `transition returned a non-finite value for particle ${k}, component ${i}`,
            v,
          );
        }
        this.states[k * n + i] = v;
      }
    }
    this.finishStep(step);
  }

  /**
   * Weights the particles by the likelihood of z (or keeps them when z is null) and resamples when
   * the effective sample size falls below `resampleThreshold · particles`.
   */
  update(z: VectorLike | null, options: { sensor?: string } = {}): ParticleUpdateResult {
    const api = 'ParticleFilter.update(z)';
    rejectUnknownKeys('ParticleFilter.update(z, options)', options, ['sensor']);
    const sensorName = options.sensor ?? 'default';
    const sensor = lookupSensor(api, this.sensors, sensorName);
    if (z === null) return this.missing(sensorName);
    const measurement = this.readReading(api, z, sensor.m, sensorName);
    const n = this.dimension;
    const diagnostics = sensor.h !== null ? this.gaussianDiagnostics(sensor, measurement) : {};
    let maxLog = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < this.count; k++) {
      this.scratch.set(this.states.subarray(k * n, (k + 1) * n));
      const ll = sensor.logLikelihood(measurement, this.scratch);
      if (Number.isNaN(ll) || ll === Number.POSITIVE_INFINITY) {
        throw invalidArgument(
          api,
          `the log-likelihood of particle ${k} must be a number < Infinity (or -Infinity for impossible)`,
          ll,
        );
      }
      this.logWeights[k] = Math.log(this.weights[k]!) + ll;
      if (this.logWeights[k]! > maxLog) maxLog = this.logWeights[k]!;
    }
    if (maxLog === Number.NEGATIVE_INFINITY) {
      throw new TwinkitError(
        `${api}: every particle has zero likelihood for measurement ${formatValue(Array.from(measurement))} from sensor '${sensorName}' at time ${this.clock}: the filter has lost track. ` +
          'Use more particles, more process noise, a wider R, or re-initialize the particles around the measurement.',
        { code: 'NUMERIC', details: { sensor: sensorName, time: this.clock } },
      );
    }
    let total = 0;
    for (let k = 0; k < this.count; k++) {
      const w = Math.exp(this.logWeights[k]! - maxLog);
      this.weights[k] = w;
      total += w;
    }
    for (let k = 0; k < this.count; k++) this.weights[k] = this.weights[k]! / total;
    const logLikelihood = maxLog + Math.log(total);
    const ess = effectiveSampleSize(this.weights);
    const resampled = ess < this.resampleThreshold * this.count;
    if (resampled) this.resampleNow();
    return {
      kind: 'measurement',
      step: this.stepCount,
      time: this.clock,
      sensor: sensorName,
      logLikelihood,
      effectiveSampleSize: ess,
      resampled,
      ...diagnostics,
    };
  }

  /** Resamples now, whatever the effective sample size, and resets the weights to 1/N. */
  resampleNow(): void {
    const n = this.dimension;
    resample(this.weights, this.resampling, this.rng, this.indices);
    for (let k = 0; k < this.count; k++) {
      const from = this.indices[k]!;
      this.spare.set(this.states.subarray(from * n, (from + 1) * n), k * n);
    }
    const swap = this.states;
    this.states = this.spare;
    this.spare = swap;
    this.weights.fill(1 / this.count);
  }

  private gaussianDiagnostics(
    sensor: CompiledParticleSensor,
    z: Float64Array,
  ): Pick<ParticleMeasurementUpdate, 'innovation' | 'innovationCovariance' | 'nis'> {
    const m = sensor.m;
    const n = this.dimension;
    const values = new Float64Array(this.count * m);
    const mean = new Float64Array(m);
    for (let k = 0; k < this.count; k++) {
      this.scratch.set(this.states.subarray(k * n, (k + 1) * n));
      const hx = sensor.h!(this.scratch);
      for (let i = 0; i < m; i++) {
        values[k * m + i] = hx[i]!;
        mean[i] = mean[i]! + this.weights[k]! * hx[i]!;
      }
    }
    const S = Float64Array.from(sensor.R!);
    for (let k = 0; k < this.count; k++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          S[i * m + j] =
            S[i * m + j]! +
            this.weights[k]! * (values[k * m + i]! - mean[i]!) * (values[k * m + j]! - mean[j]!);
        }
      }
    }
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) y[i] = z[i]! - mean[i]!;
    const L = new Float64Array(m * m);
    cholesky(S, m, L);
    return {
      innovation: Array.from(y),
      innovationCovariance: toRows(S, m, m),
      nis: mahalanobisFromCholesky(L, m, y, new Float64Array(m)),
    };
  }
}
