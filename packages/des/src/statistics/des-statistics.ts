import { type Clock, Tally, type TallyState, TimeWeighted, type TimeWeightedState } from '@twinkit/core';
import { invalidArgument } from '@twinkit/core/internal';

/** A plain snapshot of a time-weighted level (see {@link DesStatistics.toJSON}). */
export interface LevelSummary {
  /** Time-average since the start or the last reset. */
  mean: number;
  /** The level now. */
  current: number;
  /** Smallest level since the start or the last reset. */
  min: number;
  /** Largest level since the start or the last reset. */
  max: number;
}

/** A plain snapshot of a tally of durations (see {@link DesStatistics.toJSON}). */
export interface TallySummary {
  /** Number of observations. */
  count: number;
  /** Sample mean (NaN with no observation). */
  mean: number;
  /** Sample standard deviation (NaN with fewer than two observations). */
  stdDev: number;
  /** Smallest observation (NaN with no observation). */
  min: number;
  /** Largest observation (NaN with no observation). */
  max: number;
}

/** The counts a {@link DesStatistics} keeps since its start or last reset. */
export interface DesCounters {
  /** Requests made (Resource) or get requests made (Container, Store). */
  arrivals: number;
  /** Requests released (Resource) or get requests granted (Container, Store). */
  departures: number;
  /** Put requests made (Container, Store). */
  puts: number;
  /** Waiting requests withdrawn with `cancel()` before being granted (either side). */
  reneges: number;
  /** Requests refused because the waiting line was full (either side). */
  balks: number;
  /** Users preempted (PreemptiveResource). */
  preemptions: number;
}

/** A plain snapshot of a {@link DesStatistics}, for reports and JSON. */
export interface DesStatisticsSnapshot extends DesCounters {
  /** Time the statistics started (creation or last reset). */
  since: number;
  /** Simulated time covered: now - since. */
  elapsed: number;
  /** Time-average fraction of the capacity in use, or null when the capacity is unlimited. */
  utilization: number | null;
  /** Units in use (Resource), level (Container) or items held (Store). */
  inUse: LevelSummary;
  /** Requests (Resource) or get requests (Container, Store) waiting. */
  queueLength: LevelSummary;
  /** Put requests waiting for room (Container, Store). */
  putQueueLength: LevelSummary;
  /** Waiting times of granted requests (Resource) or get requests (Container, Store). */
  waitingTime: TallySummary;
  /** Waiting times of completed put requests (Container, Store). */
  putWaitingTime: TallySummary;
}

/**
 * The state of a {@link DesStatistics} as plain, JSON-safe data (see {@link DesStatistics.saveState}),
 * for a model's snapshot hooks: a resource rebuilt from a snapshot continues its statistics exactly.
 */
export interface DesStatisticsState extends DesCounters {
  /** The capacity over time, or null for an unlimited capacity. */
  capacity: TimeWeightedState | null;
  /** State of {@link DesStatistics.inUse}. */
  inUse: TimeWeightedState;
  /** State of {@link DesStatistics.queueLength}. */
  queueLength: TimeWeightedState;
  /** State of {@link DesStatistics.putQueueLength}. */
  putQueueLength: TimeWeightedState;
  /** State of {@link DesStatistics.waitingTime}. */
  waitingTime: TallyState;
  /** State of {@link DesStatistics.putWaitingTime}. */
  putWaitingTime: TallyState;
}

const COUNTERS: readonly (keyof DesCounters)[] = [
  'arrivals',
  'departures',
  'puts',
  'reneges',
  'balks',
  'preemptions',
];

/**
 * Holds the statistics every resource, container and store keeps as it runs: time-weighted usage and
 * queue lengths, tallies of waiting times, and counts of arrivals, departures, reneges, balks and
 * preemptions. Read it at any time as `res.stats`; call {@link DesStatistics.reset} at the end of a
 * warm-up period to restart every figure from the current state.
 *
 * @example
 * ```ts
 * sim.run({ until: warmUp });
 * counter.stats.reset();
 * sim.run({ until: warmUp + horizon });
 * counter.stats.waitingTime.mean; counter.stats.queueLength.mean; counter.stats.utilization;
 * ```
 */
export class DesStatistics {
  /** Units in use (Resource), level (Container) or items held (Store), weighted by time. */
  readonly inUse: TimeWeighted;
  /** Waiting requests (Resource) or get requests (Container, Store), weighted by time. */
  readonly queueLength: TimeWeighted;
  /** Waiting put requests (Container, Store), weighted by time. */
  readonly putQueueLength: TimeWeighted;
  /** Waiting times of granted requests (Resource) or get requests (Container, Store). */
  readonly waitingTime: Tally;
  /** Waiting times of completed put requests (Container, Store). */
  readonly putWaitingTime: Tally;
  /** Requests made (Resource) or get requests made (Container, Store) since the last reset. */
  arrivals = 0;
  /** Requests released (Resource) or get requests granted (Container, Store) since the last reset. */
  departures = 0;
  /** Put requests made (Container, Store) since the last reset. */
  puts = 0;
  /** Waiting requests withdrawn before being granted since the last reset. */
  reneges = 0;
  /** Requests refused because the waiting line was full since the last reset. */
  balks = 0;
  /** Users preempted since the last reset. */
  preemptions = 0;
  private readonly clock: Clock;
  /** Capacity over time (null when unlimited), so utilization stays right when capacity changes. */
  private readonly capacityLevel: TimeWeighted | null;

