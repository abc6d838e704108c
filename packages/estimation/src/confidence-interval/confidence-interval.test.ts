import { describe, expect, it } from 'vitest';
import { testStream } from '../../test/support/cv1d';
import { confidenceInterval, formatInterval } from './confidence-interval';

describe('confidenceInterval', () => {
  it('refuses fewer than two values with a clear error, never NaN', () => {
    expect(() => confidenceInterval([3])).toThrow(
      /values must hold at least 2 values to give an interval .* got 1\. Run at least two replications/,
    );
    expect(() => confidenceInterval([])).toThrow(/got 0/);
    expect(() => confidenceInterval([1, Number.NaN])).toThrow(/values\[1\] must be a finite number, got NaN/);
    expect(() => confidenceInterval([1, 2], 95)).toThrow(/confidence must be a number within \(0, 1\)/);
  });

  it('gives a zero-width interval for constant values and an infinite relative half-width at mean 0', () => {
    const ci = confidenceInterval([2, 2, 2]);
    expect(ci.halfWidth).toBe(0);
    expect(confidenceInterval([-1, 1]).relativeHalfWidth).toBe(Number.POSITIVE_INFINITY);
  });

  it('covers the true mean of normal samples in about 95% of repetitions', () => {
    const rng = testStream('ci-coverage');
    let covered = 0;
    const repetitions = 2000;
    for (let r = 0; r < repetitions; r++) {
      const sample = Array.from({ length: 5 }, () => rng.normal(10, 3));
      const ci = confidenceInterval(sample);
      if (ci.lower <= 10 && 10 <= ci.upper) covered++;
    }
    // Binomial(2000, 0.95) has sd 0.49%: allow 4 sd.
    expect(Math.abs(covered / repetitions - 0.95)).toBeLessThan(0.02);
  });

  it('formats an interval for reports', () => {
    expect(formatInterval(confidenceInterval([1, 2, 3]))).toBe('2.00 ± 2.48 (95%, n = 3)');
  });
});
