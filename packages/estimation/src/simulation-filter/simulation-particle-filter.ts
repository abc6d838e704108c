import { type Simulation, TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys, requireInteger } from '@twinkit/core/internal';
import { requireRandomStream } from '../internal/sample-filter';
import {
  compileLikelihoodSensor,
  type LikelihoodSensor,
  lookupSensor,
  readSampledMeasurement,
  registerSensors,
  requireSensorPair,
} from '../internal/sensors';
import { toRows } from '../linear-algebra/dense';
import { type MatrixLike, readVector, type VectorLike } from '../linear-algebra/matrix-like';
import type { ParticleUpdateResult } from '../particle-filter/particle-filter';
import {
  effectiveSampleSize,
  type ResamplingScheme,
  readResamplingOptions,
  resample,
} from '../particle-filter/resampling';
import type { FilterRandom } from '../random-source/gaussian';

/** A sensor of the simulation particle filter: Gaussian on a function of the state, or any log-likelihood. */
export type SimulationSensor<M> =
  | {
      /** Reads the predicted measurement from a particle (a fork of the simulation). */
      h: (sim: Simulation<M>) => VectorLike;
      /** Gaussian measurement-noise covariance. */
      R: MatrixLike;
    }
  | {
      /** Log-likelihood of measurement `z` given a particle (any noise model). */
      logLikelihood: (z: Float64Array, sim: Simulation<M>) => number;
    };

/** Options of {@link SimulationParticleFilter}. */
export interface SimulationParticleFilterOptions<M> {
  /** Number of particles (forks of the simulation), >= 2. */
  particles: number;
  /** The state-vector variables the estimate reports (mean and covariance over the particles). */
  states: readonly string[];
  /** The stream for initial spread and resampling (`sim.rng('pf')` of another simulation, or createStream). */
  rng: FilterRandom;
  /** Gaussian sensor of the default name: h reads the measured quantity from a particle. */
  h?: (sim: Simulation<M>) => VectorLike;
  /** Measurement noise covariance of the default sensor. */
  R?: MatrixLike;
  /** Further named sensors. */
  sensors?: Record<string, SimulationSensor<M>>;
  /**
   * Spreads the initial particles: returns the values of `states` to write into particle `index`
   * (the prior uncertainty). Without it, particles differ only by their random streams.
   */
  initial?: (rng: FilterRandom, index: number, current: Float64Array) => VectorLike;
  /** Resampling scheme; default `'systematic'`. */
  resampling?: ResamplingScheme;
  /** Resample when the effective sample size falls below this fraction of the particles; default 0.5. */
  resampleThreshold?: number;
  /** First replication index given to particle forks (each fork gets a fresh one); default 1_000_000. */
  replicationBase?: number;
}

const SIMULATION_PF_OPTION_KEYS: readonly string[] = [
  'particles',
  'states',
  'rng',
  'h',
  'R',
  'sensors',
  'initial',
  'resampling',
  'resampleThreshold',
  'replicationBase',
];

/**
 * Estimates the state of a whole (hybrid) simulation with particles that are forks of it: predict
 * advances every fork (its own random streams are the process noise), update weights them by the
 * likelihood of a reading and, when the effective sample size falls, resamples by forking the
 * surviving particles onto fresh random streams.
 *
 * @example
 * ```ts
 * const pf = new SimulationParticleFilter(live, {
 *   particles: 200, states: ['machine.health'], rng: createStream({ seed: 1, name: 'pf', replication: 0, forkPath: '' }),
 *   h: (sim) => [vibration(sim.state.get('machine.health'))], R: [[0.04]],
 * });
 * pf.advanceTo(reading.time);
 * pf.update([reading.value]);
 * pf.estimate().x;
 * ```
 */
export class SimulationParticleFilter<M = unknown> {
  /** The estimated variables. */
  readonly names: readonly string[];
  /** Number of particles. */
  readonly count: number;
  /** Resampling scheme. */
  readonly resampling: ResamplingScheme;
  /** Resampling threshold (fraction of the particles). */
  readonly resampleThreshold: number;
  private sims: Simulation<M>[];
  private readonly weights: Float64Array;
  private readonly logWeights: Float64Array;
  private readonly indices: Int32Array;
  private readonly rng: FilterRandom;
  private readonly sensors: ReadonlyMap<string, LikelihoodSensor<Simulation<M>>>;
  private nextReplication: number;
  private advances = 0;

