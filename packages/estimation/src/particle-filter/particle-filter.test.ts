import { describe, expect, it } from 'vitest';
import { cv, cvInputs, distance, g0, g1, kalmanRun, steps, testStream } from '../../test/support/cv1d';
import { KalmanFilter } from '../kalman-filter/kalman-filter';
import { ParticleFilter } from './particle-filter';

function particleRun(
  particles: number,
  seed: number,
  resampling: 'systematic' | 'stratified' | 'residual' | 'multinomial' = 'systematic',
) {
  const pf = new ParticleFilter({
    particles,
    rng: testStream('pf', seed),
    resampling,
    initial: (r) => [
      r.normal(cv.x0[0]!, Math.sqrt(cv.P0[0]![0]!)),
      r.normal(cv.x0[1]!, Math.sqrt(cv.P0[1]![1]!)),
    ],
    transition: (x, dt, r) => {
      const a = r.normal(0, Math.sqrt(cv.q_var));
      return [x[0]! + dt * x[1]! + g0 * a, x[1]! + g1 * a];
    },
    h: (x) => [x[0]!],
    R: cv.R,
    dt: cv.dt,
  });
  const resampled: boolean[] = [];
  const estimates = steps.map((row) => {
    pf.predict();
    const r = pf.update([row['z']!]);
    if (r.kind === 'measurement') resampled.push(r.resampled);
    return pf.estimate();
  });
  return { estimates, resampled, pf };
}

describe('ParticleFilter', () => {
  const reference = kalmanRun();

  it('converges to the Kalman posterior on the linear case as particles grow', () => {
    const small = distance(particleRun(200, 1).estimates, reference);
    const large = distance(particleRun(20000, 1).estimates, reference);
    // Monte Carlo error falls like 1/√N: 100x the particles should cut it by ~10x; ask for 3x.
    expect(large).toBeLessThan(small / 3);
    expect(large).toBeLessThan(0.05);
  });

  it('converges with every resampling scheme', () => {
    for (const scheme of ['stratified', 'residual', 'multinomial'] as const) {
      expect(distance(particleRun(5000, 2, scheme).estimates, reference)).toBeLessThan(0.1);
    }
  });

  it('resamples only when the effective sample size falls below the threshold, and reports it', () => {
    const { resampled } = particleRun(1000, 3);
    expect(resampled.some(Boolean)).toBe(true);
    expect(resampled.every(Boolean)).toBe(false);
  });

  it('gives the Kalman log-likelihood and NIS for a Gaussian sensor (approximately)', () => {
    const kf = new KalmanFilter({ x0: cv.x0, P0: cv.P0, F: cv.F, Q: cv.Q, H: cv.H, R: cv.R });
    kf.predict();
    const row = cvInputs[0]!;
    const exact = kf.update([row['z']!]);
    const first = new ParticleFilter({
      particles: 20000,
      rng: testStream('pf-first'),
      initial: (r) => [r.normal(0, Math.sqrt(10)), r.normal(0, Math.sqrt(10))],
      transition: (x, dt, r) => {
        const a = r.normal(0, 1);
        return [x[0]! + dt * x[1]! + g0 * a, x[1]! + g1 * a];
      },
      h: (x) => [x[0]!],
      R: cv.R,
      dt: cv.dt,
    });
    first.predict();
    const approx = first.update([row['z']!]);
    if (exact.kind !== 'measurement' || approx.kind !== 'measurement')
      throw new Error('expected measurements');
    expect(approx.logLikelihood).toBeCloseTo(exact.logLikelihood, 1);
    expect(approx.nis!).toBeCloseTo(exact.nis, 1);
  });

  it('keeps the particles on update(null) and fails clearly when every particle is impossible', () => {
    const pf = new ParticleFilter({
      particles: 10,
      rng: testStream('pf-null'),
      initial: (r) => [r.next()],
      transition: (x) => x,
      sensors: {
        gate: { logLikelihood: (z, x) => (Math.abs(z[0]! - x[0]!) < 0.5 ? 0 : Number.NEGATIVE_INFINITY) },
      },
    });
    const before = pf.particles;
    expect(pf.update(null, { sensor: 'gate' }).kind).toBe('missing');
    expect(pf.particles).toEqual(before);
    expect(() => pf.update([100], { sensor: 'gate' })).toThrow(
      /every particle has zero likelihood .* sensor 'gate'/,
    );
    expect(() => pf.update([Number.NaN], { sensor: 'gate' })).toThrow(
      /z\[0\] from sensor 'gate' at time 0 must be a finite number, got NaN/,
    );
  });
});
