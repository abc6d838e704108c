import { invalidArgument, rejectUnknownKeys, requireInteger } from '@twinkit/core/internal';
import { chiSquareQuantile } from '../distributions/quantiles';

/** Two-sided band of a chi-square statistic. */
export interface ChiSquareBand {
  /** Lower bound. */
  lower: number;
  /** Upper bound. */
  upper: number;
}

/**
 * Returns the two-sided `confidence` band of the average of `samples` chi-square statistics with
 * `dof` degrees of freedom each (the band of NIS or NEES averaged over time or over Monte Carlo runs):
 * [χ²_{α/2}(samples·dof), χ²_{1−α/2}(samples·dof)] / samples.
 */
export function chiSquareBand(dof: number, samples = 1, confidence = 0.95): ChiSquareBand {
  const api = 'chiSquareBand(dof, samples, confidence)';
  if (!(dof > 0))
    throw invalidArgument(
      api,
      'dof must be > 0',
      dof,
      'Use the measurement (NIS) or state (NEES) dimension.',
    );
  requireInteger(api, 'samples', samples, 1);
  if (!(confidence > 0 && confidence < 1))
    throw invalidArgument(api, 'confidence must be within (0, 1)', confidence);
  const alpha = 1 - confidence;
  const total = dof * samples;
  return {
    lower: chiSquareQuantile(alpha / 2, total) / samples,
    upper: chiSquareQuantile(1 - alpha / 2, total) / samples,
  };
}

/** Options of {@link ConsistencyMonitor}. */
export interface ConsistencyMonitorOptions {
  /** Number of recent measurement updates averaged; default 20. */
  window?: number;
  /** Confidence of the chi-square band; default 0.95. */
  confidence?: number;
}

/** Verdict of the monitor after an update. */
export type ConsistencyState = 'warming-up' | 'consistent' | 'too-large' | 'too-small';

/** What {@link ConsistencyMonitor.observe} returns. */
export interface ConsistencyStatus {
  /** `'too-large'`: innovations larger than the filter believes (model error, drift, R or Q too small); `'too-small'`: the filter is too pessimistic. */
  state: ConsistencyState;
  /** Mean NIS per degree of freedom over the window (1 for a consistent filter). */
  averageNis: number;
  /** Lower bound of the band of the window's NIS sum, per degree of freedom. */
  lower: number;
  /** Upper bound of the band, per degree of freedom. */
  upper: number;
  /** Measurement updates in the window. */
  samples: number;
}

/**
 * Flags a filter whose normalized innovations squared (NIS) leave their chi-square band: the sum of
 * NIS over a sliding window of updates is chi-square with Σm degrees of freedom when the filter is
 * consistent. A twin uses the flag as a drift alert: the model no longer explains the data.
 *
 * @example
 * ```ts
 * const monitor = new ConsistencyMonitor({ window: 20 });
 * const status = monitor.observe(kf.update([z]));
 * if (status.state === 'too-large') raiseDriftAlert(status.averageNis);
 * ```
 */
export class ConsistencyMonitor {
  /** Window length in measurement updates. */
  readonly window: number;
  /** Band confidence. */
  readonly confidence: number;
  private readonly nis: number[] = [];
  private readonly dofs: number[] = [];
  private flagged = 0;

  /** Creates a monitor. */
  constructor(options: ConsistencyMonitorOptions = {}) {
    const api = 'ConsistencyMonitor(options)';
    rejectUnknownKeys(api, options, ['window', 'confidence'], '{ window: 20 }');
    this.window = requireInteger(api, 'window', options.window ?? 20, 1);
    this.confidence = options.confidence ?? 0.95;
    if (!(this.confidence > 0 && this.confidence < 1))
      throw invalidArgument(api, 'confidence must be within (0, 1)', options.confidence);
  }

  /** Returns how many updates (once the window was full) fell outside the band. */
  get alerts(): number {
    return this.flagged;
  }

  /**
   * Adds an update result (anything with `kind`, and `nis` and `innovation` for a measurement);
   * missing updates leave the window unchanged. Returns the verdict and counts it in `alerts` when out of band.
   */
  observe(result: {
    kind: 'measurement' | 'missing';
    nis?: number;
    innovation?: readonly number[];
  }): ConsistencyStatus {
    if (result.kind === 'measurement') {
      const nis = result.nis;
      const dof = result.innovation?.length;
      if (typeof nis !== 'number' || !Number.isFinite(nis) || dof === undefined || dof < 1) {
        throw invalidArgument(
          'ConsistencyMonitor.observe(result)',
          'a measurement result must carry a finite nis and its innovation',
          result,
          'Pass what a filter update returned.',
        );
      }
      this.nis.push(nis);
      this.dofs.push(dof);
      if (this.nis.length > this.window) {
        this.nis.shift();
        this.dofs.shift();
      }
    }
    const status = this.status();
    if (result.kind === 'measurement' && (status.state === 'too-large' || status.state === 'too-small'))
      this.flagged++;
    return status;
  }

  /** Returns the verdict on the current window without adding anything. */
  status(): ConsistencyStatus {
    const samples = this.nis.length;
    const dof = this.dofs.reduce((a, b) => a + b, 0);
    const sum = this.nis.reduce((a, b) => a + b, 0);
    if (samples < this.window) {
      return {
        state: 'warming-up',
        averageNis: samples === 0 ? 0 : sum / dof,
        lower: 0,
        upper: Number.POSITIVE_INFINITY,
        samples,
      };
    }
    const band = chiSquareBand(dof, 1, this.confidence);
    const state: ConsistencyState =
      sum > band.upper ? 'too-large' : sum < band.lower ? 'too-small' : 'consistent';
    return { state, averageNis: sum / dof, lower: band.lower / dof, upper: band.upper / dof, samples };
  }
}
