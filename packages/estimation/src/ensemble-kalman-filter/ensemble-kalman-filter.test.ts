import { describe, expect, it } from 'vitest';
import { cv, distance, kalmanRun, steps, testStream } from '../../test/support/cv1d';
import { EnsembleKalmanFilter } from './ensemble-kalman-filter';

describe('EnsembleKalmanFilter', () => {
  const reference = kalmanRun();

  function ensembleRun(members: number, seed: number) {
    const enkf = new EnsembleKalmanFilter({
      members,
      rng: testStream('enkf', seed),
      x0: cv.x0,
      P0: cv.P0,
      f: (x, dt) => [x[0]! + dt * x[1]!, x[1]!],
      Q: cv.Q,
      h: (x) => [x[0]!],
      R: cv.R,
      dt: cv.dt,
    });
    return steps.map((row) => {
      enkf.predict();
      enkf.update([row['z']!]);
      return enkf.estimate();
    });
  }

  it('converges to the Kalman posterior on the linear case as members grow', () => {
    const small = distance(ensembleRun(50, 1), reference);
    const large = distance(ensembleRun(5000, 1), reference);
    expect(large).toBeLessThan(small / 3);
    expect(large).toBeLessThan(0.05);
  });

  it('matches the Kalman posterior variance with a large ensemble', () => {
    const last = ensembleRun(5000, 2).at(-1)!;
    const ref = reference.at(-1)!;
    expect(last.P[0]![0]! / ref.P[0]![0]!).toBeGreaterThan(0.85);
    expect(last.P[0]![0]! / ref.P[0]![0]!).toBeLessThan(1.15);
  });
});