  /** Creates the particles as forks of `sim` (which is left untouched). */
  constructor(sim: Simulation<M>, options: SimulationParticleFilterOptions<M>) {
    const api = 'SimulationParticleFilter(sim, options)';
    rejectUnknownKeys(api, options, SIMULATION_PF_OPTION_KEYS);
    this.count = requireInteger(
      api,
      'particles',
      options?.particles,
      2,
      'Use at least 2 particles (hundreds in practice).',
    );
    if (!Array.isArray(options.states) || options.states.length === 0) {
      throw invalidArgument(api, 'states must name at least one state-vector variable', options.states);
    }
    for (const name of options.states) {
      if (!sim.state.has(name))
        throw invalidArgument(api, 'every state must be defined in the state vector', name);
    }
    requireRandomStream(api, options.rng, "sim.rng('particles')");
    this.names = [...options.states];
    this.rng = options.rng;
    ({ resampling: this.resampling, resampleThreshold: this.resampleThreshold } = readResamplingOptions(
      api,
      options,
    ));
    this.nextReplication = requireInteger(api, 'replicationBase', options.replicationBase ?? 1_000_000, 0);
    requireSensorPair(api, options);
    this.sims = [];
    const current = sim.state.read(this.names);
    for (let i = 0; i < this.count; i++) {
      const particle = sim.fork({ replication: this.nextReplication++ });
      if (options.initial !== undefined) {
        const values = readVector(
          api,
          `initial(rng, ${i})`,
          options.initial(this.rng, i, Float64Array.from(current)),
          this.names.length,
        );
        particle.state.write(this.names, values);
      }
      this.sims.push(particle);
    }
    this.sensors = registerSensors(api, options, {
      keys: ['h', 'R', 'logLikelihood'],
      defaultSensor: () => ({ h: options.h!, R: options.R! }),
      compile: (name, sensor: SimulationSensor<M>, label) =>
        compileLikelihoodSensor(api, name, label, sensor, {
          updateApi: 'SimulationParticleFilter.update(z)',
          argument: 'sim',
          probe: this.sims[0]!,
          time: (sim) => sim.now,
          checkOutput: true,
        }),
    });
    this.weights = new Float64Array(this.count).fill(1 / this.count);
    this.logWeights = new Float64Array(this.count);
    this.indices = new Int32Array(this.count);
  }

  /** Returns the particles (forks). Read them; do not advance them yourself. */
  get particles(): readonly Simulation<M>[] {
    return this.sims;
  }

  /** Returns the number of advances (predict steps) taken. */
  get step(): number {
    return this.advances;
  }

  /** Returns the simulation time of the particles. */
  get time(): number {
    return this.sims[0]!.now;
  }

  /** Returns the effective sample size of the current weights. */
  get effectiveSampleSize(): number {
    return effectiveSampleSize(this.weights);
  }

  /** Returns the weighted mean and covariance of the estimated variables over the particles. */
  estimate(): { x: number[]; P: number[][] } {
    const n = this.names.length;
    const values = this.sims.map((s) => s.state.read(this.names));
    const mean = new Float64Array(n);
    values.forEach((v, k) => {
      for (let i = 0; i < n; i++) mean[i] = mean[i]! + this.weights[k]! * v[i]!;
    });
    const P = new Float64Array(n * n);
    values.forEach((v, k) => {
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          P[i * n + j] = P[i * n + j]! + this.weights[k]! * (v[i]! - mean[i]!) * (v[j]! - mean[j]!);
    });
    return { x: Array.from(mean), P: toRows(P, n, n) };
  }

  /** Advances every particle to time t (the time of the next reading). */
  advanceTo(t: number): void {
    if (!(Number.isFinite(t) && t >= this.time)) {
      throw invalidArgument(
        'SimulationParticleFilter.advanceTo(t)',
        `t must be a finite time >= the particles' time ${this.time}`,
        t,
      );
    }
    for (const sim of this.sims) sim.run({ until: t });
    this.advances++;
  }

  /** Advances every particle by dt. */
  predict(dt: number): void {
    this.advanceTo(this.time + dt);
  }

  /** Weights the particles by the likelihood of z (null keeps them) and resamples when the ESS falls below the threshold. */
  update(z: VectorLike | null, options: { sensor?: string } = {}): ParticleUpdateResult {
    const api = 'SimulationParticleFilter.update(z)';
    rejectUnknownKeys('SimulationParticleFilter.update(z, options)', options, ['sensor']);
    const sensorName = options.sensor ?? 'default';
    const sensor = lookupSensor(api, this.sensors, sensorName);
    const time = this.time;
    if (z === null) return { kind: 'missing', step: this.advances, time, sensor: sensorName };
    const measurement = readSampledMeasurement(api, z, sensor.m, sensorName, time, undefined);
    let maxLog = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < this.count; k++) {
      const ll = sensor.logLikelihood(measurement, this.sims[k]!);
      if (Number.isNaN(ll) || ll === Number.POSITIVE_INFINITY) {
        throw invalidArgument(api, `the log-likelihood of particle ${k} must be a number < Infinity`, ll);
      }
      this.logWeights[k] = Math.log(this.weights[k]!) + ll;
      if (this.logWeights[k]! > maxLog) maxLog = this.logWeights[k]!;
    }
    if (maxLog === Number.NEGATIVE_INFINITY) {
      throw new TwinkitError(
        `${api}: every particle has zero likelihood for the reading of sensor '${sensorName}' at time ${time}: the filter has lost track. Use more particles or a wider R.`,
        { code: 'NUMERIC', details: { sensor: sensorName, time } },
      );
    }
    let total = 0;
    for (let k = 0; k < this.count; k++) {
      this.weights[k] = Math.exp(this.logWeights[k]! - maxLog);
      total += this.weights[k]!;
    }
    for (let k = 0; k < this.count; k++) this.weights[k] = this.weights[k]! / total;
    const ess = effectiveSampleSize(this.weights);
    const resampled = ess < this.resampleThreshold * this.count;
    if (resampled) {
      resample(this.weights, this.resampling, this.rng, this.indices);
      // Each survivor continues as a fork on fresh random streams, so copies of one particle diverge.
      this.sims = Array.from(this.indices, (j) =>
        this.sims[j]!.fork({ replication: this.nextReplication++ }),
      );
      this.weights.fill(1 / this.count);
    }
    return {
      kind: 'measurement',
      step: this.advances,
      time,
      sensor: sensorName,
      logLikelihood: maxLog + Math.log(total),
      effectiveSampleSize: ess,
      resampled,
    };
  }
}
