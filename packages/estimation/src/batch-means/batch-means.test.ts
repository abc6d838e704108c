import { describe, expect, it } from 'vitest';
import { testStream } from '../../test/support/cv1d';
import { batchMeans } from './batch-means';

describe('batchMeans', () => {
  it('covers the mean of an AR(1) process (phi 0.9, mean 10) about 95% of the time', () => {
    const rng = testStream('ar1');
    let covered = 0;
    const runs = 200;
    for (let r = 0; r < runs; r++) {
      let y = 10 + rng.normal(0, 1 / Math.sqrt(1 - 0.81));
      const series: number[] = [];
      for (let t = 0; t < 20000; t++) {
        y = 10 + 0.9 * (y - 10) + rng.normal(0, 1);
        series.push(y);
      }
      const bm = batchMeans(series, { batches: 20 });
      if (bm.lower <= 10 && 10 <= bm.upper) covered++;
    }
    // Binomial(200, 0.95) has sd 1.5%: allow ~4 sd.
    expect(covered / runs).toBeGreaterThan(0.89);
  });

  it('deletes the warm-up and drops the remainder at the start', () => {
    const series = Array.from({ length: 105 }, (_, i) => (i < 10 ? 1000 : i));
    const bm = batchMeans(series, { batches: 5, warmup: 10 });
    expect(bm.batchSize).toBe(19);
    expect(bm.discarded).toBe(0);
    const odd = batchMeans(series, { batches: 4, warmup: 10 });
    expect(odd.discarded).toBe(3);
    expect(odd.batchMeans[0]).toBeCloseTo((13 + 35) / 2, 12);
    expect(() => batchMeans([1, 2, 3], { batches: 5 })).toThrow(/at least warmup \+ batches = 5/);
  });
});
