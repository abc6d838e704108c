import { describe, expect, it } from 'vitest';
import { testStream } from '../../test/support/cv1d';
import { welchWarmup } from './warm-up';

describe('welchWarmup', () => {
  it('suggests a deletion point where an exponential transient has settled within the band', () => {
    // Mean path 10(1 − e^(−t/50)): within 2% of 10 from t = 50 ln 50 ≈ 196 on.
    const rng = testStream('warmup');
    const replications = Array.from({ length: 40 }, () =>
      Array.from({ length: 1000 }, (_, t) => 10 * (1 - Math.exp(-t / 50)) + rng.normal(0, 2)),
    );
    const w = welchWarmup(replications, { window: 10, tolerance: 0.02 });
    expect(w.averaged).toHaveLength(1000);
    expect(w.smoothed).toHaveLength(990);
    expect(w.level).toBeCloseTo(10, 0);
    expect(w.deletionPoint).toBeGreaterThan(150);
    expect(w.deletionPoint).toBeLessThan(260);
  });

  it("uses Welch's shrinking window at the start", () => {
    const w = welchWarmup([[1, 2, 3, 4, 5, 6, 7]], { window: 2 });
    expect(w.smoothed).toEqual([1, 2, 3, 4, 5]);
    const v = welchWarmup([[0, 3, 0, 3, 0, 3, 0]], { window: 1 });
    expect(v.smoothed[0]).toBe(0);
    expect(v.smoothed[1]).toBe(1);
  });

  it('rejects too large windows and short series', () => {
    expect(() => welchWarmup([[1, 2, 3, 4, 5]], { window: 3 })).toThrow(/window must be <= 2/);
    expect(() => welchWarmup([[1, 2]])).toThrow(/at least 3 observations/);
  });
});
