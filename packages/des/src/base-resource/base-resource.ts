/**
 * The extension point of every resource, container and store (SimPy's BaseResource).
 *
 * An implementation PROVIDES:
 *   - `doPut(event)`: tries to satisfy a put request now (a Resource request, a Container put, a Store
 *     put); if it can, applies the effect, triggers the event and returns true; otherwise returns false.
 *   - `doGet(event)`: the same for get requests (Container get, Store get). Resource releases are
 *     immediate and do not go through it.
 *   The defaults throw an error that names the class and the missing method.
 * It MAY OVERRIDE:
 *   - `triggerPuts()` / `triggerGets()`: which waiting requests to try, in which order (the default
 *     serves the head of the line and stops at the first that cannot be served, so nobody overtakes;
 *     FilterStore scans the whole line).
 *   - `inUseLevel()`: the figure whose time-average is `stats.inUse` (busy units, level, items).
 *   - `withdrawGranted(event)`: what `cancel()` means once a request was granted (Resource: release).
 * It GETS FOR FREE:
 *   - waiting lines with balking (`queueCapacity`) and reneging (`event.cancel()`), statistics
 *     (`stats`), tracing (`startTrace`), state-vector registration (`name`), and the settle loop that
 *     serves puts and gets until neither side can move.
 */
import { Event, type Process, type Simulation, TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument } from '@twinkit/core/internal';
import { type DesContext, desContext } from '../context';
import type { RequestQueue } from '../request-queue';
import { FifoQueue, KeyedQueue, type Queueable } from '../request-queue';
import { DesStatistics } from '../statistics';
import type { TraceKind } from '../trace';

/** Where a request, put or get stands. */
export type RequestStatus =
  /** Waiting in the line. */
  | 'waiting'
  /** Granted (a Resource request holds a unit until released). */
  | 'granted'
  /** A granted Resource request that was released. */
  | 'released'
  /** Withdrawn with `cancel()` while waiting (reneged). */
  | 'withdrawn'
  /** Refused because the waiting line was full. */
  | 'balked'
  /** A Resource request whose unit was taken by a more urgent request. */
  | 'preempted'
  /** Failed (a FilterStore filter threw). */
  | 'failed';

/** What `cancel()` did. */
export type CancelOutcome = 'withdrawn' | 'released' | 'none';

/**
 * The waiting lines of a resource, container or store as plain data: when each waiting request was
 * made, in line order (part of their `saveState()`).
 *
 * @example
 * ```ts
 * const lines: WaitingLinesState = { puts: [], gets: [12.5, 13] }; // two getters waiting since 12.5, 13
 * ```
 */
export interface WaitingLinesState {
  /** The waiting put requests (Resource: requests for a unit). */
  puts: number[];
  /** The waiting get requests. */
  gets: number[];
}

/** Options shared by every resource, container and store. */
export interface BaseResourceOptions {
  /**
   * Name for traces and messages. When given, the observables are also registered in the state vector
   * under `<name>.<observable>` (for example `line1.machine.queueLength`); it must then be a dotted
   * identifier unique in the state vector.
   */
  name?: string;
  /**
   * Longest waiting line (each side: requests/gets, and puts); a request that would have to wait
   * behind a full line balks: it fails with {@link Balked} and counts in `stats.balks`.
   * An integer >= 0 or Infinity (default).
   */
  queueCapacity?: number;
}

/** The keys of {@link BaseResourceOptions}, which every resource, container and store accepts. @internal */
export const BASE_RESOURCE_OPTION_KEYS: readonly string[] = ['name', 'queueCapacity'];

/**
 * @internal Returns the class name to show in messages and default resource names: the literal
 * `_kind` a twinkit class declares as its own static field (a bundler or minifier may rename the class,
 * so `cls.name` can read `_Resource`), else `cls.name` (a user's subclass keeps its own name).
 */
export function resourceKind(cls: abstract new (...args: never[]) => unknown): string {
  return Object.hasOwn(cls, '_kind') ? (cls as unknown as { _kind: string })._kind : cls.name;
}

/** The error a balked request fails with. */
export class Balked extends Error {
  /** The resource, container or store that refused the request. */
  readonly resource: string;
  /** The length of the full waiting line. */
  readonly queueLength: number;

  /** Creates the error. */
  constructor(resource: string, queueLength: number) {
    super(`${resource}: the waiting line is full (${queueLength} waiting), so the request balked.`);
    this.name = 'Balked';
    this.resource = resource;
    this.queueLength = queueLength;
  }
}

/** Any request, put or get, whatever its value type. */
// biome-ignore lint/suspicious/noExplicitAny: the value type is irrelevant here
export type AnyResourceEvent = ResourceEvent<any>;

