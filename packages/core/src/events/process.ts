import type { CalendarEntry } from '../calendar/calendar';
import { formatValue, invalidArgument, TwinkitError } from '../errors';
import type { Simulation } from '../simulation/simulation';
import { Event, Interrupt, Priority } from './event';

/** What a process is resumed with when it starts or a plain delay ends: a success without a value. */
const START = Object.freeze({ _ok: true, _value: undefined });

// The built-in generator methods, called directly on native generators. Every generator function has a
// prototype object of its own, so generators of different functions have different hidden classes, and
// a `generator.next` lookup in _wake turns megamorphic once a model runs more than four process bodies
// (measured: 7.5% of the time of 1000 processes on timeouts went to that lookup).
const generatorPrototype = Object.getPrototypeOf(
  Object.getPrototypeOf((function* () {})()),
) as ProcessGenerator<unknown>;
/** @internal the built-in `Generator.prototype.next` */
export const nativeNext = generatorPrototype.next;
/** @internal the built-in `Generator.prototype.throw` */
export const nativeThrow = generatorPrototype.throw;

/**
 * The generator a process runs: it yields events and receives their values, or yields a plain delay
 * (a finite number >= 0) and receives `undefined` when it has passed.
 */
// biome-ignore lint/suspicious/noExplicitAny: the value received at a yield depends on the event yielded
export type ProcessGenerator<R = unknown> = Generator<Event<any> | number, R, any>;

/** A generator object, or a function that returns one (called with no arguments). */
export type ProcessBody<R = unknown> = ProcessGenerator<R> | (() => ProcessGenerator<R>);

/**
 * A running generator on the simulation clock, and an event that succeeds with the generator's return
 * value when it finishes (or fails with the error it threw). Create one with `sim.process(fn)`.
 *
 * Inside the generator, `yield event` suspends the process until the event is processed and evaluates
 * to the event's value; if the event failed, its error is thrown at the `yield`.
 *
 * `yield delay` (a plain number: finite and >= 0) suspends the process for `delay` and evaluates to
 * `undefined`. It is scheduled exactly as `yield sim.timeout(delay)` is, at the same place in the
 * (time, priority, insertion) order, so a model rewritten from one to the other gives the same
 * results; but it creates no event object, which is what keeps the cost per event flat in hot loops
 * with many pending processes. Use `sim.timeout(delay, value)` for a value, an event to hand to
 * `anyOf`/`allOf`, or one that other code waits on too. An interrupt reaches a process waiting on a
 * plain delay as on any other wait (the delay is then dropped).
 *
 * @example
 * ```ts
 * const p = sim.process(function* () {
 *   const v = yield sim.timeout(1, 'x'); // v === 'x' at t = 1
 *   yield 2.5; // t = 3.5, no event allocated
 *   return 7;
 * });
 * sim.run();
 * p.value; // 7
 * ```
 */
export class Process<R = unknown> extends Event<R> {
  /** @internal */ _generator: ProcessGenerator<R>;
  /** @internal true when the generator uses the built-in next/throw (see nativeNext) */ _native: boolean;
  /** @internal true until the start entry has been processed */ _starting = true;
  private readonly id: number;
  private readonly givenName: string | undefined;
  /** @internal the event this process waits on */ _target: Event<unknown> | null = null;
  // A plain delay (`yield 5`) puts the process object itself on the calendar (see _fire): no event,
  // and the calendar's pop leads straight to the process. `_delayQueued` says it is there as a delay,
  // `_delayWaiting` that it still waits on it (an interrupt clears it; the entry then comes up for
  // nobody, as a timeout the process no longer waits on does). While such a cut delay is still on the
  // calendar, the process's next delay gets an entry of its own (`_delayEntry`), and so does its end.
  /** @internal on the calendar as a plain delay */ _delayQueued = false;
  /** @internal waiting on that delay */ _delayWaiting = false;
  /**
   * @internal the delay last yielded, for traces: recorded only while a step listener is registered
   * (a double field is a separate heap box in V8, and storing into it on every delay measured 5-8% of
   * the cost per event at 100k pending processes); `_delayTraced` says whether it was
   */
  _delay = 0;
  /** @internal whether `_delay` holds the last delay (an in-object field: cheap to store) */
  _delayTraced = false;
  /** @internal the entry of a delay taken while a cut one was still on the calendar */
  _delayEntry: DelayEntry | null = null;

