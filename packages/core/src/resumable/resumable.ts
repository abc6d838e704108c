import { formatValue, invalidArgument, TwinkitError } from '../errors';
import { type AnyEvent, Interrupt } from '../events/event';
import type { Process } from '../events/process';
import type { Simulation } from '../simulation/simulation';

/**
 * A resumable process's state as plain, JSON-safe data ({@link ResumableProcess.saveState}): the
 * phase it is in, the due time of its pending timed wait (null when it waits for an event or is
 * about to enter the phase afresh) and the order in which that wait was scheduled.
 *
 * @example
 * ```ts
 * const state: ResumableState<'idle' | 'busy'> = { phase: 'busy', due: 42.5, seq: 7 };
 * ```
 */
export interface ResumableState<P extends string = string> {
  /** The phase the process is in. */
  phase: P;
  /** When the pending timed wait ends; null re-enters `phase` from its start (without a wait). */
  due: number | null;
  /**
   * The group's stamp of that wait, or of the phase's entry while it waits for an event: restored
   * processes restart in this order (the calendar's order of their waits, the order of their requests).
   */
  seq: number;
}

/**
 * A {@link ResumableGroup}'s state as plain, JSON-safe data: its scheduling counter and the state of
 * every process, by name.
 *
 * @example
 * ```ts
 * const saved: ResumableGroupState = group.saveState();
 * JSON.stringify(saved); // { "seq": 12, "processes": { "machine1": { "phase": "wait", ... } } }
 * ```
 */
export interface ResumableGroupState {
  /** The scheduling counter. */
  seq: number;
  /** Every process's state, by name. */
  processes: Record<string, ResumableState>;
}

/**
 * What a phase returns: the next phase entered at once, or {@link PhaseRun.after} (enter it at the
 * end of a timed wait).
 *
 * @example
 * ```ts
 * return 'idle';                       // enter 'idle' now
 * return run.after(5, 'busy');         // the process is in 'busy' for 5, then runs its body
 * ```
 */
export type PhaseResult<P extends string> = P | TimedWait<P>;

/**
 * A timed wait ending in phase `next`, returned by {@link PhaseRun.after}.
 *
 * @example
 * ```ts
 * const wait: TimedWait<'busy'> = run.after(5, 'busy');
 * ```
 */
export interface TimedWait<P extends string> {
  /** The delay. */
  readonly delay: number;
  /** The phase the process is in during the wait, whose body runs when it ends. */
  readonly next: P;
}

/**
 * What a phase's body gets: the simulation, how it was entered, and the timed-wait transition.
 *
 * @example
 * ```ts
 * *busy(run) {
 *   if (run.afterWait) done++;         // entered at the end of the wait
 *   return run.after(3, 'busy');
 * }
 * ```
 */
export interface PhaseRun<P extends string> {
  /** The simulation. */
  readonly sim: Simulation;
  /** True when the phase was entered at the end of its timed wait, false when entered directly. */
  readonly afterWait: boolean;
  /** The time left of the timed wait when it was interrupted (in an `interrupted` handler), else NaN. */
  readonly remaining: number;
  /** Waits `delay` (saved as a due time, restored as the time left) and then enters phase `next`. */
  after(delay: number, next: P): TimedWait<P>;
}

/**
 * The body of a phase: a generator that may yield events and returns where to go next (or a plain
 * function that returns it at once).
 *
 * @example
 * ```ts
 * const idle: PhaseBody<'idle' | 'busy'> = function* () { yield signal; return 'busy'; };
 * ```
 */
export type PhaseBody<P extends string> = (run: PhaseRun<P>) => PhaseGenerator<P> | PhaseResult<P>;

// A generator's `return 'busy'` is typed string (TypeScript widens it), so the next phase's name is
// checked when the phase ends (a clear error names the phases).
// biome-ignore lint/suspicious/noExplicitAny: the values received at yields depend on the events
type PhaseGenerator<P extends string> = Generator<AnyEvent | number, PhaseResult<P> | string, any>;

