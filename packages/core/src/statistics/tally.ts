import { invalidArgument } from '../errors';

/**
 * The state of a {@link Tally} as plain, JSON-safe data (see {@link Tally.saveState}): enough to
 * continue it exactly, elsewhere or later.
 */
export interface TallyState {
  /** Number of observations. */
  count: number;
  /** Running mean (0 when empty). */
  mean: number;
  /** Running sum of squared deviations from the mean (Welford's M2). */
  sumOfSquares: number;
  /** Smallest observation, null when empty (JSON has no Infinity). */
  min: number | null;
  /** Largest observation, null when empty. */
  max: number | null;
  /** Sum of the observations. */
  sum: number;
}

/**
 * Accumulates observations (waiting times, cycle times) with Welford's algorithm: count, mean,
 * variance, min, max, in O(1) memory and numerically stable.
 *
 * @example
 * ```ts
 * const waits = new Tally('wait');
 * waits.add(1.5); waits.add(2.5);
 * waits.mean; // 2
 * ```
 */
export class Tally {
  /** An optional name for reports. */
  readonly name: string | undefined;
  private n = 0;
  private m = 0;
  private s = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;
  private total = 0;

  /** Creates an empty tally. */
  constructor(name?: string) {
    this.name = name;
  }

  /**
   * Adds one observation.
   *
   * @throws TwinkitError if `x` is not a finite number.
   */
  add(x: number): void {
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw invalidArgument(
        `Tally${this.name ? `(${this.name})` : ''}.add(x)`,
        'x must be a finite number',
        x,
      );
    }
    this.n++;
    const delta = x - this.m;
    this.m += delta / this.n;
    this.s += delta * (x - this.m);
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    this.total += x;
  }

  /** Number of observations. */
  get count(): number {
    return this.n;
  }

  /** Sum of the observations. */
  get sum(): number {
    return this.total;
  }

  /** Sample mean (NaN when there are no observations). */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.m;
  }

  /** Sample variance with n - 1 in the denominator (NaN with fewer than two observations). */
  get variance(): number {
    return this.n < 2 ? Number.NaN : this.s / (this.n - 1);
  }

  /** Sample standard deviation (NaN with fewer than two observations). */
  get stdDev(): number {
    return Math.sqrt(this.variance);
  }

  /** Smallest observation (NaN when empty). */
  get min(): number {
    return this.n === 0 ? Number.NaN : this.lo;
  }

  /** Largest observation (NaN when empty). */
  get max(): number {
    return this.n === 0 ? Number.NaN : this.hi;
  }

  /** Forgets every observation (for example at the end of a warm-up period). */
  reset(): void {
    this.n = 0;
    this.m = 0;
    this.s = 0;
    this.lo = Number.POSITIVE_INFINITY;
    this.hi = Number.NEGATIVE_INFINITY;
    this.total = 0;
  }

  /** Returns the tally's state as plain data, to continue it with {@link Tally.restoreState}. */
  saveState(): TallyState {
    return {
      count: this.n,
      mean: this.m,
      sumOfSquares: this.s,
      min: this.n === 0 ? null : this.lo,
      max: this.n === 0 ? null : this.hi,
      sum: this.total,
    };
  }

  /**
   * Continues from a state returned by {@link Tally.saveState} (replacing the observations so far):
   * further observations give the same figures, to the last bit, as they would have in the tally
   * that was saved.
   *
   * @throws TwinkitError if the state is malformed.
   */
  restoreState(state: TallyState): void {
    const api = `Tally${this.name ? `(${this.name})` : ''}.restoreState(state)`;
    const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    const empty = state?.count === 0;
    const ok =
      state !== null &&
      typeof state === 'object' &&
      Number.isInteger(state.count) &&
      state.count >= 0 &&
      finite(state.mean) &&
      finite(state.sumOfSquares) &&
      state.sumOfSquares >= 0 &&
      finite(state.sum) &&
      (empty ? state.min === null && state.max === null : finite(state.min) && finite(state.max));
    if (!ok) {
      throw invalidArgument(
        api,
        'state must come from Tally.saveState(): { count, mean, sumOfSquares, min, max, sum }, min and max null when count is 0',
        state,
        'Pass what saveState() returned (a JSON round trip is fine).',
      );
    }
    this.n = state.count;
    this.m = state.mean;
    this.s = state.sumOfSquares;
    this.lo = empty ? Number.POSITIVE_INFINITY : state.min!;
    this.hi = empty ? Number.NEGATIVE_INFINITY : state.max!;
    this.total = state.sum;
  }

  /** Returns the statistics as a plain object. */
  toJSON(): {
    name?: string;
    count: number;
    mean: number;
    variance: number;
    stdDev: number;
    min: number;
    max: number;
  } {
    return {
      ...(this.name === undefined ? {} : { name: this.name }),
      count: this.count,
      mean: this.mean,
      variance: this.variance,
      stdDev: this.stdDev,
      min: this.min,
      max: this.max,
    };
  }
}
