import { invalidArgument } from '../errors';

/** Anything with a current time: a Simulation. */
export interface Clock {
  readonly now: number;
}

/**
 * The time-average of a level over simulated time (queue length, busy servers, stock on hand): each
 * value counts for as long as it held.
 *
 * @example
 * ```ts
 * const queueLength = new TimeWeighted(sim, 0);
 * queueLength.update(3);          // at sim.now
 * queueLength.mean;               // average level from the start (or the last reset) to sim.now
 * ```
 */
export class TimeWeighted {
  /** An optional name for reports. */
  readonly name: string | undefined;
  private readonly clock: Clock;
  private level: number;
  private since: number;
  private start: number;
  private area = 0;
  private lo: number;
  private hi: number;

  /**
   * Starts recording at `clock.now` with the level `initial` (default 0).
   *
   * @throws TwinkitError if `initial` is not finite.
   */
  constructor(clock: Clock, initial = 0, name?: string) {
    if (typeof initial !== 'number' || !Number.isFinite(initial)) {
      throw invalidArgument('new TimeWeighted(clock, initial)', 'initial must be a finite number', initial);
    }
    this.clock = clock;
    this.name = name;
    this.level = initial;
    this.since = clock.now;
    this.start = clock.now;
    this.lo = initial;
    this.hi = initial;
  }

  /**
   * Records that the level changes to `value` now.
   *
   * @throws TwinkitError if `value` is not finite or the clock went backwards.
   */
  update(value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalidArgument(
        `TimeWeighted${this.name ? `(${this.name})` : ''}.update(value)`,
        'value must be a finite number',
        value,
      );
    }
    const now = this.clock.now;
    this.area += this.level * (now - this.since);
    this.since = now;
    this.level = value;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
  }

  /** The current level. */
  get current(): number {
    return this.level;
  }

  /** The integral of the level over time from the start (or last reset) to now. */
  get integral(): number {
    return this.area + this.level * (this.clock.now - this.since);
  }

  /** Time elapsed since the start (or last reset). */
  get elapsed(): number {
    return this.clock.now - this.start;
  }

  /** Time-average of the level up to now (the current level when no time has elapsed). */
  get mean(): number {
    const elapsed = this.elapsed;
    return elapsed > 0 ? this.integral / elapsed : this.level;
  }

  /** Smallest level seen since the start (or last reset). */
  get min(): number {
    return this.lo;
  }

  /** Largest level seen since the start (or last reset). */
  get max(): number {
    return this.hi;
  }

  /** Restarts the average now, keeping the current level (for example at the end of a warm-up). */
  reset(): void {
    this.area = 0;
    this.since = this.clock.now;
    this.start = this.clock.now;
    this.lo = this.level;
    this.hi = this.level;
  }

  /** Returns the statistics as a plain object. */
  toJSON(): { name?: string; mean: number; current: number; min: number; max: number; elapsed: number } {
    return {
      ...(this.name === undefined ? {} : { name: this.name }),
      mean: this.mean,
      current: this.current,
      min: this.min,
      max: this.max,
      elapsed: this.elapsed,
    };
  }
}