  /** @internal Created by the resource that owns it. */
  constructor(clock: Clock, initialInUse: number, capacity: number, name: string) {
    this.clock = clock;
    this.capacityLevel =
      capacity === Number.POSITIVE_INFINITY ? null : new TimeWeighted(clock, capacity, `${name}.capacity`);
    this.inUse = new TimeWeighted(clock, initialInUse, `${name}.inUse`);
    this.queueLength = new TimeWeighted(clock, 0, `${name}.queueLength`);
    this.putQueueLength = new TimeWeighted(clock, 0, `${name}.putQueueLength`);
    this.waitingTime = new Tally(`${name}.waitingTime`);
    this.putWaitingTime = new Tally(`${name}.putWaitingTime`);
  }

  /**
   * Fraction of the capacity in use, averaged over time (the integral of the usage over the integral
   * of the capacity, so it stays right when the capacity changes), or null when the capacity is
   * unlimited.
   */
  get utilization(): number | null {
    const capacity = this.capacityLevel;
    if (capacity === null) return null;
    const offered = capacity.integral;
    return offered > 0 ? this.inUse.integral / offered : this.inUse.current / capacity.current;
  }

  /** @internal Records a change of capacity (Resource.setCapacity). */
  _capacityChanged(capacity: number): void {
    this.capacityLevel?.update(capacity);
  }

  /** Time the statistics started: creation or the last reset. */
  get since(): number {
    return this.clock.now - this.inUse.elapsed;
  }

  /**
   * Restarts every statistic now, keeping the current levels (call it at the end of a warm-up).
   * Requests waiting at the reset count their whole wait when they are granted.
   */
  reset(): void {
    this.capacityLevel?.reset();
    this.inUse.reset();
    this.queueLength.reset();
    this.putQueueLength.reset();
    this.waitingTime.reset();
    this.putWaitingTime.reset();
    this.arrivals = 0;
    this.departures = 0;
    this.puts = 0;
    this.reneges = 0;
    this.balks = 0;
    this.preemptions = 0;
  }

  /**
   * Returns the statistics' state as plain data, for a model's snapshot hooks (restore it with
   * {@link DesStatistics.restoreState}). Unlike {@link DesStatistics.toJSON}, which reports figures,
   * this holds what the figures continue from.
   */
  saveState(): DesStatisticsState {
    return {
      capacity: this.capacityLevel?.saveState() ?? null,
      inUse: this.inUse.saveState(),
      queueLength: this.queueLength.saveState(),
      putQueueLength: this.putQueueLength.saveState(),
      waitingTime: this.waitingTime.saveState(),
      putWaitingTime: this.putWaitingTime.saveState(),
      ...this.counters(),
    };
  }

  /**
   * Continues from a state returned by {@link DesStatistics.saveState}, replacing what this object
   * recorded so far (call it in a snapshot's `restore`, after re-creating the resource and putting its
   * items, users and waiting requests back, each request dated back with `resumeFrom`): the figures
   * then continue as the saved resource's would have.
   *
   * @example
   * ```ts
   * // save(model): { items: model.buffer.items, stats: model.buffer.stats.saveState() }
   * // restore(sim, params, saved):
   * const buffer = new Store<Part>(sim, { capacity: 10 });
   * for (const item of saved.items) buffer.put(item);
   * buffer.stats.restoreState(saved.stats); // the puts above were not new arrivals
   * ```
   *
   * @throws TwinkitError if the state is malformed, belongs to a resource with another kind of
   * capacity (limited or not), or was saved after the clock's time.
   */
  restoreState(state: DesStatisticsState): void {
    const api = 'DesStatistics.restoreState(state)';
    if (state === null || typeof state !== 'object') {
      throw invalidArgument(api, 'state must come from DesStatistics.saveState()', state);
    }
    if ((state.capacity === null) !== (this.capacityLevel === null)) {
      throw invalidArgument(
        api,
        `state.capacity must be ${this.capacityLevel === null ? 'null: this resource has an unlimited capacity' : 'saved: this resource has a limited capacity'}`,
        state.capacity,
        'Restore the statistics of a resource made with the same capacity.',
      );
    }
    for (const key of COUNTERS) {
      const value = state[key];
      if (!Number.isInteger(value) || value < 0) {
        throw invalidArgument(api, `state.${key} must be an integer >= 0`, value);
      }
    }
    if (state.capacity !== null) this.capacityLevel!.restoreState(state.capacity);
    this.inUse.restoreState(state.inUse);
    this.queueLength.restoreState(state.queueLength);
    this.putQueueLength.restoreState(state.putQueueLength);
    this.waitingTime.restoreState(state.waitingTime);
    this.putWaitingTime.restoreState(state.putWaitingTime);
    for (const key of COUNTERS) this[key] = state[key];
  }

  /** Returns the counts as plain data. */
  private counters(): DesCounters {
    const counts = {} as DesCounters;
    for (const key of COUNTERS) counts[key] = this[key];
    return counts;
  }

  /** Returns every figure as plain data. */
  toJSON(): DesStatisticsSnapshot {
    const level = (tw: TimeWeighted): LevelSummary => ({
      mean: tw.mean,
      current: tw.current,
      min: tw.min,
      max: tw.max,
    });
    const tally = (t: Tally): TallySummary => ({
      count: t.count,
      mean: t.mean,
      stdDev: t.stdDev,
      min: t.min,
      max: t.max,
    });
    return {
      since: this.since,
      elapsed: this.inUse.elapsed,
      utilization: this.utilization,
      inUse: level(this.inUse),
      queueLength: level(this.queueLength),
      putQueueLength: level(this.putQueueLength),
      waitingTime: tally(this.waitingTime),
      putWaitingTime: tally(this.putWaitingTime),
      ...this.counters(),
    };
  }
}
