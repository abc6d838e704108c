import { Calendar, type CalendarEntry } from '../calendar/calendar';
import { formatValue, invalidArgument, rejectUnknownKeys, TwinkitError } from '../errors';
import { allSucceeded, anySucceeded, Condition } from '../events/condition';
import { type AnyEvent, Event, Priority, Timeout } from '../events/event';
import { nativeNext, nativeThrow, Process, type ProcessBody, type ProcessGenerator } from '../events/process';
import type { ForkOptions, Lineage, SimulationSnapshot } from '../model/lineage';
import { createStream, type GeneratorKind, type RandomStream } from '../random';
import { StateVector } from '../state/state-vector';
import { ContinuousCoupling, type ContinuousModel } from './continuous';
import { copyPayload, type InputHandler, InputRegistry } from './input';
import {
  checkDelay,
  FORK_OPTION_KEYS,
  RUN_OPTION_KEYS,
  type RunOptions,
  resolveSimulationOptions,
  type ScheduleOptions,
  type SimulationOptions,
} from './options';
import { type RealtimeOptions, type RealtimeResult, runRealtime } from './realtime';
import { ScheduledCall } from './scheduled-call';
import type { ClockSeam } from './seam';
import { type StepInfo, StepListeners } from './step-info';

export type { ForkOptions, SimulationSnapshot } from '../model/lineage';

/**
 * One simulation: one clock, one event calendar, named random streams and one state vector, on which
 * discrete-event processes, agents and continuous models all run.
 *
 * Events are processed in (time, priority, insertion sequence) order. The clock can run as fast as
 * possible ({@link Simulation.run}), one event at a time ({@link Simulation.step}), up to an external
 * time ({@link Simulation.advanceTo}) or paced to the wall clock ({@link Simulation.runRealtime}).
 *
 * @example
 * ```ts
 * import { Simulation } from '@twinkit/core';
 * const sim = new Simulation({ seed: 42 });
 * sim.process(function* () {
 *   while (true) {
 *     yield sim.timeout(sim.rng('arrivals').exponential(2));
 *     sim.state.set('arrivals', sim.state.get('arrivals') + 1);
 *   }
 * });
 * sim.state.define('arrivals', { initial: 0 });
 * sim.run({ until: 100 });
 * ```
 */
export class Simulation<TModel = unknown> {
  /** The master seed. */
  readonly seed: number | string;
  /** The time the clock started at. */
  readonly startTime: number;
  /** The generator behind the random streams. */
  readonly generator: GeneratorKind;
  /** The named, numeric view of the model (see {@link StateVector}). */
  readonly state: StateVector;

  /** @internal */ _now: number;
  /** @internal */ _activeProcess: Process<unknown> | null = null;
  /** @internal */ _processCount = 0;

  private readonly calendar = new Calendar();
  private processed = 0;
  private replicationIndex: number;
  private forkPath = '';
  /** >0 while the model itself is acting (building, processing, replaying input), 0 for outside calls. */
  private inside = 0;
  /** The lineage that journals outside input and forks; null for `new Simulation()`. */
  private lineage: Lineage<TModel> | null = null;
  /** Whether {@link Simulation._seam} has been handed out (to the one lineage). */
  private seamTaken = false;
  private readonly streams = new Map<string, RandomStream>();
  private readonly continuous = new ContinuousCoupling((t) => this.stateEvent(t));
  private readonly inputs = new InputRegistry();
  private running = false;
  private readonly steps = new StepListeners();

  /** Creates a simulation. To be able to fork it, build it from a definition instead: `defineModel(...).create()`. */
  constructor(options: SimulationOptions = {}) {
    const resolved = resolveSimulationOptions(options);
    this.seed = resolved.seed;
    this.startTime = resolved.startTime;
    this._now = resolved.startTime;
    this.replicationIndex = resolved.replication;
    this.generator = resolved.generator;
    this.state = new StateVector({
      isExternal: () => this.inside === 0,
      beginExternalWrite: (names, values) => this.beginExternalWrite(names, values),
    });
  }

  /** The current simulated time. */
  get now(): number {
    return this._now;
  }

  /** The replication index whose substreams the random streams draw from. */
  get replication(): number {
    return this.replicationIndex;
  }

  /** The process whose generator is running right now, or null. */
  get activeProcess(): Process<unknown> | null {
    return this._activeProcess;
  }

