// Careless input as a new user would give it (issue 11): misspelt options of the estimation APIs are
// refused naming the API, the key and the closest option, and a measurement function whose output
// does not fit R is blamed for what it is (the mismatch of the two), not as a bad R.
import { defineModel } from '@twinkit/core';
import { createStream } from '@twinkit/core/internal';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../test-support/thrown';
import {
  batchMeans,
  ConsistencyMonitor,
  compareScenarios,
  EnsembleKalmanFilter,
  ExtendedKalmanFilter,
  JulierSigmaPoints,
  KalmanFilter,
  MerweScaledSigmaPoints,
  ParticleFilter,
  pairwiseComparisons,
  rtsSmooth,
  runReplications,
  SequentialStopper,
  SimulationParticleFilter,
  SimulationStateSpace,
  UnscentedKalmanFilter,
  welchWarmup,
} from './index';

const thrownInvalid = (fn: () => unknown) => thrown(fn, 'INVALID_ARGUMENT');

const rng = () => createStream({ seed: 1, name: 'careless', replication: 0, forkPath: '' });
const walk = ([x]: Float64Array) => [x!];
const common = { x0: [0], P0: [[1]], Q: [[0.01]] };

/** A model with one writable state variable, for the simulation filters. */
const level = defineModel(
  (sim) => {
    let value = 1;
    sim.state.define('tank.level', { get: () => value, set: (v) => (value = v) });
    sim.process(function* () {
      for (;;) yield sim.timeout(1);
    });
  },
  { name: 'level' },
);

