import { TwinkitError } from '@twinkit/core';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { compareAll, readCsvFixture, readJsonFixture } from '../../test/support/fixtures';
import { KalmanFilter } from './kalman-filter';

interface CvMeta {
  kf_cv1d: {
    dt: number;
    F: number[][];
    H: number[][];
    Q: number[][];
    R: number[][];
    x0: number[];
    P0: number[][];
    q_var: number;
    missing_steps_1based: number[];
  };
}
const meta = readJsonFixture<CvMeta>('filterpy/meta.json').kf_cv1d;
const inputs = readCsvFixture('filterpy/kf_cv1d_inputs.csv');

function makeFilter(): KalmanFilter {
  return new KalmanFilter({
    x0: meta.x0,
    P0: meta.P0,
    F: meta.F,
    Q: meta.Q,
    H: meta.H,
    R: meta.R,
    dt: meta.dt,
  });
}

/** Runs the constant-velocity filter over the fixture and compares every step with FilterPy. */
function compareRun(expected: Record<string, number>[], missing: Set<number>): string[] {
  const kf = makeFilter();
  const errors: string[] = [];
  for (const row of inputs) {
    const k = row['k']!;
    const ref = expected[k - 1]!;
    kf.predict();
    const [xp0, xp1] = kf.x;
    const Pp = kf.P;
    compareAll(errors, `k=${k} prior`, [
      ['x0', xp0!, ref['xprior0']!],
      ['x1', xp1!, ref['xprior1']!],
      ['P00', Pp[0]![0]!, ref['Pprior00']!],
      ['P01', Pp[0]![1]!, ref['Pprior01']!],
      ['P11', Pp[1]![1]!, ref['Pprior11']!],
    ]);
    const result = kf.update(missing.has(k) ? null : [row['z']!]);
    if (missing.has(k)) {
      expect(result.kind).toBe('missing');
      expect(Number.isNaN(ref['nis']!)).toBe(true);
    } else {
      if (result.kind !== 'measurement') throw new Error(`step ${k} should have a measurement`);
      compareAll(errors, `k=${k}`, [
        ['y', result.innovation[0]!, ref['y0']!],
        ['S', result.innovationCovariance[0]![0]!, ref['S00']!],
        ['K00', result.gain[0]![0]!, ref['K00']!],
        ['K10', result.gain[1]![0]!, ref['K10']!],
        ['nis', result.nis, ref['nis']!],
        ['loglik', result.logLikelihood, ref['loglik']!],
      ]);
    }
    const P = kf.P;
    compareAll(errors, `k=${k} post`, [
      ['x0', kf.x[0]!, ref['xpost0']!],
      ['x1', kf.x[1]!, ref['xpost1']!],
      ['P00', P[0]![0]!, ref['Ppost00']!],
      ['P01', P[0]![1]!, ref['Ppost01']!],
      ['P10', P[1]![0]!, ref['Ppost10']!],
      ['P11', P[1]![1]!, ref['Ppost11']!],
    ]);
  }
  return errors;
}

describe('KalmanFilter against FilterPy (kf_cv1d)', () => {
  it('reproduces priors, innovations, gains, posteriors, NIS and log-likelihood within 1e-9/1e-8', () => {
    const errors = compareRun(readCsvFixture('filterpy/kf_cv1d_outputs.csv'), new Set());
    expect(errors).toEqual([]);
    expect(inputs).toHaveLength(100);
  });

  it('keeps the prior on missing measurements (steps 20-24, 50, 77) and matches FilterPy afterwards', () => {
    const missing = new Set(meta.missing_steps_1based);
    expect(missing.size).toBe(7);
    const errors = compareRun(readCsvFixture('filterpy/kf_cv1d_missing_outputs.csv'), missing);
    expect(errors).toEqual([]);
  });

  it('reproduces the NEES of the posterior against the truth', () => {
    const nees = readCsvFixture('filterpy/kf_cv1d_nees.csv');
    const kf = makeFilter();
    const errors: string[] = [];
    for (const row of inputs) {
      kf.predict();
      const truth = [row['true_pos']!, row['true_vel']!];
      const result = kf.update([row['z']!], { truth });
      compareAll(errors, `k=${row['k']}`, [
        ['nees', result.nees!, nees[row['k']! - 1]!['nees_post']!],
        ['nees()', kf.nees(truth), nees[row['k']! - 1]!['nees_post']!],
      ]);
    }
    expect(errors).toEqual([]);
  });

  it('gives the same run with F and Q as functions of dt, and with ml-matrix inputs', () => {
    const q = meta.q_var;
    const a = makeFilter();
    const b = new KalmanFilter({
      x0: meta.x0,
      P0: new Matrix(meta.P0),
      F: (dt) => [
        [1, dt],
        [0, 1],
      ],
      Q: (dt) =>
        new Matrix([
          [(q * dt ** 4) / 4, (q * dt ** 3) / 2],
          [(q * dt ** 3) / 2, q * dt ** 2],
        ]),
      H: new Matrix(meta.H),
      R: meta.R,
    });
    for (const row of inputs.slice(0, 30)) {
      a.predict();
      b.predict(meta.dt);
      a.update([row['z']!]);
      b.update([row['z']!]);
    }
    expect(b.x[0]).toBeCloseTo(a.x[0]!, 12);
    expect(b.P[1]![1]).toBeCloseTo(a.P[1]![1]!, 12);
    expect(b.time).toBeCloseTo(3, 12);
    expect(b.step).toBe(30);
  });
});

