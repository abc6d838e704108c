import { formatValue, TwinkitError } from '../errors';
import type { Simulation } from '../simulation/simulation';

/** Calendar priorities used by the kernel. Lower numbers run first at equal times. */
export const Priority = {
  /** Process starts and interrupts: before anything else at the same time. */
  URGENT: Number.NEGATIVE_INFINITY,
  /** Timeouts, triggered events and scheduled callbacks by default. */
  NORMAL: 0,
} as const;

/**
 * Any event, whatever its value type: what APIs that accept events of every kind take
 * (`Event<string>` is not assignable to `Event<unknown>` because an event's callbacks take its type).
 */
// biome-ignore lint/suspicious/noExplicitAny: the value type is irrelevant where any event is accepted
export type AnyEvent = Event<any>;

/** A function called with an event when the event is processed. */
export type EventCallback<T = unknown> = (event: Event<T>) => void;

// biome-ignore lint/suspicious/noExplicitAny: stored callbacks are untyped on purpose (see Event._cb0)
type StoredCallback = EventCallback<any> | Waiter;

/** Something woken when an event it waits on is processed (a process). @internal */
export interface Waiter {
  /** @internal */ _wake(event: Event<unknown>): void;
}

enum EventPhase {
  Pending = 0,
  Triggered = 1,
  Processed = 2,
}

/**
 * Represents something that happens at one instant of simulated time: the one primitive of twinkit.
 * Timeouts, processes, conditions and resource requests are all events.
 *
 * An event is *pending* until it is triggered with {@link Event.succeed} or {@link Event.fail}; it is
 * then put on the calendar at the current time and, when the calendar reaches it, *processed*: its
 * callbacks run (a process waiting on it resumes). A failed event that nobody handled (no process
 * waited on it and it was not {@link Event.defused}) rethrows its error when processed.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1 });
 * const done = sim.event<string>();
 * sim.process(function* () { const msg = yield done; return msg; });
 * sim.schedule(5, () => done.succeed('ready'));
 * sim.run();
 * ```
 */
export class Event<T = unknown> {
  /** The simulation this event belongs to. */
  declare readonly sim: Simulation;
  // The fields are assigned in the constructor, not by class-field initializers: an initializer
  // defines each field (DefineNamedOwn), and once events of more than four classes pass through it
  // (timeouts, processes, conditions, resource requests, store puts and gets) those defines go
  // megamorphic and take V8's slow path: a model mixing them ran up to 9x slower (see
  // benchmarks/src/core/kernel.bench.ts, mixed event kinds). Plain stores stay on the fast path.
  /** @internal */ declare _time: number;
  /** @internal */ declare _phase: EventPhase;
  /** @internal */ declare _ok: boolean;
  /** @internal */ declare _value: unknown;
  /** @internal */ declare _defused: boolean;
  // Callbacks are stored untyped so that Event<T> stays covariant in T (an Event<string> is usable where
  // an Event<unknown> is expected); the typed methods are the only way in.
  /** @internal first callback stored inline (most events have exactly one) */
  declare _cb0: StoredCallback | null;
  /** @internal further callbacks */ declare _cbs: StoredCallback[] | null;

  /** Creates a pending event; prefer `sim.event()`. */
  constructor(sim: Simulation) {
    this.sim = sim;
    this._time = 0;
    this._phase = EventPhase.Pending;
    this._ok = true;
    this._value = undefined;
    this._defused = false;
    this._cb0 = null;
    this._cbs = null;
  }

  /** True once the event has been triggered (succeeded or failed) and scheduled. */
  get triggered(): boolean {
    return this._phase !== EventPhase.Pending;
  }

  /** True once the event has been processed (its callbacks have run). */
  get processed(): boolean {
    return this._phase === EventPhase.Processed;
  }

  /** True if the event succeeded. Throws while it is still pending. */
  get ok(): boolean {
    if (this._phase === EventPhase.Pending) {
      throw new TwinkitError(
        `Event.ok: ${this.describe()} has not been triggered yet, so it has no outcome.`,
        {
          code: 'INVALID_STATE',
        },
      );
    }
    return this._ok;
  }

  /** The value the event succeeded with (or the error it failed with). Throws while pending. */
  get value(): T {
    if (this._phase === EventPhase.Pending) {
      throw new TwinkitError(
        `Event.value: ${this.describe()} has not been triggered yet, so it has no value. Yield it from a process, or read .value after it is processed.`,
        { code: 'INVALID_STATE' },
      );
    }
    return this._value as T;
  }

  /** True if a failure of this event counts as handled (it will not rethrow when processed). */
  get defused(): boolean {
    return this._defused;
  }

  /** Marks a failure of this event as handled (or not). */
  set defused(value: boolean) {
    this._defused = value;
  }

  /**
   * Triggers the event successfully with `value`; it is processed at the current time.
   *
   * @throws TwinkitError if the event was already triggered.
   */
  succeed(value?: T): this {
    if (this._phase !== EventPhase.Pending) throw this.alreadyTriggered('succeed');
    this._ok = true;
    this._value = value;
    this._phase = EventPhase.Triggered;
    this.sim._enqueue(this, 0, Priority.NORMAL);
    return this;
  }