/**
 * A phase: its body, or the body with an `interrupted` handler for an {@link Interrupt} arriving
 * during the timed wait that ends in this phase (`run.remaining` is the time left).
 */
export type PhaseSpec<P extends string> =
  | PhaseBody<P>
  | {
      /** The phase's body. */
      run: PhaseBody<P>;
      /**
       * Called instead of the body when an {@link Interrupt} arrives during the timed wait that ends
       * in this phase (`run.remaining` is the time left); returns where the process goes next.
       */
      interrupted?: (run: PhaseRun<P>, cause: unknown) => PhaseResult<P>;
    };

/**
 * The phases of a resumable process, by name.
 *
 * @example
 * ```ts
 * const phases: Phases<'idle' | 'busy'> = {
 *   *idle() { yield job; return 'busy'; },
 *   busy: (run) => run.after(5, 'idle'),
 * };
 * ```
 */
export type Phases<P extends string> = Record<P, PhaseSpec<P>>;

const API = 'ResumableGroup.add(name, phases, initial)';
/** Direct phase changes in a row without waiting after which a process is taken to spin. */
const MAX_SPINS = 100_000;

/**
 * A process written as named phases, which a {@link ResumableGroup} can save as data and restart in
 * the same phase with the time left of its pending wait. Each phase's body runs from its start when
 * the phase is entered (directly, or at the end of a timed wait `run.after(delay, phase)`), so the
 * body may yield events (a resource request, a signal) but keeps what must survive a snapshot in the
 * model's own plain data: on restore, a phase waiting for an event is entered again from its start.
 * An {@link Interrupt} reaches the body at its `yield` (catch it there), or, during a timed wait, the
 * `interrupted` handler of the phase the wait ends in; without one the process fails with it.
 *
 * @example
 * ```ts
 * const group = new ResumableGroup(sim, saved?.processes);
 * const server = group.add('server', {
 *   *idle() { job = yield queue.get(); return 'busy'; },
 *   busy: { run: (r) => (r.afterWait ? 'idle' : r.after(service(), 'busy')) },
 * }, 'idle');
 * group.start();
 * ```
 */
export class ResumableProcess<P extends string = string> {
  /** The name, unique in its group (the key of its saved state). */
  readonly name: string;
  private current: P;
  private dueAt: number;
  private seq: number;
  private proc: Process<never> | null = null;

  /** @internal Created by {@link ResumableGroup.add}. */
  constructor(
    private readonly group: ResumableGroup,
    name: string,
    private readonly phases: Phases<P>,
    saved: ResumableState<P> | undefined,
    initial: P,
  ) {
    this.name = name;
    this.current = saved?.phase ?? initial;
    this.dueAt = saved?.due ?? Number.NaN;
    this.seq = saved?.seq ?? 0;
    if (!Object.hasOwn(phases, this.current)) {
      throw invalidArgument(
        API,
        `the phase ${saved === undefined ? 'initial' : `saved for ${formatValue(name)}`} must be one of the phases (${Object.keys(phases).join(', ')})`,
        this.current,
        'Restore a state saved by the same process definition.',
      );
    }
  }

  /** The phase the process is in. */
  get phase(): P {
    return this.current;
  }

  /** When the pending timed wait ends (NaN while the process waits for an event). */
  get due(): number {
    return this.dueAt;
  }

  /** The underlying process (null before {@link ResumableGroup.start}). */
  get process(): Process<never> | null {
    return this.proc;
  }

  /** @internal the stamp that orders restarts */
  get _seq(): number {
    return this.seq;
  }

  /**
   * Interrupts the process (see `Process.interrupt`); during a timed wait, the `interrupted` handler
   * of the phase the wait ends in decides the next phase.
   */
  interrupt(cause?: unknown): void {
    if (this.proc === null) {
      throw new TwinkitError(
        `ResumableProcess.interrupt(): ${formatValue(this.name)} has not started. Call group.start() first.`,
        { code: 'INVALID_STATE' },
      );
    }
    this.proc.interrupt(cause);
  }

