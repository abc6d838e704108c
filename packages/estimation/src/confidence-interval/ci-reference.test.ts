/**
 * Output analysis against scipy 1.10.1 (fixtures/stats/ci_reference.json): t intervals, paired and
 * Welch comparisons, Bonferroni, batch means and the sequential relative-precision rule.
 */
import { describe, expect, it } from 'vitest';
import { compareAll, readJsonFixture } from '../../test/support/fixtures';
import { batchMeans, lag1Autocorrelation } from '../batch-means/batch-means';
import {
  bonferroniConfidence,
  pairedComparison,
  welchComparison,
} from '../scenario-statistics/scenario-statistics';
import { SequentialStopper } from '../sequential-stopping/sequential-stopping';
import { confidenceInterval } from './confidence-interval';

interface Ci {
  n: number;
  mean: number;
  sd: number;
  t_quantile: number;
  half_width: number;
  lo: number;
  hi: number;
  rel_half_width: number;
}
interface Welch {
  diff: number;
  df_welch_satterthwaite: number;
  t_quantile: number;
  half_width: number;
  lo: number;
  hi: number;
  scipy_ttest_ind_equal_var_False_p: number;
}
interface Reference {
  alpha: number;
  inputs: { A: number[]; B: number[]; C: number[]; ar1_batch_means: number[] };
  ci_A: Ci;
  ci_B: Ci;
  ci_C: Ci;
  paired_A_minus_B: Ci & { scipy_ttest_rel_p: number };
  welch_A_minus_C: Welch;
  welch_A_minus_B_ignoring_CRN_pairing: Welch;
  bonferroni: {
    k: number;
    per_comparison_alpha: number;
    A_minus_B_paired: Ci;
    A_minus_C_welch: Welch;
    B_minus_C_welch: Welch;
  };
  batch_means_ar1: Ci & { batch_size: number; n_batches: number; lag1_autocorr_of_batch_means: number };
  sequential_relative_precision_A: {
    gamma: number;
    gamma_prime: number;
    steps: { i: number; rel_half_width: number; stop: boolean }[];
  };
}

const ref = readJsonFixture<Reference>('stats/ci_reference.json');
const confidence = 1 - ref.alpha;

function ciPairs(actual: ReturnType<typeof confidenceInterval>, expected: Ci): [string, number, number][] {
  return [
    ['n', actual.n, expected.n],
    ['mean', actual.mean, expected.mean],
    ['sd', actual.sd, expected.sd],
    ['t', actual.tQuantile, expected.t_quantile],
    ['halfWidth', actual.halfWidth, expected.half_width],
    ['lower', actual.lower, expected.lo],
    ['upper', actual.upper, expected.hi],
    ['relativeHalfWidth', actual.relativeHalfWidth, expected.rel_half_width],
  ];
}

function welchPairs(actual: ReturnType<typeof welchComparison>, expected: Welch): [string, number, number][] {
  return [
    ['difference', actual.difference, expected.diff],
    ['df', actual.df, expected.df_welch_satterthwaite],
    ['t', actual.tQuantile, expected.t_quantile],
    ['halfWidth', actual.halfWidth, expected.half_width],
    ['lower', actual.lower, expected.lo],
    ['upper', actual.upper, expected.hi],
    ['pValue', actual.pValue, expected.scipy_ttest_ind_equal_var_False_p],
  ];
}

