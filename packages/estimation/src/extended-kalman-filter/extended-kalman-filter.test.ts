import { describe, expect, it } from 'vitest';
import { readCsvFixture } from '../../test/support/fixtures';
import {
  comparePendulum,
  pendulum,
  pendulumF,
  pendulumH,
  pendulumHJacobian,
  pendulumInputs,
  pendulumJacobian,
} from '../../test/support/pendulum';
import { KalmanFilter } from '../kalman-filter/kalman-filter';
import { ExtendedKalmanFilter } from './extended-kalman-filter';

describe('ExtendedKalmanFilter against FilterPy (pendulum)', () => {
  const expected = readCsvFixture('filterpy/ekf_pendulum_outputs.csv');

  it('reproduces all 200 steps within 1e-9/1e-8 with analytic Jacobians', () => {
    const ekf = new ExtendedKalmanFilter({
      x0: pendulum.x0,
      P0: pendulum.P0,
      dt: pendulum.dt,
      f: pendulumF,
      F: pendulumJacobian,
      Q: pendulum.Q,
      h: pendulumH,
      H: pendulumHJacobian,
      R: pendulum.R,
    });
    expect(pendulumInputs).toHaveLength(pendulum.N);
    expect(comparePendulum(ekf, expected)).toEqual([]);
  });

  it('tracks the reference within finite-difference accuracy when no Jacobians are given', () => {
    const ekf = new ExtendedKalmanFilter({
      x0: pendulum.x0,
      P0: pendulum.P0,
      dt: pendulum.dt,
      f: pendulumF,
      Q: pendulum.Q,
      h: pendulumH,
      R: pendulum.R,
    });
    // Central differences with h = ε^(1/3) have a truncation error near 1e-10 here; allow 1e-6.
    let worst = 0;
    for (const row of pendulumInputs) {
      ekf.predict();
      ekf.update([row['z']!]);
      const ref = expected[row['k']! - 1]!;
      worst = Math.max(worst, Math.abs(ekf.x[0]! - ref['xpost0']!), Math.abs(ekf.x[1]! - ref['xpost1']!));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('estimates the hidden truth: the pendulum angle error stays within 3 sigma on most steps', () => {
    const ekf = new ExtendedKalmanFilter({
      x0: pendulum.x0,
      P0: pendulum.P0,
      dt: pendulum.dt,
      f: pendulumF,
      F: pendulumJacobian,
      Q: pendulum.Q,
      h: pendulumH,
      H: pendulumHJacobian,
      R: pendulum.R,
    });
    let inside = 0;
    for (const row of pendulumInputs) {
      ekf.predict();
      ekf.update([row['z']!]);
      if (Math.abs(ekf.x[0]! - row['true_theta']!) <= 3 * Math.sqrt(ekf.P[0]![0]!)) inside++;
    }
    expect(inside / pendulumInputs.length).toBeGreaterThan(0.95);
  });

  it('takes a constant F for linear dynamics (f may then be left out) and equals the Kalman filter', () => {
    const F = [
      [1, 0.1],
      [0, 1],
    ];
    const Q = [
      [1e-4, 1e-3],
      [1e-3, 2e-2],
    ];
    const common = {
      x0: [0, 1],
      P0: [
        [1, 0],
        [0, 1],
      ],
      Q,
      R: [[0.25]],
    };
    const ekf = new ExtendedKalmanFilter({ ...common, F, h: (x) => [x[0]!], H: () => [[1, 0]] });
    const kf = new KalmanFilter({ ...common, F, H: [[1, 0]] });
    for (const row of pendulumInputs.slice(0, 20)) {
      ekf.predict();
      kf.predict();
      ekf.update([row['z']!]);
      kf.update([row['z']!]);
    }
    expect(ekf.x[0]).toBeCloseTo(kf.x[0]!, 12);
    expect(ekf.P[1]![1]).toBeCloseTo(kf.P[1]![1]!, 12);
    expect(() => new ExtendedKalmanFilter({ ...common, h: (x) => [x[0]!] })).toThrow(
      /f must be a function .* only when F is a constant matrix/,
    );
  });

  it('rejects an f whose output has the wrong length, naming it', () => {
    const ekf = new ExtendedKalmanFilter({
      x0: [0, 0],
      P0: [
        [1, 0],
        [0, 1],
      ],
      f: (x) => [x[0]!],
      Q: [
        [0, 0],
        [0, 0],
      ],
    });
    expect(() => ekf.predict()).toThrow(/f\(x \+ h·e0\) must have length 2, got length 1/);
  });
});