  /** Returns the state as plain data (see {@link ResumableState}). */
  saveState(): ResumableState<P> {
    return { phase: this.current, due: Number.isNaN(this.dueAt) ? null : this.dueAt, seq: this.seq };
  }

  /** @internal Starts the process in its phase. */
  _start(): void {
    const self = this;
    const { sim } = this.group;
    // The delay of a wait about to be taken when it was just given (a fresh wait): its due time is
    // then now + delay, the sum stored in `dueAt`. A restored wait waits `dueAt − now`, which lands
    // on `dueAt` exactly whenever the wait is at most `now` (Sterbenz): both fire at the same instant.
    let delay = Number.isNaN(this.dueAt) ? Number.NaN : this.dueAt - sim.now;
    let afterWait = false;
    let remaining = Number.NaN;
    let spins = 0;
    const run: PhaseRun<P> = {
      sim,
      get afterWait() {
        return afterWait;
      },
      get remaining() {
        return remaining;
      },
      after(wait: number, next: P): TimedWait<P> {
        if (typeof wait !== 'number' || !(wait >= 0) || !Number.isFinite(wait)) {
          throw invalidArgument(
            `ResumableProcess ${formatValue(self.name)}: run.after(delay, next)`,
            'delay must be a finite number >= 0',
            wait,
            'Pass the time to wait, e.g. run.after(sample(), "busy").',
          );
        }
        return { delay: wait, next };
      },
    };
    function* drive(): Generator<AnyEvent | number, never, unknown> {
      for (;;) {
        const spec = self.phases[self.current];
        if (!Number.isNaN(delay)) {
          self.seq = self.group._stamp();
          try {
            yield delay; // a plain delay: no event per timed wait
          } catch (error) {
            const handler = typeof spec === 'function' ? undefined : spec.interrupted;
            if (!(error instanceof Interrupt) || handler === undefined) throw error;
            remaining = self.dueAt - sim.now;
            self.dueAt = Number.NaN;
            delay = Number.NaN;
            const result = handler(run, error.cause);
            remaining = Number.NaN;
            self.go(result, (d) => {
              delay = d;
            });
            continue;
          }
          self.dueAt = Number.NaN;
          delay = Number.NaN;
          afterWait = true;
        }
        // Stamped on entry too: processes that wait for events (requests to one resource) restart in
        // the order they entered their phase, so they make their requests again in the saved order.
        self.seq = self.group._stamp();
        const body = typeof spec === 'function' ? (spec as PhaseBody<P>) : spec.run;
        const before = sim.eventsProcessed;
        const out = body(run);
        const result = isGenerator(out) ? yield* out : out;
        // Phases that enter each other without ever waiting would spin forever at this instant.
        spins = afterWait || sim.eventsProcessed !== before ? 0 : spins + 1;
        if (spins > MAX_SPINS) self.spinning();
        afterWait = false;
        self.go(result, (d) => {
          delay = d;
        });
      }
    }
    this.proc = sim.process(drive, { name: this.name });
  }

  private spinning(): never {
    throw new TwinkitError(
      `ResumableProcess ${formatValue(this.name)}: its phases entered each other ${MAX_SPINS} times at t=${this.group.sim.now} without waiting (last in ${formatValue(this.current)}). Let a phase wait: yield an event, or return run.after(delay, phase).`,
      { code: 'INVALID_STATE' },
    );
  }

  private go(result: PhaseResult<P> | string, wait: (delay: number) => void): void {
    const next = typeof result === 'object' && result !== null ? result.next : result;
    if (!Object.hasOwn(this.phases, next)) {
      throw invalidArgument(
        `ResumableProcess ${formatValue(this.name)}: phase ${formatValue(this.current)}`,
        `the next phase must be one of the phases (${Object.keys(this.phases).join(', ')})`,
        next,
        'Return a phase name, or run.after(delay, phase).',
      );
    }
    this.current = next as P;
    if (typeof result === 'object') {
      this.dueAt = this.group.sim.now + result.delay;
      wait(result.delay);
    }
  }
}