describe('estimation options with a misspelt key', () => {
  it('are refused naming the API, the key, its value and the closest option', () => {
    expect(
      thrownInvalid(
        () => new KalmanFilter({ ...common, F: [[1]], H: [[1]], R: [[1]], covariance: 'simple' } as never),
      ).message,
    ).toBe(
      "KalmanFilter(options): unknown option 'covariance' (given \"simple\"); the options are 'x0', 'P0', 'F', 'Q', 'H', 'R', 'sensors', 'B', 'dt' and 'covarianceUpdate'. Did you mean 'covarianceUpdate'?",
    );
    const kf = new KalmanFilter({ ...common, F: [[1]], H: [[1]], R: [[1]] });
    const ekf = new ExtendedKalmanFilter({ ...common, f: walk, h: walk, R: [[1]] });
    const sim = level.create();
    const cases: [() => unknown, RegExp][] = [
      [
        () => new KalmanFilter({ ...common, F: [[1]], h: [[1]], R: [[1]] } as never),
        /^KalmanFilter\(options\): unknown option 'h'.*Did you mean 'H'\?$/,
      ],
      [
        () => kf.update([1], { sensors: 'a' } as never),
        /^KalmanFilter\.update\(z, options\): unknown option 'sensors' \(given "a"\).*Did you mean 'sensor'\?$/,
      ],
      [
        () => new ExtendedKalmanFilter({ ...common, f: walk, h: walk, R: [[1]], Dt: 1 } as never),
        /^ExtendedKalmanFilter\(options\): unknown option 'Dt'.*Did you mean 'dt'\?$/,
      ],
      [
        () => ekf.update([1], { thruth: [0] } as never),
        /^ExtendedKalmanFilter\.update\(z, options\): unknown option 'thruth'.*Did you mean 'truth'\?$/,
      ],
      [
        () =>
          new ExtendedKalmanFilter({ ...common, f: walk, sensors: { gps: { h: walk, r: [[1]] } } } as never),
        /^ExtendedKalmanFilter\(options\.sensors\.gps\): unknown option 'r'.*Did you mean 'R'\?$/,
      ],
      [
        () =>
          new UnscentedKalmanFilter({ ...common, f: walk, h: walk, R: [[1]], sigmapoints: null } as never),
        /^UnscentedKalmanFilter\(options\): unknown option 'sigmapoints'.*Did you mean 'sigmaPoints'\?$/,
      ],
      [
        () => new EnsembleKalmanFilter({ ...common, f: walk, rng: rng(), member: 10 } as never),
        /^EnsembleKalmanFilter\(options\): unknown option 'member'.*Did you mean 'members'\?$/,
      ],
      [
        () =>
          new ParticleFilter({
            particles: 10,
            rng: rng(),
            initial: () => [0],
            transition: walk,
            h: walk,
            R: [[1]],
            resample: 'multinomial',
          } as never),
        /^ParticleFilter\(options\): unknown option 'resample'.*Did you mean 'resampling'\?$/,
      ],
      [
        () => new MerweScaledSigmaPoints({ alfa: 0.1 } as never),
        /^MerweScaledSigmaPoints\(options\): unknown option 'alfa'.*Did you mean 'alpha'\?$/,
      ],
      [
        () => new JulierSigmaPoints({ kapa: 1 } as never),
        /^JulierSigmaPoints\(options\): unknown option 'kapa'.*Did you mean 'kappa'\?$/,
      ],
      [
        () => new ConsistencyMonitor({ windows: 5 } as never),
        /^ConsistencyMonitor\(options\): unknown option 'windows'.*Did you mean 'window'\?$/,
      ],
      [
        () => batchMeans([1, 2, 3, 4], { batch: 2 } as never),
        /^batchMeans\(series, options\): unknown option 'batch'.*Did you mean 'batches'\?$/,
      ],
      [
        () => welchWarmup([[1, 2, 3]], { tol: 0.1 } as never),
        /^welchWarmup\(replications, options\): unknown option 'tol'/,
      ],
      [
        () =>
          new SequentialStopper({
            relativePrecision: 0.1,
            maxReplications: 10,
            confidenceLevel: 0.9,
          } as never),
        /^SequentialStopper\(options\): unknown option 'confidenceLevel'.*Did you mean 'confidence'\?$/,
      ],
      [
        () => pairwiseComparisons({ a: [1, 2], b: [2, 3] }, { pair: true } as never),
        /^pairwiseComparisons\(samples, options\): unknown option 'pair'.*Did you mean 'paired'\?$/,
      ],
      [
        () => rtsSmooth({ means: [[0]], covariances: [[[1]]], F: [[1]], Q: [[1]], q: 1 } as never),
        /^rtsSmooth\(input\): unknown option 'q'.*Did you mean 'Q'\?$/,
      ],
      [
        () => new SimulationStateSpace(sim, { state: ['tank.level'] } as never),
        /^SimulationStateSpace\(sim, options\): unknown option 'state'.*Did you mean 'states'\?$/,
      ],
      [
        () =>
          new SimulationParticleFilter(sim, {
            particles: 2,
            states: ['tank.level'],
            rng: rng(),
            replicationbase: 5,
          } as never),
        /^SimulationParticleFilter\(sim, options\): unknown option 'replicationbase'.*Did you mean 'replicationBase'\?$/,
      ],
    ];
    for (const [call, message] of cases) expect(thrownInvalid(call).message).toMatch(message);
  });

  it('are refused by runReplications and compareScenarios before anything runs', async () => {
    const outputs = () => ({ one: 1 });
    await expect(runReplications(level, { replications: 2, outputs, untill: 5 } as never)).rejects.toThrow(
      /^runReplications\(model, options\): unknown option 'untill' \(given 5\).*Did you mean 'until'\?$/,
    );
    await expect(
      runReplications(level, {
        replications: 2,
        outputs,
        stopping: { output: 'one', precision: 0.1 },
      } as never),
    ).rejects.toThrow(
      /^runReplications\(model, \{ stopping \}\): unknown option 'precision'.*Did you mean 'relativePrecision'\?$/,
    );
    await expect(
      compareScenarios(level, {
        scenarios: { a: undefined, b: undefined },
        replications: 2,
        outputs,
        crn: false,
      } as never),
    ).rejects.toThrow(/^compareScenarios\(model, options\): unknown option 'crn'/);
    await expect(
      compareScenarios(level, {
        scenarios: { a: undefined, b: undefined },
        replications: 2,
        outputs,
        params: {},
      } as never),
    ).rejects.toThrow(/^compareScenarios\(model, options\): unknown option 'params' \(given \{\}\)/);
  });
});

