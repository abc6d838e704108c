import { invalidArgument, rejectUnknownKeys, requireInteger } from '@twinkit/core/internal';
import {
  type ConfidenceInterval,
  checkConfidence,
  confidenceInterval,
} from '../confidence-interval/confidence-interval';

/** Options of {@link batchMeans}. */
export interface BatchMeansOptions {
  /** Number of batches; default 20. */
  batches?: number;
  /** Observations deleted at the start (the warm-up); default 0. */
  warmup?: number;
  /** Confidence of the interval; default 0.95. */
  confidence?: number;
}

/** A batch-means interval for the steady-state mean of one long run. */
export interface BatchMeans extends ConfidenceInterval {
  /** Observations per batch. */
  batchSize: number;
  /** Number of batches (the n of the interval). */
  batches: number;
  /** The batch means. */
  batchMeans: number[];
  /** Observations left out at the start after the warm-up so that batches are equal (fewer than one batch). */
  discarded: number;
  /**
   * Lag-1 autocorrelation of the batch means (Pearson correlation of consecutive means). Near 0 the
   * batches are long enough; above ~0.2 use fewer, longer batches.
   */
  lag1Autocorrelation: number;
}

/**
 * Returns a confidence interval for the steady-state mean of one long run by the method of
 * non-overlapping batch means: delete the warm-up, cut the rest into equal batches, and treat the
 * batch means as nearly independent values.
 */
export function batchMeans(series: readonly number[], options: BatchMeansOptions = {}): BatchMeans {
  const api = 'batchMeans(series, options)';
  if (!Array.isArray(series)) throw invalidArgument(api, 'series must be an array of numbers', series);
  rejectUnknownKeys(api, options, ['batches', 'warmup', 'confidence'], '{ batches: 20, warmup: 100 }');
  const batches = requireInteger(api, 'batches', options.batches ?? 20, 2, 'Use 10 to 30 batches.');
  const warmup = requireInteger(api, 'warmup', options.warmup ?? 0, 0);
  const confidence = checkConfidence(api, options.confidence ?? 0.95);
  const usable = series.length - warmup;
  const batchSize = Math.floor(usable / batches);
  if (batchSize < 1) {
    throw invalidArgument(
      api,
      `series must hold at least warmup + batches = ${warmup + batches} observations`,
      series.length,
      'Run longer or use fewer batches.',
    );
  }
  // Drop the remainder at the start, where the run is closest to its initial transient.
  const discarded = usable - batchSize * batches;
  const start = warmup + discarded;
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let sum = 0;
    for (let i = 0; i < batchSize; i++) {
      const v = series[start + b * batchSize + i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw invalidArgument(api, `series[${start + b * batchSize + i}] must be a finite number`, v);
      }
      sum += v;
    }
    means.push(sum / batchSize);
  }
  const ci = confidenceInterval(means, confidence);
  return {
    ...ci,
    batchSize,
    batches,
    batchMeans: means,
    discarded,
    lag1Autocorrelation: lag1Autocorrelation(means),
  };
}

/** Returns the Pearson correlation of (x₀…x_{n−2}) with (x₁…x_{n−1}); 0 when either part is constant. */
export function lag1Autocorrelation(values: readonly number[]): number {
  const n = values.length - 1;
  if (n < 2)
    throw invalidArgument(
      'lag1Autocorrelation(values)',
      'values must hold at least 3 numbers',
      values.length,
    );
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += values[i]! / n;
    mb += values[i + 1]! / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = values[i]! - ma;
    const db = values[i + 1]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}
