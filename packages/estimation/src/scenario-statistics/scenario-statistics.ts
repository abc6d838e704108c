import { TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import {
  type ConfidenceInterval,
  checkConfidence,
  checkSample,
  intervalFromSummary,
  meanAndVariance,
} from '../confidence-interval/confidence-interval';
import { tCdf, tQuantile } from '../distributions/quantiles';

/** A paired-t comparison of two scenarios run with common random numbers: an interval for the mean of a − b. */
export interface PairedComparison extends ConfidenceInterval {
  /** t statistic mean / standard error. */
  tStatistic: number;
  /** Two-sided p-value of "no difference". */
  pValue: number;
}

/** Welch's comparison of two scenarios run with independent streams (unequal variances allowed). */
export interface WelchComparison {
  /** mean(a) − mean(b). */
  difference: number;
  /** Standard error √(s_a²/n_a + s_b²/n_b). */
  standardError: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Confidence level. */
  confidence: number;
  /** t_{1−α/2, df}. */
  tQuantile: number;
  /** Half-width of the interval of the difference. */
  halfWidth: number;
  /** Lower end. */
  lower: number;
  /** Upper end. */
  upper: number;
  /** t statistic difference / standard error. */
  tStatistic: number;
  /** Two-sided p-value of "no difference". */
  pValue: number;
}

function twoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/**
 * Returns the paired-t interval of the difference a − b of two scenarios whose replication i used
 * the same random numbers (common random numbers): the interval of the mean of the differences.
 */
export function pairedComparison(
  a: readonly number[],
  b: readonly number[],
  confidence = 0.95,
): PairedComparison {
  const api = 'pairedComparison(a, b, confidence)';
  checkSample(api, 'a', a);
  checkSample(api, 'b', b);
  checkConfidence(api, confidence);
  if (a.length !== b.length) {
    throw invalidArgument(
      api,
      `a and b must have the same length (replication i of each used the same random numbers), but a has ${a.length} and b has ${b.length}`,
      { a: a.length, b: b.length },
      'Use welchComparison for independent runs of different lengths.',
    );
  }
  const differences = a.map((x, i) => x - b[i]!);
  const { mean, variance } = meanAndVariance(differences);
  const ci = intervalFromSummary(differences.length, mean, variance, confidence);
  const tStatistic =
    ci.standardError === 0
      ? mean === 0
        ? 0
        : Math.sign(mean) * Number.POSITIVE_INFINITY
      : mean / ci.standardError;
  return {
    ...ci,
    tStatistic,
    pValue: mean === 0 && ci.standardError === 0 ? 1 : twoSidedP(tStatistic, ci.df),
  };
}

/** Returns Welch's interval and test of the difference a − b of two scenarios run with independent streams. */
export function welchComparison(
  a: readonly number[],
  b: readonly number[],
  confidence = 0.95,
): WelchComparison {
  const api = 'welchComparison(a, b, confidence)';
  checkSample(api, 'a', a);
  checkSample(api, 'b', b);
  checkConfidence(api, confidence);
  const sa = meanAndVariance(a);
  const sb = meanAndVariance(b);
  const va = sa.variance / a.length;
  const vb = sb.variance / b.length;
  const standardError = Math.sqrt(va + vb);
  if (standardError === 0) {
    throw new TwinkitError(
      `${api}: both samples have zero variance, so Welch's degrees of freedom are undefined (got constant samples ${sa.mean} and ${sb.mean}). ` +
        'Check that the outputs vary between replications.',
      { code: 'NUMERIC', details: { meanA: sa.mean, meanB: sb.mean } },
    );
  }
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const difference = sa.mean - sb.mean;
  const t = tQuantile(1 - (1 - confidence) / 2, df);
  const halfWidth = t * standardError;
  const tStatistic = difference / standardError;
  return {
    difference,
    standardError,
    df,
    confidence,
    tQuantile: t,
    halfWidth,
    lower: difference - halfWidth,
    upper: difference + halfWidth,
    tStatistic,
    pValue: twoSidedP(tStatistic, df),
  };
}

/** Returns the per-comparison confidence 1 − (1 − confidence)/comparisons that keeps the family-wise level (Bonferroni). */
export function bonferroniConfidence(confidence: number, comparisons: number): number {
  const api = 'bonferroniConfidence(confidence, comparisons)';
  checkConfidence(api, confidence);
  if (!Number.isInteger(comparisons) || comparisons < 1) {
    throw invalidArgument(
      api,
      'comparisons must be an integer >= 1',
      comparisons,
      'With k scenarios compared pairwise, pass k(k − 1)/2.',
    );
  }
  return 1 - (1 - confidence) / comparisons;
}

/** How much common random numbers reduced the variance of a difference. */
export interface VarianceReduction {
  /** Sample variance of the paired differences a − b (what CRN gave). */
  pairedVariance: number;
  /** var(a) + var(b): the variance of a difference of independent runs with the same marginal variances. */
  independentVariance: number;
  /** 1 − paired/independent: 0.8 means CRN removed 80% of the variance. */
  reduction: number;
  /** Correlation between a and b that CRN induced. */
  correlation: number;
}

/** Returns the variance reduction that common random numbers gave to the difference of two paired scenarios. */
export function crnVarianceReduction(a: readonly number[], b: readonly number[]): VarianceReduction {
  const api = 'crnVarianceReduction(a, b)';
  checkSample(api, 'a', a);
  checkSample(api, 'b', b);
  if (a.length !== b.length) {
    throw invalidArgument(
      api,
      'a and b must be paired (same length)',
      { a: a.length, b: b.length },
      'Pass the outputs of the same replications.',
    );
  }
  const pairedVariance = meanAndVariance(a.map((x, i) => x - b[i]!)).variance;
  const va = meanAndVariance(a).variance;
  const vb = meanAndVariance(b).variance;
  const independentVariance = va + vb;
  if (independentVariance === 0) {
    throw new TwinkitError(
      `${api}: both samples are constant, so there is no variance to reduce. Check the outputs.`,
      { code: 'NUMERIC' },
    );
  }
  const ma = meanAndVariance(a).mean;
  const mb = meanAndVariance(b).mean;
  let cov = 0;
  for (let i = 0; i < a.length; i++) cov += (a[i]! - ma) * (b[i]! - mb);
  cov /= a.length - 1;
  const denominator = Math.sqrt(va * vb);
  return {
    pairedVariance,
    independentVariance,
    reduction: 1 - pairedVariance / independentVariance,
    correlation: denominator === 0 ? 0 : cov / denominator,
  };
}

/** One pairwise comparison of {@link pairwiseComparisons}. */
export type ScenarioComparison =
  | ({ first: string; second: string; method: 'paired' } & PairedComparison)
  | ({ first: string; second: string; method: 'welch' } & WelchComparison);

/**
 * Compares every pair of scenarios (first − second) with intervals whose confidence is adjusted by
 * Bonferroni when there are more than two scenarios, so that all intervals hold together with the
 * requested confidence. `paired: true` (common random numbers) uses paired-t; otherwise Welch.
 */
export function pairwiseComparisons(
  samples: Record<string, readonly number[]>,
  options: { confidence?: number; paired?: boolean } = {},
): { familyConfidence: number; perComparisonConfidence: number; comparisons: ScenarioComparison[] } {
  const api = 'pairwiseComparisons(samples, options)';
  rejectUnknownKeys(api, options, ['confidence', 'paired'], '{ paired: true }');
  const names = Object.keys(samples);
  if (names.length < 2) {
    throw invalidArgument(
      api,
      'samples must hold at least two scenarios',
      names,
      'Pass { baseline: [...], variant: [...] }.',
    );
  }
  const confidence = checkConfidence(api, options.confidence ?? 0.95);
  const count = (names.length * (names.length - 1)) / 2;
  const perComparisonConfidence = count > 1 ? bonferroniConfidence(confidence, count) : confidence;
  const comparisons: ScenarioComparison[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const first = names[i]!;
      const second = names[j]!;
      const a = samples[first]!;
      const b = samples[second]!;
      if (options.paired === true) {
        comparisons.push({
          first,
          second,
          method: 'paired',
          ...pairedComparison(a, b, perComparisonConfidence),
        });
      } else {
        comparisons.push({
          first,
          second,
          method: 'welch',
          ...welchComparison(a, b, perComparisonConfidence),
        });
      }
    }
  }
  return { familyConfidence: confidence, perComparisonConfidence, comparisons };
}