describe('KalmanFilter behaviour', () => {
  const base = {
    x0: [0, 0],
    P0: [
      [1, 0],
      [0, 1],
    ],
    F: [
      [1, 1],
      [0, 1],
    ],
    Q: [
      [0.01, 0],
      [0, 0.01],
    ],
  };

  it('handles irregular steps: two steps of dt equal one step of 2dt for a noise-free model', () => {
    const F = (dt: number) => [
      [1, dt],
      [0, 1],
    ];
    const Q = () => [
      [0, 0],
      [0, 0],
    ];
    const a = new KalmanFilter({ ...base, F, Q, H: [[1, 0]], R: [[1]] });
    const b = new KalmanFilter({ ...base, x0: [0, 1], F, Q, H: [[1, 0]], R: [[1]] });
    a.reset([0, 1], base.P0);
    a.predict(0.3);
    a.predict(0.7);
    b.predict(1);
    expect(a.x[0]).toBeCloseTo(1, 14);
    expect(a.P[0]![0]).toBeCloseTo(b.P[0]![0]!, 14);
    expect(a.time).toBeCloseTo(1, 14);
  });

  it('fuses several sensors at different rates, each with its own H and R', () => {
    const kf = new KalmanFilter({
      ...base,
      sensors: {
        position: { H: [[1, 0]], R: [[0.5]] },
        speed: { H: [[0, 1]], R: [[0.1]] },
      },
    });
    const results = [];
    for (let k = 1; k <= 10; k++) {
      kf.predict();
      results.push(kf.update([k], { sensor: 'position' }));
      if (k % 3 === 0) results.push(kf.update([1], { sensor: 'speed' }));
    }
    expect(results.map((r) => r.sensor).filter((s) => s === 'speed')).toHaveLength(3);
    // Truth: position k at step k, speed 1. Both sensors pull the estimate there.
    expect(kf.x[0]).toBeCloseTo(10, 0);
    expect(kf.x[1]).toBeCloseTo(1, 1);
  });

  it('accepts a per-update R and H', () => {
    const kf = new KalmanFilter({ ...base, H: [[1, 0]], R: [[1]] });
    kf.predict();
    const precise = kf.update([2], { R: [[1e-6]] });
    expect(kf.x[0]).toBeCloseTo(2, 4);
    expect(precise.kind).toBe('measurement');
    const both = kf.update([2, 1], {
      H: [
        [1, 0],
        [0, 1],
      ],
      R: [
        [1, 0],
        [0, 1],
      ],
    });
    expect(both.kind === 'measurement' && both.innovation.length).toBe(2);
  });

  it('matches the scalar closed form of a 1-state filter', () => {
    const kf = new KalmanFilter({ x0: [0], P0: [[4]], F: [[1]], Q: [[0]], H: [[1]], R: [[1]] });
    kf.predict();
    const r = kf.update([5]);
    // K = 4/(4+1), x = 4, P = 4·1/5
    expect(kf.x[0]).toBeCloseTo(4, 14);
    expect(kf.P[0]![0]).toBeCloseTo(0.8, 14);
    if (r.kind !== 'measurement') throw new Error('expected a measurement');
    expect(r.nis).toBeCloseTo(25 / 5, 14);
    expect(r.logLikelihood).toBeCloseTo(-0.5 * (Math.log(2 * Math.PI * 5) + 5), 14);
  });

  it('applies a control input through B', () => {
    const kf = new KalmanFilter({ ...base, B: [[0], [1]], H: [[1, 0]], R: [[1]] });
    kf.predict(1, [2]);
    expect(kf.x).toEqual([0, 2]);
  });

  it('rejects non-finite measurements naming time and sensor', () => {
    const kf = new KalmanFilter({ ...base, H: [[1, 0]], R: [[1]] });
    kf.predict(2.5);
    expect(() => kf.update([Number.NaN])).toThrow(
      /z\[0\] from sensor 'default' at time 2.5 must be a finite number, got NaN/,
    );
    expect(() => kf.update([1, 2])).toThrow(/length 1 .* got length 2/);
    expect(() => kf.update([1], { sensor: 'gps' })).toThrow(/Known sensors: 'default'/);
  });

  it('names the matrix and both shapes on a dimension mismatch', () => {
    expect(() => new KalmanFilter({ ...base, H: [[1, 0, 0]], R: [[1]] })).toThrow(
      /H must be \?x2|H must be 1x2, got 1x3/,
    );
    expect(
      () =>
        new KalmanFilter({
          ...base,
          F: [
            [1, 0, 0],
            [0, 1, 0],
          ],
        }),
    ).toThrow(/F must be 2x2, got 2x3/);
    expect(() => new KalmanFilter({ ...base, H: [[1, 0]], R: [[-1]] })).toThrow(
      /R must be positive definite/,
    );
  });

  it('throws a NUMERIC TwinkitError instead of producing NaN when a covariance breaks', () => {
    const kf = new KalmanFilter({
      ...base,
      Q: () => [
        [Number.POSITIVE_INFINITY, 0],
        [0, 0],
      ],
      H: [[1, 0]],
      R: [[1]],
    });
    expect(() => kf.predict()).toThrow(/Q\(dt\)\[0\]\[0\] must be a finite number/);
    const runaway = new KalmanFilter({
      ...base,
      F: [
        [1e100, 0],
        [0, 1],
      ],
      H: [[1, 0]],
      R: [[1]],
    });
    runaway.predict();
    let error: unknown;
    try {
      runaway.predict();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TwinkitError);
    expect((error as TwinkitError).code).toBe('NUMERIC');
    expect((error as TwinkitError).message).toMatch(
      /prior covariance P must stay finite and positive definite, but at step 2 it is not: \[\[Infinity/,
    );
  });
});