  /** Number of events processed so far. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Number of events waiting on the calendar. */
  get pending(): number {
    return this.calendar.size;
  }

  /** What the model definition's build function returned (for simulations made with `model.create()`). */
  get model(): TModel {
    return (this.lineage === null ? undefined : this.lineage.model) as TModel;
  }

  /** The parameters the simulation was created with (for simulations made with `model.create()`). */
  get params(): unknown {
    return this.lineage === null ? undefined : this.lineage.params;
  }

  // ---------------------------------------------------------------- randomness

  /**
   * Returns the named random stream, creating it on first use. A stream's numbers depend only on
   * (master seed, name, replication), so adding a stream never changes what the others draw.
   */
  rng(name: string): RandomStream {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      if (typeof name !== 'string' || name.length === 0) {
        throw invalidArgument(
          'Simulation.rng(name)',
          'name must be a non-empty string',
          name,
          'Name streams after what they drive, e.g. sim.rng("arrivals").',
        );
      }
      stream = createStream(
        { seed: this.seed, name, replication: this.replicationIndex, forkPath: this.forkPath },
        this.generator,
      );
      this.streams.set(name, stream);
    }
    return stream;
  }

  // ---------------------------------------------------------------- events

  /** Creates a pending event, triggered later with `succeed(value)` or `fail(error)`. */
  event<T = unknown>(): Event<T> {
    return new Event<T>(this);
  }

  /**
   * Creates an event that succeeds with `value` after `delay`.
   *
   * In a process that only waits, `yield delay` (a plain number) is the same wait without the event
   * object: prefer it in hot loops with many pending processes; keep `sim.timeout` for a value, for
   * `anyOf`/`allOf`, or for an event other code holds (see {@link Process}).
   *
   * @throws TwinkitError if delay is negative or not finite.
   */
  timeout<T = undefined>(delay: number, value?: T): Timeout<T> {
    checkDelay(
      'Simulation.timeout(delay)',
      delay,
      'Time never runs backwards; to wait for something external, yield an event instead.',
    );
    return new Timeout<T>(this, delay, value as T);
  }

  /**
   * Starts a process: a generator (or a function returning one) that yields events, or plain delays
   * (`yield 5`: wait 5 without creating an event). The process is itself an event that succeeds with
   * the generator's return value.
   *
   * @example
   * ```ts
   * sim.process(function* machine() {
   *   for (;;) {
   *     yield sim.rng('work').exponential(50); // run until the next breakdown: a plain delay
   *     const done = yield sim.timeout(2, 'repaired'); // a timeout carries a value
   *   }
   * });
   * ```
   */
  process<R>(body: ProcessBody<R>, options: { name?: string } = {}): Process<R> {
    let generator: ProcessGenerator<R>;
    if (typeof body === 'function') {
      generator = body();
    } else {
      generator = body;
    }
    // next and throw are read once each: for generators of many different functions every read is a
    // megamorphic lookup, and the process needs to know whether they are the built-in ones.
    const next = generator !== null && typeof generator === 'object' ? generator.next : undefined;
    const throwInto = next !== undefined ? generator.throw : undefined;
    if (typeof next !== 'function' || typeof throwInto !== 'function') {
      throw invalidArgument(
        'Simulation.process(body)',
        'body must be a generator or a generator function (function* () { ... })',
        body,
        'Write the process as function* () { yield sim.timeout(1); }.',
      );
    }
    return new Process<R>(this, generator, options.name, next === nativeNext && throwInto === nativeThrow);
  }

  /** Creates an event that succeeds when every event in `events` has succeeded. */
  allOf(events: readonly AnyEvent[]): Condition {
    return new Condition(this, allSucceeded, events, 'Simulation.allOf(events)');
  }

  /** Creates an event that succeeds when any event in `events` has succeeded. */
  anyOf(events: readonly AnyEvent[]): Condition {
    return new Condition(this, anySucceeded, events, 'Simulation.anyOf(events)');
  }

  /**
   * Schedules `fn` to run after `delay` (the event-scheduling style). Returns a handle to cancel it.
   *
   * @throws TwinkitError if delay is negative or not finite, or priority is not finite.
   */
  schedule(delay: number, fn: () => void, options?: ScheduleOptions): ScheduledCall {
    checkDelay('Simulation.schedule(delay, fn)', delay);
    if (typeof fn !== 'function') {
      throw invalidArgument('Simulation.schedule(delay, fn)', 'fn must be a function', fn);
    }
    const priority = options?.priority ?? Priority.NORMAL;
    if (priority !== Priority.NORMAL && !Number.isFinite(priority)) {
      throw invalidArgument(
        'Simulation.schedule(delay, fn, { priority })',
        'priority must be a finite number (lower runs first)',
        priority,
      );
    }
    const call = new ScheduledCall(this, fn);
    this._enqueue(call, delay, priority);
    return call;
  }

  // ---------------------------------------------------------------- clock

  /** Time of the next event, or Infinity when the calendar is empty. */
  peek(): number {
    return this.calendar.peekTime();
  }

  /**
   * Processes the next event (or the next state event of an attached continuous model, if that comes
   * first). Returns false when there was nothing to process.
   */
  step(): boolean {
    this.enterRun('step');
    try {
      return this.stepInternal();
    } finally {
      this.exitRun();
    }
  }

  /**
   * Runs the simulation: until the calendar is empty, until a time (every event at or before it is
   * processed, then the clock is set to it), or until an event has been processed (returns its value,
   * or throws its error if it failed).
   */
  run(options: RunOptions = {}): unknown {
    rejectUnknownKeys('Simulation.run(options)', options, RUN_OPTION_KEYS, '{ until: 100 }');
    const until = options.until;
    if (until !== undefined && !(until instanceof Event)) {
      this.advanceTo(until, 'Simulation.run({ until })');
      return undefined;
    }
    if (until !== undefined && until.sim !== this) {
      throw invalidArgument(
        'Simulation.run({ until })',
        'until must be an event of this simulation',
        until.describe(),
      );
    }
    this.enterRun('run');
    try {
      // Without until: until the calendar is empty; with an event: until it has been processed.
      while (until === undefined ? this.stepInternal() : !until.processed) {
        if (until !== undefined && !this.stepInternal()) {
          throw new TwinkitError(
            `Simulation.run({ until: event }): the calendar ran empty at t=${this._now} before ${until.describe()} was processed; nothing is left that could trigger it.`,
            { code: 'INVALID_STATE' },
          );
        }
      }
    } finally {
      this.exitRun();
    }
    if (until === undefined) return undefined;
    if (!until._ok) throw until._value;
    return until._value;
  }

  /**
   * Processes every event at or before `t`, then sets the clock to `t` (continuous models are brought
   * to exactly `t`). Used by the twin runtime when a reading time-stamped `t` arrives.
   *
   * @throws TwinkitError if `t` is before the current time or not finite.
   */
  advanceTo(t: number, api = 'Simulation.advanceTo(t)'): void {
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw invalidArgument(api, 'the target time must be a finite number', t);
    }
    if (t < this._now) {
      throw invalidArgument(
        api,
        `the target time must not be before the current time ${this._now}`,
        t,
        'Time never runs backwards.',
      );
    }
    this.enterRun('advanceTo');
    try {
      if (this.lineage !== null && this.continuous.size > 0) this.lineage.recordClock(t);
      this.advanceInternal(t);
    } finally {
      this.exitRun();
    }
  }

  /**
   * Runs paced to the wall clock: simulated time advances `factor` units per wall second, and the
   * method yields to Node's event loop between events so that I/O and timers run meanwhile.
   *
   * Tolerance: the clock trails wall time x factor by at most the time to process the events due plus
   * one slice (`sliceMs`, default 10 ms) of timer latency, times `factor`; `maxLag` in the result
   * reports the largest lag seen.
   */
  runRealtime(options: RealtimeOptions): Promise<RealtimeResult> {
    return runRealtime(this as Simulation, options);
  }

  // ---------------------------------------------------------------- observing

  /**
   * Calls `listener` before each event is processed (for tracing and debugging). Costs one null check
   * per event while no listener is registered. Returns a function that removes the listener.
   *
   * @example
   * ```ts
   * const stop = sim.onStep((s) => console.log(s.time, s.kind, s.description, s.process ?? ''));
   * sim.run({ until: 10 });
   * stop();
   * ```
   */
  onStep(listener: (info: StepInfo) => void): () => void {
    return this.steps.add(listener);
  }

  // ---------------------------------------------------------------- continuous models

  /**
   * Attaches a continuous model, integrated lazily to each event time. Returns a function that
   * detaches it.
   */
  attachContinuous(model: ContinuousModel): () => void {
    return this.continuous.attach(model);
  }

  // ---------------------------------------------------------------- external input

  /**
   * Registers the handler for a named kind of external input (a sensor reading, an operator command).
   * Call it while building the model in a definition: input sent with {@link Simulation.input} is then
   * journaled, and forks replay it.
   */
  onInput<P>(name: string, handler: InputHandler<P>): void {
    this.inputs.register(name, handler as InputHandler<never>);
    if (this.lineage !== null && this.inside === 0) {
      this.lineage.taint(
        `onInput(${formatValue(name)}) was registered after the model was built; register input handlers inside the definition`,
      );
    }
  }

  /**
   * Sends external input to the handler registered with {@link Simulation.onInput}, at the current time.
   * The payload is copied (structured clone), so later changes by the caller do not reach the model.
   */
  input(name: string, payload?: unknown): void {
    const handler = this.inputs.require(name);
    if (this.inside > 0) {
      handler(payload);
      return;
    }
    const copy = copyPayload(name, payload);
    this.lineage?.recordInput(name, copy);
    this.inside++;
    try {
      handler(copy);
    } finally {
      this.inside--;
    }
  }

  // ---------------------------------------------------------------- fork

  /**
   * Returns an independent simulation at the same time with the same state: pending events, processes
   * suspended mid-way, resource queues, stocks, agents and state-vector values.
   *
   * Two mechanisms (`options.mechanism`):
   * - `'snapshot'` (the default when the definition has snapshot hooks): the definition's `save` hook
   *   captures the state as plain data and its `restore` hook rebuilds the model from it at this time,
   *   as {@link Simulation.snapshot} and {@link ModelDefinition.restore} do. Cost: proportional to the
   *   state.
   * - `'replay'` (the default otherwise): JS generators cannot be copied, so the fork is rebuilt from
   *   the model definition (same seed, parameters and replication) and replayed to this point,
   *   re-applying the journal of everything that entered the model from outside (state writes, inputs,
   *   clock moves). Cost: proportional to the events processed since the simulation was created (or
   *   restored).
   *
   * With the same replication (the default) the fork's future is identical to the original's; with
   * another replication every stream switches, at the fork point, to numbers derived from (seed, stream
   * name, replication, fork point), so the futures diverge. Both mechanisms switch streams the same
   * way, so for a definition whose hooks save everything they give the same future.
   *
   * @throws TwinkitError (code FORK) for a simulation built with `new Simulation()`, one that was
   * changed from outside in a way that cannot be replayed, a model that is not deterministic, or
   * `mechanism: 'snapshot'` on a definition without snapshot hooks.
   */
  fork(options: ForkOptions = {}): Simulation<TModel> {
    rejectUnknownKeys('Simulation.fork(options)', options, FORK_OPTION_KEYS, '{ replication: 1 }');
    return this.lineageFor('Simulation.fork()').fork(options);
  }

  /**
   * Returns the simulation's state as plain data: the clock, the random streams' positions, the
   * parameters and what the definition's `save` hook returns. {@link ModelDefinition.restore} turns
   * it back into a simulation, here or elsewhere (another worker, a later process after a JSON round
   * trip), whose future is the one this simulation has. Taking a snapshot does not change the
   * simulation.
   *
   * Continuous models (`attachContinuous`) are not known to the snapshot: the hooks save their state
   * and re-attach them.
   *
   * @example
   * ```ts
   * const live = model.create({ seed: 42 });
   * live.run({ until: 100 });
   * const saved = JSON.stringify(live.snapshot());
   * // later, or in another process:
   * const resumed = model.restore(JSON.parse(saved));
   * resumed.run({ until: 200 });
   * ```
   *
   * @throws TwinkitError (code FORK) for a simulation not made from a definition, a definition
   * without snapshot hooks, a call from inside an event, a simulation changed from outside in a way
   * a fork could not reproduce, or `save` returning (or parameters holding) data that cannot be
   * structured-cloned.
   */
  snapshot(): SimulationSnapshot {
    return this.lineageFor('Simulation.snapshot()').snapshot();
  }

  /** Returns the lineage that forks and snapshots this simulation, or says why it has none. */
  private lineageFor(api: string): Lineage<TModel> {
    if (this.lineage === null) {
      throw new TwinkitError(
        `${api}: this simulation was built with new Simulation(), so it cannot be rebuilt. Generators cannot be copied; fork and snapshot work on simulations made from a model definition: const model = defineModel((sim, params) => { ... }); const live = model.create({ seed }); live.fork().`,
        { code: 'FORK' },
      );
    }
    return this.lineage;
  }

  // ---------------------------------------------------------------- internals

  /** @internal Whether a step listener is registered (what a trace would want recorded). */
  get _tracing(): boolean {
    return this.steps.listeners !== null;
  }

  /** @internal Puts an entry on the calendar `delay` from now. */
  _enqueue(entry: CalendarEntry, delay: number, priority: number): void {
    if (this.inside === 0 && this.lineage !== null) {
      this.lineage.taint(
        `an event was scheduled from outside the model at t=${this._now} (for example sim.process(), sim.schedule(), sim.timeout(), event.succeed() or a resource request called on the simulation after create())`,
      );
    }
    this.calendar.push(entry, this._now + delay, priority);
  }

  /** @internal */
  _cancel(entry: CalendarEntry): void {
    if (this.inside === 0 && this.lineage !== null) {
      this.lineage.taint(`a scheduled call was cancelled from outside the model at t=${this._now}`);
    }
    this.calendar.cancel(entry);
  }

  // ---------------------------------------------------------------- the lineage's seam

  /**
   * @internal Hands the one {@link ClockSeam} of this simulation to the lineage that makes it
   * reproducible (model/lineage.ts), right after construction. A second call throws: a simulation has
   * one lineage, and nothing else may drive the clock behind the journal's back.
   */
  _seam(): ClockSeam<TModel> {
    if (this.seamTaken) {
      throw new TwinkitError("Simulation._seam(): the seam is already taken by this simulation's lineage.", {
        code: 'INVALID_STATE',
      });
    }
    this.seamTaken = true;
    const sim = this;
    return {
      attach(lineage) {
        sim.lineage = lineage;
      },
      act(fn, asRun = false) {
        if (asRun) sim.running = true;
        sim.inside++;
        try {
          return fn();
        } finally {
          sim.inside--;
          if (asRun) sim.running = false;
        }
      },
      isRunning: () => sim.running,
      step: () => sim.stepInternal(),
      advance: (t) => sim.advanceInternal(t),
      setClock(t) {
        sim._now = t;
      },
      setEventCount(n) {
        sim.processed = n;
      },
      streams: sim.streams,
      forkPath: () => sim.forkPath,
      setStreamKey(replication, forkPath) {
        sim.replicationIndex = replication;
        sim.forkPath = forkPath;
      },
      continuousModels: () => sim.continuous.size,
      inputHandler: (name) => sim.inputs.get(name),
    };
  }

  private beginExternalWrite(names: readonly string[], values: ArrayLike<number>): (() => void) | null {
    if (this.inside > 0) return null;
    this.lineage?.recordWrite(names, values);
    this.inside++;
    return () => {
      this.inside--;
    };
  }

  private enterRun(api: string): void {
    if (this.running) {
      throw new TwinkitError(
        `Simulation.${api}(): the simulation is already running (called from inside an event or process at t=${this._now}). Schedule work with sim.schedule() or yield from a process instead.`,
        { code: 'INVALID_STATE' },
      );
    }
    this.running = true;
    this.inside++;
  }

  private exitRun(): void {
    this.inside--;
    this.running = false;
  }

  /** Processes one calendar entry or state event. Returns false when nothing is left. */
  private stepInternal(): boolean {
    const calendar = this.calendar;
    if (this.continuous.size > 0) {
      const t = calendar.peekTime();
      if (t === Number.POSITIVE_INFINITY) return false;
      if (this.continuous.sync(t)) return true;
    }
    const entry = calendar.pop();
    if (entry === undefined) return false;
    this._now = entry._time;
    this.processed++;
    if (this.steps.listeners !== null) this.steps.notify(entry, entry._time);
    entry._fire();
    return true;
  }

  /** Processes everything at or before t, then sets the clock to t. */
  private advanceInternal(t: number): void {
    const calendar = this.calendar;
    for (;;) {
      if (calendar.peekTime() <= t) {
        this.stepInternal();
        continue;
      }
      if (this.continuous.size > 0 && this.continuous.sync(t)) continue;
      this._now = t;
      return;
    }
  }

  /** A state event of a continuous model at t: the clock moves there and counts one processed event. */
  private stateEvent(t: number): void {
    this._now = t;
    this.processed++;
    if (this.steps.listeners !== null) this.steps.notify(null, t);
  }
}