  /**
   * Creates and starts the process; prefer `sim.process()`. (`native`, internal: whether the generator's
   * next/throw are the built-in ones, when the caller has already read them.)
   */
  constructor(sim: Simulation, generator: ProcessGenerator<R>, name?: string, native?: boolean) {
    super(sim);
    this.id = ++sim._processCount;
    this.givenName = name;
    this._generator = generator;
    // Reading next/throw of generators of many functions is a megamorphic lookup; sim.process() has
    // read them for its validation already and passes the answer.
    this._native = native ?? (generator.next === nativeNext && generator.throw === nativeThrow);
    // Start at the current time, before other events at this time (SimPy's Initialize). The process
    // object itself is the calendar entry of its start (see _fire), which saves an event per process.
    sim._enqueue(this, 0, Priority.URGENT);
  }

  /** A name for traces and messages: the one given, or `process-<n>` in creation order. */
  get name(): string {
    return this.givenName ?? `process-${this.id}`;
  }

  /**
   * @internal Ends a plain delay while on the calendar as one; else starts the generator the first
   * time, and afterwards runs the callbacks of the finished process.
   */
  override _fire(): void {
    if (this._delayQueued) {
      // The end of a plain delay (see _delayQueued).
      this._delayQueued = false;
      if (this._delayWaiting) {
        this._delayWaiting = false;
        this._wake(START as Event<unknown>);
      }
      return;
    }
    if (this._starting) {
      this._starting = false;
      this._wake(START as Event<unknown>);
      return;
    }
    super._fire();
  }

  /** True while the generator has not finished. */
  get isAlive(): boolean {
    return !this.triggered;
  }

  /** The event the process is waiting on, or null (also while it waits on a plain delay, `yield 5`). */
  get target(): Event<unknown> | null {
    return this._target;
  }

  override describe(): string {
    return `Process(${this.name})`;
  }

  /**
   * Interrupts the process: at the current time, the `yield` it is suspended at throws an
   * {@link Interrupt} whose `cause` is `cause`. The event it was waiting on is left alone (a resource
   * request stays queued until cancelled); a plain delay it was waiting on (`yield 5`) still comes up
   * on the calendar at its time, like a timeout nobody waits on, and wakes nobody.
   *
   * @throws TwinkitError if the process has finished or tries to interrupt itself.
   */
  interrupt(cause?: unknown): void {
    if (!this.isAlive) {
      throw new TwinkitError(
        `Process.interrupt(): ${this.describe()} has terminated and cannot be interrupted. Check process.isAlive first.`,
        { code: 'INVALID_STATE' },
      );
    }
    if (this.sim.activeProcess === this) {
      throw new TwinkitError(
        `Process.interrupt(): ${this.describe()} tried to interrupt itself. Throw an error or return from the generator instead.`,
        { code: 'INVALID_STATE' },
      );
    }
    const interruption = new Event<unknown>(this.sim);
    interruption._ok = false;
    interruption._value = new Interrupt(cause);
    interruption._defused = true;
    interruption._markTriggered();
    interruption.addCallback(() => {
      if (!this.isAlive) return; // finished meanwhile
      if (this._target !== null) this._target.removeCallback(this);
      this._target = null;
      this._delayWaiting = false;
      if (this._delayEntry !== null) {
        this._delayEntry._waiting = false;
        this._delayEntry = null;
      }
      this._wake(interruption);
    });
    this.sim._enqueue(interruption, 0, Priority.URGENT);
  }

