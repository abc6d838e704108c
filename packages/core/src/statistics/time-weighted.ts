import { invalidArgument } from '../errors';

/** Anything with a current time: a Simulation. */
export interface Clock {
  readonly now: number;
}

/**
 * The state of a {@link TimeWeighted} as plain, JSON-safe data (see {@link TimeWeighted.saveState}).
 */
export interface TimeWeightedState {
  /** The level now. */
  level: number;
  /** When the level last changed. */
  since: number;
  /** When recording started (creation or the last reset). */
  start: number;
  /** Integral of the level from `start` to `since`. */
  area: number;
  /** Smallest level since `start`. */
  min: number;
  /** Largest level since `start`. */
  max: number;
  /** The clock's time when the state was saved. */
  savedAt: number;
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

  /** Returns the state as plain data, to continue it with {@link TimeWeighted.restoreState}. */
  saveState(): TimeWeightedState {
    return {
      level: this.level,
      since: this.since,
      start: this.start,
      area: this.area,
      min: this.lo,
      max: this.hi,
      savedAt: this.clock.now,
    };
  }

  /**
   * Continues from a state returned by {@link TimeWeighted.saveState}, on this one's clock (a
   * restored simulation at or after the saved time): further updates give the same figures, to the
   * last bit, as they would have in the one that was saved.
   *
   * @throws TwinkitError if the state is malformed or was saved after the clock's current time.
   */
  restoreState(state: TimeWeightedState): void {
    const api = `TimeWeighted${this.name ? `(${this.name})` : ''}.restoreState(state)`;
    const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    const ok =
      state !== null &&
      typeof state === 'object' &&
      ['level', 'since', 'start', 'area', 'min', 'max', 'savedAt'].every((k) =>
        finite(state[k as keyof TimeWeightedState]),
      ) &&
      state.start <= state.since &&
      state.since <= state.savedAt &&
      state.min <= state.level &&
      state.level <= state.max;
    if (!ok) {
      throw invalidArgument(
        api,
        'state must come from TimeWeighted.saveState(): finite { level, since, start, area, min, max, savedAt } with start <= since <= savedAt and min <= level <= max',
        state,
        'Pass what saveState() returned (a JSON round trip is fine).',
      );
    }
    if (state.savedAt > this.clock.now) {
      throw invalidArgument(
        api,
        `the state must be saved at or before the clock's time ${this.clock.now}`,
        state.savedAt,
        'Restore into a simulation whose clock has reached the saved time.',
      );
    }
    this.level = state.level;
    this.since = state.since;
    this.start = state.start;
    this.area = state.area;
    this.lo = state.min;
    this.hi = state.max;
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