// jstat's t quantile is polished by Newton steps on its CDF, which is accurate to ~1e-11: every
// figure agrees with scipy within 1e-9 absolute + 1e-8 relative, the filters' tolerance.
describe('output analysis against scipy (ci_reference.json)', () => {
  it('reproduces the t intervals of A, B and C', () => {
    const errors: string[] = [];
    compareAll(errors, 'A', ciPairs(confidenceInterval(ref.inputs.A, confidence), ref.ci_A));
    compareAll(errors, 'B', ciPairs(confidenceInterval(ref.inputs.B, confidence), ref.ci_B));
    compareAll(errors, 'C', ciPairs(confidenceInterval(ref.inputs.C, confidence), ref.ci_C));
    expect(errors).toEqual([]);
  });

  it('reproduces the paired-t interval and p-value of A − B (common random numbers)', () => {
    const paired = pairedComparison(ref.inputs.A, ref.inputs.B, confidence);
    const errors: string[] = [];
    compareAll(errors, 'paired', [
      ...ciPairs(paired, ref.paired_A_minus_B),
      ['pValue', paired.pValue, ref.paired_A_minus_B.scipy_ttest_rel_p],
    ]);
    expect(errors).toEqual([]);
  });

  it("reproduces Welch's intervals of A − C and of A − B ignoring the pairing", () => {
    const errors: string[] = [];
    compareAll(
      errors,
      'A-C',
      welchPairs(welchComparison(ref.inputs.A, ref.inputs.C, confidence), ref.welch_A_minus_C),
    );
    compareAll(
      errors,
      'A-B unpaired',
      welchPairs(
        welchComparison(ref.inputs.A, ref.inputs.B, confidence),
        ref.welch_A_minus_B_ignoring_CRN_pairing,
      ),
    );
    expect(errors).toEqual([]);
    // Pairing (CRN) gives a much narrower interval of the same difference.
    expect(ref.paired_A_minus_B.half_width).toBeLessThan(
      ref.welch_A_minus_B_ignoring_CRN_pairing.half_width / 4,
    );
  });

  it('reproduces the Bonferroni-adjusted intervals for three scenarios', () => {
    const b = ref.bonferroni;
    const level = bonferroniConfidence(confidence, b.k);
    const errors: string[] = [];
    compareAll(errors, 'alpha', [['per-comparison alpha', 1 - level, b.per_comparison_alpha]]);
    compareAll(
      errors,
      'A-B',
      ciPairs(pairedComparison(ref.inputs.A, ref.inputs.B, level), b.A_minus_B_paired),
    );
    compareAll(
      errors,
      'A-C',
      welchPairs(welchComparison(ref.inputs.A, ref.inputs.C, level), b.A_minus_C_welch),
    );
    compareAll(
      errors,
      'B-C',
      welchPairs(welchComparison(ref.inputs.B, ref.inputs.C, level), b.B_minus_C_welch),
    );
    expect(errors).toEqual([]);
  });

  it('reproduces the batch-means interval and the lag-1 autocorrelation of the AR(1) batch means', () => {
    const r = ref.batch_means_ar1;
    const means = ref.inputs.ar1_batch_means;
    // A series whose batches of 1000 have exactly the reference batch means.
    const series = means.flatMap((m) => new Array<number>(r.batch_size).fill(m));
    const bm = batchMeans(series, { batches: r.n_batches, confidence });
    const errors: string[] = [];
    compareAll(errors, 'batch means', [
      ...ciPairs(bm, r),
      ['batchSize', bm.batchSize, r.batch_size],
      ['lag1', bm.lag1Autocorrelation, r.lag1_autocorr_of_batch_means],
      ['lag1 direct', lag1Autocorrelation(means), r.lag1_autocorr_of_batch_means],
    ]);
    expect(errors).toEqual([]);
  });

  it('reproduces the relative-precision sequence of A and does not stop before gamma/(1+gamma)', () => {
    const s = ref.sequential_relative_precision_A;
    const stopper = new SequentialStopper({ relativePrecision: s.gamma, confidence, maxReplications: 1000 });
    expect(stopper.threshold).toBeCloseTo(s.gamma_prime, 15);
    const errors: string[] = [];
    const byIndex = new Map(s.steps.map((step) => [step.i, step]));
    ref.inputs.A.forEach((value, index) => {
      const step = stopper.add(value);
      const expected = byIndex.get(index + 1);
      if (expected) {
        compareAll(errors, `i=${expected.i}`, [
          ['relativeHalfWidth', step.relativeHalfWidth, expected.rel_half_width],
        ]);
        expect(step.stop).toBe(expected.stop);
      }
    });
    expect(errors).toEqual([]);
  });
});