/**
 * A request, put or get made to a resource: an event that the resource triggers when it grants it.
 * Yield it from a process to wait for it.
 */
export abstract class ResourceEvent<T = unknown> extends Event<T> implements Queueable {
  /** The resource, container or store the event was made to. */
  // biome-ignore lint/suspicious/noExplicitAny: any resource kind
  declare readonly resource: BaseResource<any, any>;
  /** The time it was made. */
  declare readonly requestedAt: number;
  /** The process that made it (interrupted on preemption), or null. */
  declare readonly process: Process<unknown> | null;
  // Assigned in the constructor rather than by initializers, for the reason given in core's Event:
  // every request, put and get class passes through here, and megamorphic field defines are slow.
  /** @internal */ declare _queued: boolean;
  /** @internal */ declare _status: RequestStatus;
  /** @internal */ declare readonly _side: 'put' | 'get';

  /** @internal Created by the resource. */
  // biome-ignore lint/suspicious/noExplicitAny: any resource kind
  constructor(resource: BaseResource<any, any>, side: 'put' | 'get') {
    super(resource.sim);
    this._queued = false;
    this._status = 'waiting';
    this.resource = resource;
    this._side = side;
    this.requestedAt = resource.sim.now;
    this.process = resource.sim.activeProcess;
  }

  /** Where the request stands: waiting, granted, released, withdrawn, balked, preempted or failed. */
  get status(): RequestStatus {
    return this._status;
  }

  /** True when it was refused because the waiting line was full (known as soon as it is made). */
  get balked(): boolean {
    return this._status === 'balked';
  }

  /**
   * Dates this waiting request back to `time`, when it was first made: for a snapshot's `restore`,
   * which makes again the requests that were waiting when the snapshot was taken. Its waiting time
   * (in `stats`, traces and preemption order) then counts from `time`, as in the original. Returns
   * the request.
   *
   * @example
   * ```ts
   * // restore(sim, params, saved): the machine was waiting for a part since saved.waitingSince
   * const get = buffer.get().resumeFrom(saved.waitingSince);
   * ```
   *
   * @throws TwinkitError if the request is no longer waiting, or `time` is not finite or is after now.
   */
  resumeFrom(time: number): this {
    const api = `${this.describe()}.resumeFrom(time)`;
    if (this._status !== 'waiting' || !this._queued) {
      throw new TwinkitError(
        `${api}: only a request still waiting in line can be dated back; this one is ${this._status === 'waiting' ? 'not in a waiting line' : this._status}. Call it right after making the request, while it waits.`,
        { code: 'INVALID_STATE' },
      );
    }
    if (typeof time !== 'number' || !Number.isFinite(time) || time > this.sim.now) {
      throw invalidArgument(
        api,
        `time must be a finite time at or before now (${this.sim.now})`,
        time,
        'Pass the time the request was first made, as saved.',
      );
    }
    (this as { requestedAt: number }).requestedAt = time;
    return this;
  }

  /**
   * Withdraws the request: if it is still waiting it leaves the line (a renege, counted in
   * `stats.reneges`). A Resource request that was already granted is released instead, so
   * `if (!result.has(req)) req.cancel()` is safe even when the grant came at the same instant.
   * Returns what it did; calling it again does nothing (`'none'`), so it is safe in `finally` blocks.
   */
  cancel(): CancelOutcome {
    return this.resource._cancel(this);
  }
}

/**
 * The base class of resources, containers and stores: waiting lines for put and get requests, and the
 * hooks `doPut`/`doGet` that decide who gets what. See the comment at the top of this file for what a
 * subclass provides, may override and gets for free.
 */
// biome-ignore lint/suspicious/noExplicitAny: subclasses fix the event types
export abstract class BaseResource<TPut extends ResourceEvent<any>, TGet extends ResourceEvent<any>> {
  /** The simulation the resource belongs to. */
  readonly sim: Simulation;
  /** The name used in traces, messages and the state vector. */
  readonly name: string;
  /** The longest waiting line per side (Infinity: unlimited). */
  readonly queueCapacity: number;
  /** The statistics kept as the simulation runs (see {@link DesStatistics}). */
  readonly stats: DesStatistics;
  /** The waiting put requests (Resource: requests waiting for a unit). */
  protected readonly putQueue: RequestQueue<TPut>;
  /** The waiting get requests. */
  protected readonly getQueue: RequestQueue<TGet>;
  /** @internal */ protected readonly ctx: DesContext;
  /** @internal */ protected readonly kind: string;
  private settling = false;
  /** Requests saved waiting that the restored processes make again (see {@link BaseResource.resumeLines}). */
  private resuming: { time: number; puts: number[]; gets: number[] } | null = null;
  /** Whether put requests are the arrivals (Resource) rather than gets (Container, Store); fixed per class. */
  private readonly arrivalsArePuts: boolean;

