/**
 * The FilterPy constant-velocity reference case (fixtures/filterpy, `kf_cv1d` in meta.json), shared
 * by tests that compare other filters with the Kalman filter.
 *
 * @internal
 */
import type { RandomStream } from '@twinkit/core';
import { createStream } from '@twinkit/core/internal';
import { KalmanFilter } from '../../src/kalman-filter/kalman-filter';
import { readCsvFixture, readJsonFixture } from './fixtures';

export interface CvMeta {
  dt: number;
  F: number[][];
  H: number[][];
  Q: number[][];
  R: number[][];
  x0: number[];
  P0: number[][];
  q_var: number;
  missing_steps_1based: number[];
}

export const cv = readJsonFixture<{ kf_cv1d: CvMeta }>('filterpy/meta.json').kf_cv1d;
export const cvInputs = readCsvFixture('filterpy/kf_cv1d_inputs.csv');

/** A stream for a test, derived like every other stream of twinkit. */
export function testStream(name: string, seed = 2026, replication = 0): RandomStream {
  return createStream({ seed, name, replication, forkPath: '' });
}

export const steps = cvInputs.slice(0, 25);
// The process noise of the fixture is rank one: w = [dt²/2, dt]·a with a ~ N(0, q).
export const g0 = cv.dt ** 2 / 2;
export const g1 = cv.dt;

export function kalmanRun() {
  const kf = new KalmanFilter({ x0: cv.x0, P0: cv.P0, F: cv.F, Q: cv.Q, H: cv.H, R: cv.R });
  return steps.map((row) => {
    kf.predict();
    kf.update([row['z']!]);
    return kf.estimate();
  });
}

/** Mean over steps of |x − x_KF| / σ_KF, both components. */
export function distance(estimates: { x: number[] }[], reference: { x: number[]; P: number[][] }[]): number {
  let total = 0;
  reference.forEach((ref, k) => {
    for (let i = 0; i < 2; i++) total += Math.abs(estimates[k]!.x[i]! - ref.x[i]!) / Math.sqrt(ref.P[i]![i]!);
  });
  return total / (2 * reference.length);
}
