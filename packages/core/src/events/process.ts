import { formatValue, TwinkitError } from '../errors';
import type { Simulation } from '../simulation/simulation';
import { Event, Interrupt, Priority } from './event';

/** What a process is resumed with when it starts: a success without a value. */
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

/** The generator a process runs: it yields events and receives their values. */
// biome-ignore lint/suspicious/noExplicitAny: the value received at a yield depends on the event yielded
export type ProcessGenerator<R = unknown> = Generator<Event<any>, R, any>;

/** A generator object, or a function that returns one (called with no arguments). */
export type ProcessBody<R = unknown> = ProcessGenerator<R> | (() => ProcessGenerator<R>);

/**
 * A running generator on the simulation clock, and an event that succeeds with the generator's return
 * value when it finishes (or fails with the error it threw). Create one with `sim.process(fn)`.
 *
 * Inside the generator, `yield event` suspends the process until the event is processed and evaluates
 * to the event's value; if the event failed, its error is thrown at the `yield`.
 *
 * @example
 * ```ts
 * const p = sim.process(function* () {
 *   const v = yield sim.timeout(1, 'x'); // v === 'x' at t = 1
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

  /** @internal Starts the generator the first time; afterwards runs the callbacks of the finished process. */
  override _fire(): void {
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

  /** The event the process is waiting on, or null. */
  get target(): Event<unknown> | null {
    return this._target;
  }

  override describe(): string {
    return `Process(${this.name})`;
  }

  /**
   * Interrupts the process: at the current time, the `yield` it is suspended at throws an
   * {@link Interrupt} whose `cause` is `cause`. The event it was waiting on is left alone (a resource
   * request stays queued until cancelled).
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
      let result: IteratorResult<Event<unknown>, unknown>;
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
    this.sim._enqueue(this, 0, Priority.NORMAL);
  }

  private mistake(yielded: unknown): Event<unknown> {
    const mistake = new Event<unknown>(this.sim);
    mistake._ok = false;
    mistake._value = new TwinkitError(
      yielded instanceof Event
        ? `${this.describe()} yielded ${yielded.describe()} of another simulation. A process can only wait on events of its own simulation.`
        : `${this.describe()} yielded ${formatValue(yielded)}, which is not an Event. Yield sim.timeout(delay), an event, a process or a resource request.`,
    );
    return mistake;
  }
}
