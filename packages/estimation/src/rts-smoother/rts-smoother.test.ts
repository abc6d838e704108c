import { describe, expect, it } from 'vitest';
import { compareAll, readCsvFixture, readJsonFixture } from '../../test/support/fixtures';
import { KalmanFilter } from '../kalman-filter/kalman-filter';
import { rtsSmooth } from './rts-smoother';

const meta = readJsonFixture<{
  kf_cv1d: { F: number[][]; Q: number[][]; H: number[][]; R: number[][]; x0: number[]; P0: number[][] };
}>('filterpy/meta.json').kf_cv1d;
const inputs = readCsvFixture('filterpy/kf_cv1d_inputs.csv');

function filteredRun() {
  const kf = new KalmanFilter({ x0: meta.x0, P0: meta.P0, F: meta.F, Q: meta.Q, H: meta.H, R: meta.R });
  const means: number[][] = [];
  const covariances: number[][][] = [];
  for (const row of inputs) {
    kf.predict();
    kf.update([row['z']!]);
    means.push(kf.x);
    covariances.push(kf.P);
  }
  return { means, covariances };
}

describe('rtsSmooth', () => {
  it('reproduces FilterPy rts_smoother (means, covariances, gains) within 1e-9/1e-8', () => {
    const expected = readCsvFixture('filterpy/kf_cv1d_rts.csv');
    const smoothed = rtsSmooth({ ...filteredRun(), F: meta.F, Q: meta.Q });
    const errors: string[] = [];
    expected.forEach((ref, k) => {
      const x = smoothed.means[k]!;
      const P = smoothed.covariances[k]!;
      const G = smoothed.gains[k]!;
      compareAll(errors, `k=${ref['k']}`, [
        ['xs0', x[0]!, ref['xs0']!],
        ['xs1', x[1]!, ref['xs1']!],
        ['Ps00', P[0]![0]!, ref['Ps00']!],
        ['Ps01', P[0]![1]!, ref['Ps01']!],
        ['Ps11', P[1]![1]!, ref['Ps11']!],
        ['G00', G[0]![0]!, ref['G00']!],
        ['G01', G[0]![1]!, ref['G01']!],
        ['G10', G[1]![0]!, ref['G10']!],
        ['G11', G[1]![1]!, ref['G11']!],
      ]);
    });
    expect(expected).toHaveLength(100);
    expect(errors).toEqual([]);
  });

  it('accepts per-step F and Q lists and gives the same result as constant ones', () => {
    const run = filteredRun();
    const a = rtsSmooth({ ...run, F: meta.F, Q: meta.Q });
    const b = rtsSmooth({ ...run, F: run.means.map(() => meta.F), Q: run.means.map(() => meta.Q) });
    expect(b.means).toEqual(a.means);
    expect(() => rtsSmooth({ ...run, F: [meta.F, meta.F], Q: meta.Q })).toThrow(/list of 100 matrices/);
  });

  it('never increases the variance of an estimate (the smoother uses more data)', () => {
    const run = filteredRun();
    const s = rtsSmooth({ ...run, F: meta.F, Q: meta.Q });
    s.covariances.forEach((P, k) => {
      expect(P[0]![0]!).toBeLessThanOrEqual(run.covariances[k]![0]![0]! + 1e-15);
    });
  });
});