/**
 * The resumable processes of a model: it stamps every timed wait they schedule, saves them all as
 * plain data ({@link ResumableGroup.saveState}) and, built again from that state, restarts them in
 * the order their waits were scheduled, so that waits due at the same instant fire in the original
 * order (the calendar orders equal times by insertion).
 *
 * @example
 * ```ts
 * // build(sim, params, saved?):
 * const group = new ResumableGroup(sim, saved?.processes);
 * group.add('arrivals', { *next(run) { if (run.afterWait) arrive(); return run.after(draw(), 'next'); } }, 'next');
 * group.start();
 * // saveState(model): { processes: model.group.saveState(), ... }
 * ```
 */
export class ResumableGroup {
  /** The simulation. */
  readonly sim: Simulation;
  private seq: number;
  private readonly saved: Record<string, ResumableState> | undefined;
  private readonly members = new Map<string, ResumableProcess<string>>();
  private started = false;

  /**
   * Creates an empty group, or one that restores the processes of `saved` as they are added.
   *
   * @throws TwinkitError if `saved` is not a state returned by {@link ResumableGroup.saveState}.
   */
  constructor(sim: Simulation, saved?: ResumableGroupState) {
    if (
      saved !== undefined &&
      (saved === null ||
        typeof saved !== 'object' ||
        !Number.isInteger(saved.seq) ||
        typeof saved.processes !== 'object')
    ) {
      throw invalidArgument(
        'new ResumableGroup(sim, saved)',
        'saved must be a state returned by ResumableGroup.saveState()',
        saved,
        'Pass the group state saved in the snapshot, or nothing for a new group.',
      );
    }
    this.sim = sim;
    this.seq = saved?.seq ?? 0;
    this.saved = saved?.processes;
  }

  /**
   * Adds a process in phase `initial`, or in its saved phase when the group was restored with a
   * state for `name` (pass `state` to use another one, or `null` to start it afresh). The process
   * runs once {@link ResumableGroup.start} is called.
   *
   * @example
   * ```ts
   * const clock = group.add('tick', { tick: (run) => run.after(1, 'tick') }, 'tick');
   * ```
   *
   * @throws TwinkitError if the name is taken, the group has started, or the phase is unknown.
   */
  add<P extends string, I extends P = P>(
    name: string,
    phases: Phases<P>,
    initial: I,
    state?: ResumableState<P> | null,
  ): ResumableProcess<P> {
    if (typeof name !== 'string' || name.length === 0 || this.members.has(name)) {
      throw invalidArgument(
        API,
        'name must be a non-empty string not used yet in the group',
        name,
        'Name each process after what it is, e.g. "machine1".',
      );
    }
    if (this.started) {
      throw new TwinkitError(
        `${API}: the group has started; add ${formatValue(name)} before group.start().`,
        { code: 'INVALID_STATE' },
      );
    }
    const saved =
      state === null ? undefined : (state ?? (this.saved?.[name] as ResumableState<P> | undefined));
    const process = new ResumableProcess<P>(this, name, phases, saved, initial);
    this.members.set(name, process as unknown as ResumableProcess<string>);
    return process;
  }

  /**
   * Starts every process added: a new group in the order they were added, a restored one in the
   * order their pending waits were scheduled (processes without a saved state first, in the order
   * added).
   *
   * @throws TwinkitError if called twice.
   */
  start(): void {
    if (this.started) {
      throw new TwinkitError('ResumableGroup.start(): the group has started already; call it once.', {
        code: 'INVALID_STATE',
      });
    }
    this.started = true;
    const all = [...this.members.values()];
    if (this.saved !== undefined) all.sort((a, b) => a._seq - b._seq);
    for (const p of all) p._start();
  }

  /** Returns every process's state and the counter as plain data (see {@link ResumableGroupState}). */
  saveState(): ResumableGroupState {
    const processes: Record<string, ResumableState> = {};
    for (const [name, p] of this.members) processes[name] = p.saveState();
    return { seq: this.seq, processes };
  }

  /** @internal the next stamp */
  _stamp(): number {
    return ++this.seq;
  }
}

function isGenerator<T>(value: unknown): value is Generator<AnyEvent | number, T, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Generator).next === 'function';
}
