import { describe, expect, it } from 'vitest';
import { testStream } from '../../test/support/cv1d';
import { effectiveSampleSize, RESAMPLING_SCHEMES, resample } from './resampling';

describe('resample', () => {
  const weights = [0.05, 0.4, 0.1, 0.3, 0.15];
  const N = weights.length;

  it('keeps floor(N w) to ceil(N w) copies with systematic, stratified (per position) and residual', () => {
    for (const scheme of ['systematic', 'residual'] as const) {
      const rng = testStream(`resample-${scheme}`);
      for (let trial = 0; trial < 200; trial++) {
        const counts = new Array(N).fill(0);
        for (const i of resample(weights, scheme, rng)) counts[i]++;
        weights.forEach((w, i) => {
          expect(counts[i]).toBeGreaterThanOrEqual(Math.floor(N * w));
          if (scheme === 'systematic') expect(counts[i]).toBeLessThanOrEqual(Math.ceil(N * w));
        });
      }
    }
  });

  it('is unbiased: each particle is drawn N·w times on average, for every scheme', () => {
    for (const scheme of RESAMPLING_SCHEMES) {
      const rng = testStream(`unbiased-${scheme}`);
      const totals = new Array(N).fill(0);
      const trials = 20000;
      for (let t = 0; t < trials; t++) for (const i of resample(weights, scheme, rng)) totals[i]++;
      weights.forEach((w, i) => {
        // Multinomial count variance is N w (1 − w) per trial: 5 standard errors of the mean.
        const se = Math.sqrt((N * w * (1 - w)) / trials);
        expect(Math.abs(totals[i] / trials - N * w)).toBeLessThan(5 * se);
      });
    }
  });

  it('returns sorted indices and rejects unnormalized or negative weights', () => {
    const rng = testStream('sorted');
    const idx = Array.from(resample(weights, 'multinomial', rng));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    expect(() => resample([0.5, 0.6], 'systematic', rng)).toThrow(/sum to 1/);
    expect(() => resample([1.5, -0.5], 'systematic', rng)).toThrow(
      /weights\[1\] must be a finite number >= 0/,
    );
    expect(() => resample([1], 'bogus' as 'systematic', rng)).toThrow(/scheme must be one of/);
  });

  it('computes the effective sample size', () => {
    expect(effectiveSampleSize([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(4, 14);
    expect(effectiveSampleSize([1, 0, 0])).toBe(1);
  });
});
