import { describe, expect, it } from 'vitest';
import { testStream } from '../../test/support/cv1d';
import {
  crnVarianceReduction,
  pairedComparison,
  pairwiseComparisons,
  welchComparison,
} from './scenario-statistics';

describe('scenario statistics', () => {
  it('measures the variance reduction of positively correlated (CRN) outputs', () => {
    const rng = testStream('crn');
    const common = Array.from({ length: 200 }, () => rng.normal(0, 1));
    const a = common.map((c) => 5 + c + rng.normal(0, 0.3));
    const b = common.map((c) => 4 + c + rng.normal(0, 0.3));
    const vr = crnVarianceReduction(a, b);
    // Theory: var(a − b) = 2·0.09, var(a) + var(b) = 2·1.09: reduction 1 − 0.09/1.09 ≈ 0.917.
    expect(vr.reduction).toBeGreaterThan(0.88);
    expect(vr.reduction).toBeLessThan(0.95);
    expect(vr.correlation).toBeCloseTo(1 / 1.09, 1);
    expect(pairedComparison(a, b).halfWidth).toBeLessThan(welchComparison(a, b).halfWidth / 2);
  });

  it('adjusts pairwise intervals by Bonferroni for more than two scenarios', () => {
    const s = { A: [1, 2, 3, 4], B: [2, 2, 4, 5], C: [0, 1, 1, 3] };
    const all = pairwiseComparisons(s, { paired: true });
    expect(all.comparisons.map((c) => `${c.first}-${c.second}`)).toEqual(['A-B', 'A-C', 'B-C']);
    expect(all.perComparisonConfidence).toBeCloseTo(1 - 0.05 / 3, 15);
    const two = pairwiseComparisons({ A: s.A, B: s.B });
    expect(two.perComparisonConfidence).toBe(0.95);
    expect(two.comparisons[0]!.method).toBe('welch');
  });

  it('requires paired samples of equal length and explains why', () => {
    expect(() => pairedComparison([1, 2, 3], [1, 2])).toThrow(/same length .* a has 3 and b has 2/);
    expect(() => welchComparison([1, 1], [2, 2])).toThrow(/zero variance/);
  });
});
