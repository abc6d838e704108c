import { describe, expect, it } from 'vitest';
import { compareAll, readCsvFixture, readJsonFixture } from '../../test/support/fixtures';
import { comparePendulum, pendulum, pendulumF, pendulumH } from '../../test/support/pendulum';
import { JulierSigmaPoints, MerweScaledSigmaPoints } from './sigma-points';
import { UnscentedKalmanFilter } from './unscented-kalman-filter';

describe('MerweScaledSigmaPoints and JulierSigmaPoints', () => {
  it("reproduces FilterPy's Van der Merwe weights for alpha 0.1, beta 2, kappa 1", () => {
    const { alpha, beta, kappa, Wm, Wc } = pendulum.ukf_merwe;
    const w = new MerweScaledSigmaPoints({ alpha, beta, kappa }).weights(2);
    const errors: string[] = [];
    for (const [i, v] of Wm.entries()) compareAll(errors, `Wm${i}`, [['w', w.Wm[i]!, v]]);
    for (const [i, v] of Wc.entries()) compareAll(errors, `Wc${i}`, [['w', w.Wc[i]!, v]]);
    expect(errors).toEqual([]);
  });

  it('gives weights that sum to one', () => {
    for (const scheme of [
      new MerweScaledSigmaPoints({ alpha: 0.3, kappa: 1 }),
      new JulierSigmaPoints({ kappa: 1 }),
    ]) {
      for (const n of [1, 2, 5]) {
        const { Wm } = scheme.weights(n);
        expect(Wm.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(Wm).toHaveLength(2 * n + 1);
      }
    }
  });
});

describe('UnscentedKalmanFilter', () => {
  it('reproduces the FilterPy pendulum run (Van der Merwe, alpha 0.1) within 1e-9/1e-8', () => {
    const { alpha, beta, kappa } = pendulum.ukf_merwe;
    const ukf = new UnscentedKalmanFilter({
      x0: pendulum.x0,
      P0: pendulum.P0,
      dt: pendulum.dt,
      f: pendulumF,
      Q: pendulum.Q,
      h: pendulumH,
      R: pendulum.R,
      sigmaPoints: new MerweScaledSigmaPoints({ alpha, beta, kappa }),
    });
    expect(comparePendulum(ukf, readCsvFixture('filterpy/ukf_pendulum_merwe_outputs.csv'))).toEqual([]);
  });

  it('equals the linear Kalman filter on a linear model, with either sigma-point scheme', () => {
    const meta = readJsonFixture<{
      kf_cv1d: { F: number[][]; Q: number[][]; H: number[][]; R: number[][]; x0: number[]; P0: number[][] };
    }>('filterpy/meta.json').kf_cv1d;
    const expected = readCsvFixture('filterpy/kf_cv1d_outputs.csv');
    const inputs = readCsvFixture('filterpy/kf_cv1d_inputs.csv');
    for (const sigmaPoints of [
      new MerweScaledSigmaPoints({ alpha: 0.5, kappa: 1 }),
      new JulierSigmaPoints({ kappa: 1 }),
    ]) {
      const ukf = new UnscentedKalmanFilter({
        x0: meta.x0,
        P0: meta.P0,
        f: (x) => [x[0]! + 0.1 * x[1]!, x[1]!],
        Q: meta.Q,
        h: (x) => [x[0]!],
        R: meta.R,
        sigmaPoints,
      });
      const errors: string[] = [];
      for (const row of inputs) {
        ukf.predict();
        const r = ukf.update([row['z']!]);
        const ref = expected[row['k']! - 1]!;
        if (r.kind !== 'measurement') throw new Error('expected a measurement');
        compareAll(errors, `k=${row['k']}`, [
          ['x0', ukf.x[0]!, ref['xpost0']!],
          ['x1', ukf.x[1]!, ref['xpost1']!],
          ['P00', ukf.P[0]![0]!, ref['Ppost00']!],
          ['P11', ukf.P[1]![1]!, ref['Ppost11']!],
          ['nis', r.nis, ref['nis']!],
        ]);
      }
      expect(errors).toEqual([]);
    }
  });

  it('keeps the prior on update(null) and uses a named sensor', () => {
    const ukf = new UnscentedKalmanFilter({
      x0: [1],
      P0: [[1]],
      f: (x) => [x[0]!],
      Q: [[0.1]],
      sensors: { square: { h: (x) => [x[0]! * x[0]!], R: [[0.1]] } },
    });
    ukf.predict();
    const before = ukf.estimate();
    expect(ukf.update(null, { sensor: 'square' }).kind).toBe('missing');
    expect(ukf.estimate()).toEqual(before);
    const r = ukf.update([4], { sensor: 'square' });
    expect(r.kind).toBe('measurement');
    expect(ukf.x[0]).toBeGreaterThan(1);
  });
});