  /** @internal Subclasses validate their own options first. */
  constructor(
    sim: Simulation,
    kind: string,
    options: BaseResourceOptions,
    initialInUse: number,
    capacity: number,
    putQueue?: RequestQueue<TPut>,
    getQueue?: RequestQueue<TGet>,
  ) {
    const api = `new ${kind}(sim, options)`;
    if (sim === null || typeof sim !== 'object' || typeof sim.timeout !== 'function') {
      throw invalidArgument(
        api,
        'sim must be a Simulation',
        sim,
        `Pass the simulation: new ${kind}(sim, { ... }).`,
      );
    }
    const queueCapacity = options.queueCapacity ?? Number.POSITIVE_INFINITY;
    if (
      typeof queueCapacity !== 'number' ||
      !(queueCapacity === Number.POSITIVE_INFINITY || (Number.isInteger(queueCapacity) && queueCapacity >= 0))
    ) {
      throw invalidArgument(
        api,
        'queueCapacity must be an integer >= 0 or Infinity',
        queueCapacity,
        'Pass { queueCapacity: 10 } to let at most 10 wait, or omit it for an unlimited line.',
      );
    }
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) {
      throw invalidArgument(api, 'name must be a non-empty string', options.name);
    }
    this.sim = sim;
    this.kind = kind;
    this.ctx = desContext(sim);
    this.name = options.name ?? `${kind}-${++this.ctx.created}`;
    this.queueCapacity = queueCapacity;
    this.stats = new DesStatistics(sim, initialInUse, capacity, this.name);
    this.putQueue = putQueue ?? new FifoQueue<TPut>();
    this.getQueue = getQueue ?? new FifoQueue<TGet>();
    this.arrivalsArePuts = this.putIsArrival();
  }

  /** Number of put requests waiting (Resource: requests waiting for a unit). */
  get putQueueLength(): number {
    return this.putQueue.length;
  }

  /** Number of get requests waiting. */
  get getQueueLength(): number {
    return this.getQueue.length;
  }

  // ------------------------------------------------------------------ hooks

  /** Tries to satisfy `event` now: applies it, triggers it and returns true, or returns false. */
  protected doPut(_event: TPut): boolean {
    throw new TwinkitError(
      `${this.kind}.doPut(event) is not implemented: a resource that accepts put requests must override doPut.`,
      { code: 'NOT_IMPLEMENTED' },
    );
  }

  /** Tries to satisfy `event` now: applies it, triggers it and returns true, or returns false. */
  protected doGet(_event: TGet): boolean {
    throw new TwinkitError(
      `${this.kind}.doGet(event) is not implemented: a resource that accepts get requests must override doGet.`,
      { code: 'NOT_IMPLEMENTED' },
    );
  }

  /** Returns the figure whose time-average is `stats.inUse`. */
  protected abstract inUseLevel(): number;

  /** Undoes a granted request on `cancel()`; the default does nothing and returns 'none'. */
  protected withdrawGranted(_event: TPut | TGet): CancelOutcome {
    return 'none';
  }

  /** Serves waiting put requests from the head of the line; returns whether any was served. */
  protected triggerPuts(): boolean {
    const queue = this.putQueue;
    if (queue.length === 0) return false;
    let served = false;
    for (let head = queue.peek(); head !== undefined; head = queue.peek()) {
      if (!this.doPut(head)) break;
      queue.shift();
      this.queueLevel(true).update(queue.length);
      this.granted(head);
      served = true;
    }
    return served;
  }

  /** Serves waiting get requests from the head of the line; returns whether any was served. */
  protected triggerGets(): boolean {
    const queue = this.getQueue;
    if (queue.length === 0) return false;
    let served = false;
    for (let head = queue.peek(); head !== undefined; head = queue.peek()) {
      if (!this.doGet(head)) break;
      queue.shift();
      this.queueLevel(false).update(queue.length);
      this.granted(head);
      served = true;
    }
    return served;
  }

  // ------------------------------------------------------------------ machinery

  /** @internal Submits a new put or get request: served now, queued, or balked. */
  protected submit(event: TPut | TGet): void {
    const isPut = event._side === 'put';
    const queue: RequestQueue<TPut | TGet> = isPut ? this.putQueue : this.getQueue;
    const stats = this.stats;
    if (this.resuming !== null && this.adopt(event, isPut, queue)) return;
    if (isPut === this.arrivalsArePuts) stats.arrivals++;
    else stats.puts++;
    if (
      (queue.length === 0 || this.canOvertake(isPut)) &&
      (isPut ? this.doPut(event as TPut) : this.doGet(event as TGet))
    ) {
      this.granted(event);
      // A put may let waiting gets proceed, and a get waiting puts.
      if (!this.arrivalsArePuts) this.settle(isPut);
      return;
    }
    if (queue.length >= this.queueCapacity) {
      event._status = 'balked';
      stats.balks++;
      event.defused = true;
      event.fail(new Balked(this.name, queue.length));
      if (this.ctx.traces !== null) this.trace('balk', event, { queueLength: queue.length });
      return;
    }
    queue.push(event);
    this.queueLevel(isPut).update(queue.length);
    if (this.ctx.traces !== null) this.trace('request', event, this.describeRequest(event));
    // In an ordered line the newcomer may be at the head (and may preempt): try the head now.
    if (queue instanceof KeyedQueue) {
      if (isPut) this.triggerPuts();
      else this.triggerGets();
    }
  }

  /**
   * Returns when each waiting request was made, in line order: for `saveState()`, with the held
   * items, level or units and `stats.saveState()`.
   */
  protected saveLines(): WaitingLinesState {
    return {
      puts: this.putQueue.toArray().map((e) => e.requestedAt),
      gets: this.getQueue.toArray().map((e) => e.requestedAt),
    };
  }

  /**
   * Expects the requests of `lines` to be made again now, in order (by the processes restored in the
   * phase where they waited): each of them is dated back to when it was first made and is not
   * counted as a new arrival, since the restored `stats` count it already.
   */
  protected resumeLines(api: string, lines: WaitingLinesState): void {
    const ok = (a: unknown) =>
      Array.isArray(a) && a.every((t) => typeof t === 'number' && Number.isFinite(t) && t <= this.sim.now);
    if (lines === null || typeof lines !== 'object' || !ok(lines.puts) || !ok(lines.gets)) {
      throw invalidArgument(
        api,
        `state.waiting must hold the times (at or before now, ${this.sim.now}) of the waiting puts and gets`,
        lines,
        'Pass a state returned by saveState() of the same kind of resource.',
      );
    }
    this.resuming =
      lines.puts.length + lines.gets.length === 0
        ? null
        : { time: this.sim.now, puts: [...lines.puts], gets: [...lines.gets] };
  }

  /** Throws unless the resource is as new (nothing held, waiting or recorded), for restoreState. */
  protected requireFresh(api: string, empty: boolean): void {
    if (
      !empty ||
      this.putQueue.length + this.getQueue.length > 0 ||
      this.stats.arrivals + this.stats.puts > 0
    ) {
      throw new TwinkitError(
        `${api}: ${formatValue(this.name)} has been used already; restore the state into a resource just created, before the processes that use it start.`,
        { code: 'INVALID_STATE' },
      );
    }
  }

  /** Takes a request made again after a restore as the saved one it stands for; false for a new request. */
  private adopt(event: TPut | TGet, isPut: boolean, queue: RequestQueue<TPut | TGet>): boolean {
    const resuming = this.resuming!;
    const times = isPut ? resuming.puts : resuming.gets;
    if (times.length === 0) return false;
    if (this.sim.now !== resuming.time) {
      throw new TwinkitError(
        `${this.kind} ${formatValue(this.name)}: ${resuming.puts.length + resuming.gets.length} request(s) waiting when the state was saved were not made again at the restore (t=${resuming.time}). Restart the processes that waited in the phase where they waited, so that they make their requests again at once.`,
        { code: 'INVALID_STATE' },
      );
    }
    (event as { requestedAt: number }).requestedAt = times.shift()!;
    if (resuming.puts.length + resuming.gets.length === 0) this.resuming = null;
    if (
      (queue.length === 0 || this.canOvertake(isPut)) &&
      (isPut ? this.doPut(event as TPut) : this.doGet(event as TGet))
    ) {
      this.granted(event);
      if (!this.arrivalsArePuts) this.settle(isPut);
      return true;
    }
    // Counted in the restored stats already: neither an arrival nor a change of the line's length.
    queue.push(event);
    return true;
  }

  /**
   * Whether a new request may be served before those already waiting on its side (FilterStore gets:
   * a getter waits only for items that match it). Default false: nobody overtakes.
   */
  protected canOvertake(_isPut: boolean): boolean {
    return false;
  }

  /** @internal Books a granted request: status, waiting time, level, trace (failed ones are booked already). */
  protected granted(event: TPut | TGet): void {
    if (event._status === 'failed') return;
    event._status = 'granted';
    const wait = this.sim.now - event.requestedAt;
    const stats = this.stats;
    if (event._side === 'put') {
      if (this.arrivalsArePuts) stats.waitingTime.add(wait);
      else stats.putWaitingTime.add(wait);
    } else {
      stats.waitingTime.add(wait);
      stats.departures++;
    }
    stats.inUse.update(this.inUseLevel());
    if (this.ctx.traces !== null) this.trace('grant', event, { ...this.describeRequest(event), wait });
  }

  /** @internal Serves both sides until neither can move, starting with gets or puts. */
  protected settle(startWithGets: boolean): void {
    if (this.arrivalsArePuts || this.settling) {
      // One-sided (Resource) or re-entered from a hook, where the outer loop continues.
      if (!this.settling) {
        if (startWithGets) this.triggerGets();
        else this.triggerPuts();
      }
      return;
    }
    this.settling = true;
    try {
      let gets = startWithGets;
      for (let idle = 0; idle < 2; gets = !gets) {
        const moved = gets ? this.triggerGets() : this.triggerPuts();
        idle = moved ? 0 : idle + 1;
      }
    } finally {
      this.settling = false;
    }
  }

  /** @internal Whether a put counts as an arrival (Resource requests) rather than a get (stores). */
  protected putIsArrival(): boolean {
    return false;
  }

  /** @internal */
  protected queueLevel(isPut: boolean) {
    return isPut === this.arrivalsArePuts ? this.stats.queueLength : this.stats.putQueueLength;
  }

  /** @internal Details of a request for traces. */
  protected describeRequest(_event: TPut | TGet): Record<string, number | string | boolean> {
    return {};
  }

  /** @internal Implements `event.cancel()`. */
  _cancel(event: AnyResourceEvent): CancelOutcome {
    const typed = event as TPut | TGet;
    if (event._status === 'waiting') {
      const isPut = event._side === 'put';
      const queue: RequestQueue<TPut | TGet> = isPut ? this.putQueue : this.getQueue;
      queue.remove(typed);
      event._status = 'withdrawn';
      this.stats.reneges++;
      this.queueLevel(isPut).update(queue.length);
      if (this.ctx.traces !== null) this.trace('renege', typed, { waited: this.sim.now - event.requestedAt });
      // The one who left may have been blocking the head of the line.
      this.settle(!isPut);
      return 'withdrawn';
    }
    if (event._status === 'granted') return this.withdrawGranted(typed);
    return 'none';
  }

  /** @internal Sends a record to the active traces (callers check `ctx.traces !== null` first). */
  protected trace(
    kind: TraceKind,
    event: AnyResourceEvent | null,
    detail: Record<string, number | string | boolean>,
    operation?: 'request' | 'put' | 'get',
  ): void {
    const traces = this.ctx.traces;
    if (traces === null) return;
    const process = event?.process ?? this.sim.activeProcess;
    const record = {
      time: this.sim.now,
      kind,
      process: process === null ? null : process.name,
      resource: this.name,
      operation: operation ?? (event === null ? 'request' : this.operationOf(event)),
      detail,
    };
    for (const trace of traces) trace._record(record);
  }

  /** @internal */
  protected operationOf(event: AnyResourceEvent): 'request' | 'put' | 'get' {
    return event._side;
  }

  /** @internal Registers observables in the state vector under `<name>.`. */
  protected registerState(
    options: BaseResourceOptions,
    observables: Record<string, { get: () => number; set?: (value: number) => void; description: string }>,
  ): void {
    if (options.name === undefined) return;
    for (const [key, o] of Object.entries(observables)) {
      const name = `${options.name}.${key}`;
      if (o.set === undefined) this.sim.state.define(name, { get: o.get, description: o.description });
      else this.sim.state.define(name, { get: o.get, set: o.set, description: o.description });
    }
  }

  /** @internal Checks that an event belongs to this resource (`clsName`: the class's name in messages, a literal). */
  protected checkOwn(
    api: string,
    event: unknown,
    cls: abstract new (...args: never[]) => unknown,
    clsName: string,
  ): void {
    if (!(event instanceof cls)) {
      throw invalidArgument(api, `the argument must be a ${clsName} returned by this ${this.kind}`, event);
    }
    if ((event as AnyResourceEvent).resource !== this) {
      throw new TwinkitError(
        `${api}: the ${clsName} was made to ${formatValue((event as AnyResourceEvent).resource.name)}, not to ${formatValue(this.name)}. Release it to the resource it came from.`,
        { code: 'INVALID_ARGUMENT' },
      );
    }
  }
}