  /** @internal Resumes the generator with the outcome of `event`. */
  _wake(event: Event<unknown>): void {
    // The hot path of every process-based model: kept free of try/finally and getters on purpose.
    const sim = this.sim;
    const previous = sim._activeProcess;
    sim._activeProcess = this as Process<unknown>;
    let current: Event<unknown> = event;
    for (;;) {
      let result: IteratorResult<Event<unknown> | number, unknown>;
      try {
        if (current._ok) {
          result = this._native
            ? nativeNext.call(this._generator, current._value)
            : this._generator.next(current._value);
        } else {
          current._defused = true;
          result = this._native
            ? nativeThrow.call(this._generator, current._value)
            : this._generator.throw(current._value);
        }
      } catch (error) {
        sim._activeProcess = previous;
        this.finish(false, error);
        return;
      }
      if (result.done === true) {
        sim._activeProcess = previous;
        this.finish(true, result.value);
        return;
      }
      const next = result.value;
      if (typeof next === 'number') {
        if (next >= 0 && next !== Number.POSITIVE_INFINITY) {
          // A plain delay: the process goes on the calendar where a Timeout would (same delay,
          // priority and place in the insertion order), and no event is allocated.
          this._target = null;
          if (!this._delayQueued) {
            const traced = sim._tracing;
            this._delayTraced = traced;
            if (traced) this._delay = next;
            this._delayQueued = true;
            this._delayWaiting = true;
            sim._enqueue(this, next, Priority.NORMAL);
          } else {
            // A delay an interrupt cut short still has the process on the calendar.
            const entry = new DelayEntry(this as Process<unknown>, next);
            this._delayEntry = entry;
            sim._enqueue(entry, next, Priority.NORMAL);
          }
          sim._activeProcess = previous;
          return;
        }
        current = this.badDelay(next);
        continue;
      }
      if (next instanceof Event && next.sim === sim) {
        if (next._phase !== 2 /* processed */) {
          if (next._cb0 === null && next._cbs === null) next._cb0 = this;
          else next._addWaiter(this);
          this._target = next;
          sim._activeProcess = previous;
          return;
        }
        // Already happened: resume at once with its outcome.
        current = next;
        continue;
      }
      // Throw the mistake into the generator so that its finally blocks run and it can be caught.
      current = this.mistake(next);
    }
  }

  private finish(ok: boolean, value: unknown): void {
    this._target = null;
    this._ok = ok;
    this._value = value;
    if (ok && this._cb0 === null && this._cbs === null) {
      // Nobody waits on it: it is processed now, without a trip through the calendar. (A failure still
      // goes through the calendar, so that an unhandled one rethrows when processed.)
      this._markProcessed();
      return;
    }
    this._markTriggered();
    // While a cut plain delay still has the process on the calendar, its end gets an entry of its own.
    this.sim._enqueue(
      this._delayQueued ? new ProcessEnd(this as Process<unknown>) : this,
      0,
      Priority.NORMAL,
    );
  }

  private mistake(yielded: unknown): Event<unknown> {
    const mistake = new Event<unknown>(this.sim);
    mistake._ok = false;
    mistake._value = new TwinkitError(
      yielded instanceof Event
        ? `${this.describe()} yielded ${yielded.describe()} of another simulation. A process can only wait on events of its own simulation.`
        : `${this.describe()} yielded ${formatValue(yielded)}, which is neither an Event nor a delay. Yield a plain delay (yield 5), sim.timeout(delay), an event, a process or a resource request.`,
    );
    return mistake;
  }

  private badDelay(delay: number): Event<unknown> {
    const mistake = new Event<unknown>(this.sim);
    mistake._ok = false;
    mistake._value = invalidArgument(
      `process yield (${this.describe()} at t=${this.sim.now})`,
      'a plain delay must be a finite number >= 0',
      delay,
      'Time never runs backwards: yield a delay >= 0 (yield 5), or yield an event to wait for something that has no known time.',
    );
    return mistake;
  }
}

/**
 * The calendar entry of a plain delay (`yield 5`) that a process takes while a delay an interrupt cut
 * short still has the process itself on the calendar (see `Process._delayQueued`). Kernel-owned,
 * never handed to user code.
 *
 * @internal
 */
export class DelayEntry implements CalendarEntry {
  /** @internal */ declare _time: number;
  /** @internal the delay (for traces) */ declare readonly _delay: number;
  /** @internal true while its process waits on it (cleared by an interrupt) */ declare _waiting: boolean;
  /** @internal the process it wakes */ declare readonly _process: Process<unknown>;

  constructor(process: Process<unknown>, delay: number) {
    this._time = 0;
    this._delay = delay;
    this._waiting = true;
    this._process = process;
  }

  /** @internal Wakes the process, unless an interrupt took it off this wait. */
  _fire(): void {
    if (this._waiting) {
      this._waiting = false;
      this._process._delayEntry = null;
      this._process._wake(START as Event<unknown>);
    }
  }
}

/**
 * The calendar entry of the end of a process that finished while a plain delay an interrupt cut short
 * still had the process itself on the calendar. Kernel-owned.
 *
 * @internal
 */
export class ProcessEnd implements CalendarEntry {
  /** @internal */ declare _time: number;
  /** @internal the process that ended */ declare readonly _process: Process<unknown>;

  constructor(process: Process<unknown>) {
    this._time = 0;
    this._process = process;
  }

  /** @internal Runs the callbacks of the finished process. */
  _fire(): void {
    Event.prototype._fire.call(this._process);
  }
}
