import { TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument } from '@twinkit/core/internal';
import { tQuantile } from '../distributions/quantiles';

/** A t-based confidence interval for a mean. */
export interface ConfidenceInterval {
  /** Number of values. */
  n: number;
  /** Sample mean. */
  mean: number;
  /** Sample standard deviation (divisor n − 1). */
  sd: number;
  /** Standard error sd / √n. */
  standardError: number;
  /** Degrees of freedom of the t quantile (n − 1). */
  df: number;
  /** Confidence level, e.g. 0.95. */
  confidence: number;
  /** The t quantile t_{1−α/2, df}. */
  tQuantile: number;
  /** Half-width t · sd / √n. */
  halfWidth: number;
  /** Lower end mean − halfWidth. */
  lower: number;
  /** Upper end mean + halfWidth. */
  upper: number;
  /** halfWidth / |mean|; Infinity when the mean is 0. */
  relativeHalfWidth: number;
}

/** Checks a confidence level in (0, 1). @internal */
export function checkConfidence(api: string, confidence: unknown): number {
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw invalidArgument(
      api,
      'confidence must be a number within (0, 1)',
      confidence,
      'Pass e.g. 0.95 for a 95% interval.',
    );
  }
  return confidence;
}

/** Checks that values are at least two finite numbers. @internal */
export function checkSample(api: string, name: string, values: unknown, minimum = 2): readonly number[] {
  if (!Array.isArray(values) && !(values instanceof Float64Array)) {
    throw invalidArgument(
      api,
      `${name} must be an array of numbers`,
      values,
      'Pass the output values of the replications.',
    );
  }
  const arr = values as ArrayLike<unknown>;
  if (arr.length < minimum) {
    throw new TwinkitError(
      `${api}: ${name} must hold at least ${minimum} values to give an interval (a sample variance needs n >= 2), got ${arr.length}. ` +
        'Run at least two replications (or batches).',
      { code: 'INVALID_ARGUMENT', details: { name, n: arr.length } },
    );
  }
  for (let i = 0; i < arr.length; i++) {
    if (typeof arr[i] !== 'number' || !Number.isFinite(arr[i])) {
      throw invalidArgument(
        api,
        `${name}[${i}] must be a finite number`,
        arr[i],
        'Check the output function of that replication.',
      );
    }
  }
  return values as readonly number[];
}

/** Returns mean and sample variance (divisor n − 1) by Welford's update. @internal */
export function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const delta = x - mean;
    mean += delta / (i + 1);
    m2 += delta * (x - mean);
  }
  return { mean, variance: values.length > 1 ? m2 / (values.length - 1) : 0 };
}

/** Builds an interval from summary statistics. @internal */
export function intervalFromSummary(
  n: number,
  mean: number,
  variance: number,
  confidence: number,
): ConfidenceInterval {
  const sd = Math.sqrt(variance);
  const standardError = sd / Math.sqrt(n);
  const df = n - 1;
  const t = tQuantile(1 - (1 - confidence) / 2, df);
  const halfWidth = t * standardError;
  return {
    n,
    mean,
    sd,
    standardError,
    df,
    confidence,
    tQuantile: t,
    halfWidth,
    lower: mean - halfWidth,
    upper: mean + halfWidth,
    relativeHalfWidth: mean === 0 ? Number.POSITIVE_INFINITY : halfWidth / Math.abs(mean),
  };
}

/**
 * Returns the t-based confidence interval mean ± t_{1−α/2, n−1} · s/√n of independent, identically
 * distributed values (one per replication). Fewer than two values cannot give an interval: that is
 * an error, not NaN.
 *
 * @example
 * ```ts
 * const ci = confidenceInterval([5.1, 4.8, 5.6, 5.0], 0.95);
 * ci.lower; ci.upper; ci.relativeHalfWidth;
 * ```
 */
export function confidenceInterval(values: readonly number[], confidence = 0.95): ConfidenceInterval {
  const api = 'confidenceInterval(values, confidence)';
  checkSample(api, 'values', values);
  checkConfidence(api, confidence);
  const { mean, variance } = meanAndVariance(values);
  return intervalFromSummary(values.length, mean, variance, confidence);
}

/** Describes an interval for messages and reports, e.g. `5.71 ± 2.95 (95%, n = 10)`. */
export function formatInterval(ci: ConfidenceInterval, digits = 3): string {
  return `${ci.mean.toPrecision(digits)} ± ${ci.halfWidth.toPrecision(digits)} (${formatValue(Math.round(ci.confidence * 1000) / 10)}%, n = ${ci.n})`;
}