describe('a measurement function whose output does not fit R', () => {
  const two = ([x]: Float64Array) => [x!, 2 * x!];

  it('is blamed on h and R together by the EKF, UKF, EnKF and particle filters', () => {
    expect(
      thrownInvalid(() => new ExtendedKalmanFilter({ ...common, f: walk, h: two, R: [[1]] })).message,
    ).toBe(
      'ExtendedKalmanFilter(options): h(x0) returned 2 values but R is 1x1 (R says the measurement has 1 component); make h return 1 value or give R 2x2.',
    );
    expect(() => new UnscentedKalmanFilter({ ...common, f: walk, h: two, R: [[1]] })).toThrow(
      'UnscentedKalmanFilter(options): h(x0) returned 2 values but R is 1x1 (R says the measurement has 1 component); make h return 1 value or give R 2x2.',
    );
    expect(
      () => new EnsembleKalmanFilter({ ...common, f: walk, rng: rng(), members: 5, h: two, R: [[1]] }),
    ).toThrow(
      /^EnsembleKalmanFilter\(options\): h\(x\) returned 2 values but R is 1x1 .*make h return 1 value or give R 2x2\.$/,
    );
    expect(
      () =>
        new ParticleFilter({
          particles: 5,
          rng: rng(),
          initial: () => [0],
          transition: walk,
          sensors: { gps: { h: two, R: [[1]] } },
        }),
    ).toThrow(
      /^ParticleFilter\(options\): h\(x\) of sensor 'gps' returned 2 values but sensors\.gps\.R is 1x1 .*make h return 1 value or give sensors\.gps\.R 2x2\.$/,
    );
    expect(
      () =>
        new ExtendedKalmanFilter({
          ...common,
          f: walk,
          sensors: {
            gps: {
              h: walk,
              R: [
                [1, 0],
                [0, 1],
              ],
            },
          },
        }),
    ).toThrow(
      /sensors\.gps\.h\(x0\) returned 1 value but sensors\.gps\.R is 2x2 \(sensors\.gps\.R says the measurement has 2 components\); make sensors\.gps\.h return 2 values or give sensors\.gps\.R 1x1\./,
    );
  });

  it('is blamed on H and R together by the Kalman filter, at construction and per update', () => {
    expect(() => new KalmanFilter({ ...common, F: [[1]], H: [[1], [2]], R: [[1]] })).toThrow(
      'KalmanFilter(options): H has 2 rows (2 measured components) but R is 1x1 (R says the measurement has 1 component); give H 1 row or give R 2x2.',
    );
    const kf = new KalmanFilter({ ...common, F: [[1]], H: [[1]], R: [[1]] });
    expect(() => kf.update([1, 2], { H: [[1], [1]], R: [[1]] })).toThrow(
      /^KalmanFilter\.update\(z\): H has 2 rows \(2 measured components\) but R is 1x1/,
    );
  });

  it('names h when its output changes length after the filter was made', () => {
    let extra = false;
    const shifty = ([x]: Float64Array) => (extra ? [x!, x!] : [x!]);
    const ekf = new ExtendedKalmanFilter({ ...common, f: walk, h: shifty, R: [[1]] });
    const ukf = new UnscentedKalmanFilter({ ...common, f: walk, h: shifty, R: [[1]] });
    const enkf = new EnsembleKalmanFilter({
      ...common,
      f: walk,
      rng: rng(),
      members: 5,
      h: shifty,
      R: [[1]],
    });
    const pf = new ParticleFilter({
      particles: 5,
      rng: rng(),
      initial: () => [0],
      transition: walk,
      h: shifty,
      R: [[1]],
    });
    extra = true;
    const message = (api: string) =>
      new RegExp(
        `^${api}\\.update\\(z\\): h\\(x\\) of sensor 'default' returned 2 values at time 0, but the sensor measures 1 component \\(its R is 1x1, sized by h's output when the filter was made\\); make h return 1 value for every state\\.$`,
      );
    expect(() => ekf.update([1])).toThrow(message('ExtendedKalmanFilter'));
    expect(() => ukf.update([1])).toThrow(message('UnscentedKalmanFilter'));
    expect(() => enkf.update([1])).toThrow(message('EnsembleKalmanFilter'));
    expect(() => pf.update([1])).toThrow(message('ParticleFilter'));
  });

  it('is blamed on h(sim) and R by the simulation particle filter', () => {
    const sim = level.create();
    const base = { particles: 2, states: ['tank.level'], rng: rng() };
    expect(() => new SimulationParticleFilter(sim, { ...base, h: () => [1, 2], R: [[1]] })).toThrow(
      /^SimulationParticleFilter\(sim, options\): h\(sim\) of sensor 'default' returned 2 values but R is 1x1 .*make h return 1 value or give R 2x2\.$/,
    );
  });
});
