import { invalidArgument, rejectUnknownKeys, requireInteger } from '@twinkit/core/internal';
import {
  type ConfidenceInterval,
  checkConfidence,
  intervalFromSummary,
} from '../confidence-interval/confidence-interval';

/** Options of {@link SequentialStopper}. */
export interface SequentialStoppingOptions {
  /**
   * Target relative error γ of the mean: stop when halfWidth/|mean| <= γ/(1 + γ), which bounds the
   * relative error |mean − μ|/|μ| by γ with the requested confidence (Law & Kelton's relative
   * precision rule).
   */
  relativePrecision: number;
  /** Confidence of the interval; default 0.95. */
  confidence?: number;
  /** Values needed before the rule is checked (>= 2); default 2. More guards against stopping early by luck. */
  minReplications?: number;
  /** The cap: stop here whatever the precision. */
  maxReplications: number;
}

/** The verdict after a value was added. */
export interface SequentialStep {
  /** Values so far. */
  n: number;
  /** The interval so far (null with fewer than two values). */
  interval: ConfidenceInterval | null;
  /** halfWidth/|mean| so far (Infinity with fewer than two values or a zero mean). */
  relativeHalfWidth: number;
  /** Whether to stop. */
  stop: boolean;
  /** Why it stops: the precision was reached, or the cap; null while it continues. */
  reason: 'precision' | 'cap' | null;
}

/**
 * Decides, one replication at a time, when the confidence interval of a mean is precise enough:
 * add each new value and stop when `stop` is true (precision reached, or the cap).
 *
 * @example
 * ```ts
 * const stopper = new SequentialStopper({ relativePrecision: 0.05, maxReplications: 200 });
 * let step;
 * do step = stopper.add(runOnce(stopper.n)); while (!step.stop);
 * ```
 */
export class SequentialStopper {
  /** Target relative error γ. */
  readonly relativePrecision: number;
  /** Threshold of the relative half-width, γ/(1 + γ). */
  readonly threshold: number;
  /** Confidence level. */
  readonly confidence: number;
  /** Values before the rule applies. */
  readonly minReplications: number;
  /** The cap. */
  readonly maxReplications: number;
  private count = 0;
  private mean = 0;
  private m2 = 0;

  /** Creates a stopper. */
  constructor(options: SequentialStoppingOptions) {
    const api = 'SequentialStopper(options)';
    rejectUnknownKeys(
      api,
      options,
      ['relativePrecision', 'confidence', 'minReplications', 'maxReplications'],
      '{ relativePrecision: 0.05, maxReplications: 200 }',
    );
    const gamma = options?.relativePrecision;
    if (typeof gamma !== 'number' || !(gamma > 0) || !Number.isFinite(gamma)) {
      throw invalidArgument(
        api,
        'relativePrecision must be a finite number > 0',
        gamma,
        'Pass e.g. 0.05 for ±5% of the mean.',
      );
    }
    this.relativePrecision = gamma;
    this.threshold = gamma / (1 + gamma);
    this.confidence = checkConfidence(api, options.confidence ?? 0.95);
    this.minReplications = requireInteger(
      api,
      'minReplications',
      options.minReplications ?? 2,
      2,
      'An interval needs at least 2 values.',
    );
    this.maxReplications = requireInteger(
      api,
      'maxReplications',
      options.maxReplications,
      this.minReplications,
      'The cap must allow the minimum number of replications.',
    );
  }

  /** Returns the number of values added. */
  get n(): number {
    return this.count;
  }

  /** Adds the output of the next replication and returns the verdict. */
  add(value: number): SequentialStep {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalidArgument(
        'SequentialStopper.add(value)',
        `value of replication ${this.count} must be a finite number`,
        value,
      );
    }
    this.count++;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    return this.verdict();
  }

  /** Returns the verdict on the values added so far. */
  verdict(): SequentialStep {
    const n = this.count;
    const interval = n >= 2 ? intervalFromSummary(n, this.mean, this.m2 / (n - 1), this.confidence) : null;
    const relativeHalfWidth = interval?.relativeHalfWidth ?? Number.POSITIVE_INFINITY;
    const precise = n >= this.minReplications && relativeHalfWidth <= this.threshold;
    const capped = n >= this.maxReplications;
    return {
      n,
      interval,
      relativeHalfWidth,
      stop: precise || capped,
      reason: precise ? 'precision' : capped ? 'cap' : null,
    };
  }
}