  /**
   * Triggers the event as failed with `error`; it is processed at the current time. A process waiting on
   * it has `error` thrown at its `yield`.
   *
   * @throws TwinkitError if the event was already triggered or `error` is not an Error.
   */
  fail(error: Error): this {
    if (this._phase !== EventPhase.Pending) throw this.alreadyTriggered('fail');
    if (!(error instanceof Error)) {
      throw new TwinkitError(
        `Event.fail(error): error must be an Error instance, got ${formatValue(error)}. Wrap it: ev.fail(new Error(...)).`,
      );
    }
    this._ok = false;
    this._value = error;
    this._phase = EventPhase.Triggered;
    this.sim._enqueue(this, 0, Priority.NORMAL);
    return this;
  }

  /** Triggers this event with the outcome (success or failure, and value) of another triggered event. */
  trigger(source: Event<T>): this {
    if (this._phase !== EventPhase.Pending) throw this.alreadyTriggered('trigger');
    if (source._phase === EventPhase.Pending) {
      throw new TwinkitError(
        `Event.trigger(source): the source ${source.describe()} has not been triggered yet. Trigger from it once it has an outcome.`,
        { code: 'INVALID_STATE' },
      );
    }
    this._ok = source._ok;
    this._value = source._value;
    this._phase = EventPhase.Triggered;
    this.sim._enqueue(this, 0, Priority.NORMAL);
    return this;
  }

  /**
   * Adds a callback that runs when the event is processed. If the event was already processed the
   * callback is not called; check `event.processed` first.
   *
   * @throws TwinkitError if the event was already processed.
   */
  addCallback(callback: EventCallback<T>): void {
    if (this._phase === EventPhase.Processed) {
      throw new TwinkitError(
        `Event.addCallback(): ${this.describe()} has already been processed; its callbacks have run. Check event.processed and read event.value instead.`,
        { code: 'INVALID_STATE' },
      );
    }
    if (this._cb0 === null && this._cbs === null) {
      this._cb0 = callback;
    } else {
      if (this._cbs === null) this._cbs = [];
      this._cbs.push(callback);
    }
  }

  /** @internal Adds a waiter (a process) woken when the event is processed. */
  _addWaiter(waiter: Waiter): void {
    if (this._cb0 === null && this._cbs === null) {
      this._cb0 = waiter;
    } else {
      if (this._cbs === null) this._cbs = [];
      this._cbs.push(waiter);
    }
  }

  /** Removes a callback added with `addCallback`; returns whether it was present. */
  removeCallback(callback: EventCallback<T>): boolean;
  /** @internal A process stops waiting on this event. */
  removeCallback(callback: Waiter): boolean;
  removeCallback(callback: EventCallback<T> | Waiter): boolean {
    if (this._cb0 === callback) {
      this._cb0 = null;
      return true;
    }
    if (this._cbs !== null) {
      const i = this._cbs.indexOf(callback);
      if (i >= 0) {
        this._cbs.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Returns a short description for messages, e.g. `Timeout(5) at t=3`. */
  describe(): string {
    // A literal for the plain event: a bundler or minifier may rename the class.
    return this.constructor === Event ? 'Event' : this.constructor.name;
  }

  /** @internal Runs the callbacks; rethrows an unhandled failure. */
  _fire(): void {
    this._phase = EventPhase.Processed;
    const cb0 = this._cb0;
    const cbs = this._cbs;
    this._cb0 = null;
    this._cbs = null;
    if (cb0 !== null) {
      if (typeof cb0 === 'function') cb0(this);
      else cb0._wake(this);
    }
    if (cbs !== null) {
      for (let i = 0; i < cbs.length; i++) {
        const cb = cbs[i]!;
        if (typeof cb === 'function') cb(this);
        else cb._wake(this);
      }
    }
    if (!this._ok && !this._defused) {
      throw this._value;
    }
  }

  /** @internal Marks the event processed without a calendar trip (nothing waits on it). */
  _markProcessed(): void {
    this._phase = EventPhase.Processed;
  }

  /** @internal Marks the event triggered without scheduling (used by subclasses that schedule themselves). */
  _markTriggered(): void {
    this._phase = EventPhase.Triggered;
  }

  private alreadyTriggered(method: string): TwinkitError {
    return new TwinkitError(
      `Event.${method}(): ${this.describe()} has already been triggered; an event happens once. Create a new event with sim.event().`,
      { code: 'INVALID_STATE' },
    );
  }
}

/**
 * An event that succeeds by itself after a delay; create it with `sim.timeout(delay, value)`.
 */
export class Timeout<T = undefined> extends Event<T> {
  /** The delay this timeout was created with. */
  readonly delay: number;

  /** Creates and schedules the timeout; prefer `sim.timeout()`, which validates the delay. */
  constructor(sim: Simulation, delay: number, value: T, priority: number = Priority.NORMAL) {
    super(sim);
    this.delay = delay;
    this._value = value;
    this._phase = EventPhase.Triggered;
    sim._enqueue(this, delay, priority);
  }

  override describe(): string {
    return `Timeout(${this.delay})`;
  }
}

/** Thrown into a process at its current `yield` when another party calls `process.interrupt(cause)`. */
export class Interrupt extends Error {
  /** What the interrupting party passed to `interrupt(cause)`. */
  override readonly cause: unknown;

  /** Creates the interrupt carrying `cause`. */
  constructor(cause: unknown) {
    super(`Interrupt(${formatValue(cause)})`);
    this.name = 'Interrupt';
    this.cause = cause;
  }
}
