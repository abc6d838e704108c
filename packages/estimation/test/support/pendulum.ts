/**
 * The FilterPy pendulum reference case (fixtures/filterpy, `pendulum` in meta.json), shared by the
 * EKF and UKF validation tests.
 *
 * @internal
 */
import type { GaussianFilter, UpdateResult } from '../../src/gaussian-filter/gaussian-filter';
import { compareAll, readCsvFixture, readJsonFixture } from './fixtures';

export interface PendulumMeta {
  g: number;
  L: number;
  dt: number;
  N: number;
  Q: number[][];
  R: number[][];
  x0: number[];
  P0: number[][];
  ukf_merwe: { alpha: number; beta: number; kappa: number; Wm: number[]; Wc: number[] };
}

export const pendulum = readJsonFixture<{ pendulum: PendulumMeta }>('filterpy/meta.json').pendulum;
export const pendulumInputs = readCsvFixture('filterpy/pendulum_inputs.csv');

const { g, L, dt } = pendulum;

/** Explicit Euler step of the pendulum. */
export function pendulumF(x: ArrayLike<number>): number[] {
  const theta = x[0]!;
  const omega = x[1]!;
  return [theta + omega * dt, omega - (g / L) * Math.sin(theta) * dt];
}

/** Jacobian of the Euler step. */
export function pendulumJacobian(x: ArrayLike<number>): number[][] {
  return [
    [1, dt],
    [-(g / L) * Math.cos(x[0]!) * dt, 1],
  ];
}

/** Measurement z = L sin(theta). */
export function pendulumH(x: ArrayLike<number>): number[] {
  return [L * Math.sin(x[0]!)];
}

/** Jacobian of the measurement. */
export function pendulumHJacobian(x: ArrayLike<number>): number[][] {
  return [[L * Math.cos(x[0]!), 0]];
}

/** Runs a filter over the pendulum inputs and compares every step with a FilterPy output file. */
export function comparePendulum(
  filter: GaussianFilter & { update(z: number[] | null): UpdateResult },
  expected: Record<string, number>[],
): string[] {
  const errors: string[] = [];
  for (const row of pendulumInputs) {
    const k = row['k']!;
    const ref = expected[k - 1]!;
    filter.predict();
    const xp = filter.x;
    const Pp = filter.P;
    const r = filter.update([row['z']!]);
    if (r.kind !== 'measurement') throw new Error('expected a measurement');
    const x = filter.x;
    const P = filter.P;
    compareAll(errors, `k=${k}`, [
      ['xprior0', xp[0]!, ref['xprior0']!],
      ['xprior1', xp[1]!, ref['xprior1']!],
      ['Pprior00', Pp[0]![0]!, ref['Pprior00']!],
      ['Pprior01', Pp[0]![1]!, ref['Pprior01']!],
      ['Pprior11', Pp[1]![1]!, ref['Pprior11']!],
      ['y', r.innovation[0]!, ref['y0']!],
      ['S', r.innovationCovariance[0]![0]!, ref['S00']!],
      ['K00', r.gain[0]![0]!, ref['K00']!],
      ['K10', r.gain[1]![0]!, ref['K10']!],
      ['xpost0', x[0]!, ref['xpost0']!],
      ['xpost1', x[1]!, ref['xpost1']!],
      ['Ppost00', P[0]![0]!, ref['Ppost00']!],
      ['Ppost01', P[0]![1]!, ref['Ppost01']!],
      ['Ppost10', P[1]![0]!, ref['Ppost10']!],
      ['Ppost11', P[1]![1]!, ref['Ppost11']!],
      ['nis', r.nis, ref['nis']!],
      ['loglik', r.logLikelihood, ref['loglik']!],
    ]);
  }
  return errors;
}
