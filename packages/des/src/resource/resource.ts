import { type Simulation, TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import {
  BaseResource,
  type BaseResourceOptions,
  type CancelOutcome,
  ResourceEvent,
  type WaitingLinesState,
} from '../base-resource';
import { BASE_RESOURCE_OPTION_KEYS, resourceKind } from '../base-resource/base-resource';
import { KeyedQueue, type RequestQueue } from '../request-queue';
import type { DesStatisticsState } from '../statistics';

/**
 * A {@link Resource}'s state as plain, JSON-safe data ({@link Resource.saveState}).
 *
 * @example
 * ```ts
 * const saved: ResourceState = tellers.saveState();
 * saved.users[0]; // { requestedAt: 3, usageSince: 4.5, priority: 0 }: the first of tellers.users
 * ```
 */
export interface ResourceState {
  /** The number of units. */
  capacity: number;
  /** The users, in the order of `resource.users` at the save: when each request was made and granted. */
  users: { requestedAt: number; usageSince: number; priority: number }[];
  /** When each waiting request was made, in line order (`puts`; `gets` is empty). */
  waiting: WaitingLinesState;
  /** The statistics (see `DesStatistics.saveState`). */
  stats: DesStatisticsState;
}

/** Options of `new Resource(sim, options)`. */
export interface ResourceOptions extends BaseResourceOptions {
  /** Number of units (servers, machines, clerks): an integer >= 1 (default 1). */
  capacity?: number;
}

/** Options of `PriorityResource.request(options)`. */
export interface PriorityRequestOptions {
  /** Lower numbers are served first; FIFO among equal priorities (default 0). A finite number. */
  priority?: number;
}

/** Options of `PreemptiveResource.request(options)`. */
export interface PreemptiveRequestOptions extends PriorityRequestOptions {
  /**
   * Whether this request may take the unit of a user with a larger priority number when no unit is
   * free (default true, as in SimPy).
   */
  preempt?: boolean;
}

const RESOURCE_OPTION_KEYS: readonly string[] = ['capacity', ...BASE_RESOURCE_OPTION_KEYS];

/**
 * A request for one unit of a {@link Resource}: an event that succeeds when the unit is granted. Hold
 * the unit until `resource.release(request)`; withdraw with `request.cancel()` (reneging).
 */
export class Request extends ResourceEvent<undefined> {
  /** The priority (PriorityResource, PreemptiveResource); 0 for a plain Resource. */
  readonly priority: number;
  /** Whether the request may preempt (PreemptiveResource). */
  readonly preempt: boolean;
  /** @internal */ _usageSince = Number.NaN;
  /** @internal index in the resource's holder array while granted */ _slot = -1;

  /** @internal Created by `resource.request()`. */
  constructor(resource: Resource, priority: number, preempt: boolean) {
    super(resource, 'put');
    this.priority = priority;
    this.preempt = preempt;
  }

  /** The time the unit was granted, or null while not granted. */
  get usageSince(): number | null {
    return Number.isNaN(this._usageSince) ? null : this._usageSince;
  }

  override describe(): string {
    return `Request(${this.resource.name}, ${this._status})`;
  }
}

/**
 * The cause of the `Interrupt` a preempted user's process receives: which request took the unit,
 * since when the user held it, and for how long.
 */
export class Preempted {
  /** The request that took the unit. */
  readonly by: Request;
  /** The request that lost it. */
  readonly request: Request;
  /** The process that made the preempting request, or null. */
  readonly byProcess: string | null;
  /** When the preempted user was granted the unit. */
  readonly usageSince: number;
  /** How long the preempted user held the unit before losing it. */
  readonly usageTime: number;
  /** The resource. */
  readonly resource: Resource;

  /** @internal */
  constructor(by: Request, request: Request, usageSince: number, now: number, resource: Resource) {
    this.by = by;
    this.request = request;
    this.byProcess = by.process === null ? null : by.process.name;
    this.usageSince = usageSince;
    this.usageTime = now - usageSince;
    this.resource = resource;
  }

  /** Returns a short description, e.g. `Preempted(repairman by process-3 after 2.5)`. */
  toString(): string {
    return `Preempted(${this.resource.name} by ${this.byProcess ?? 'a request'} after ${this.usageTime})`;
  }
}

/**
 * A resource with `capacity` identical units that processes request and release (SimPy's Resource):
 * a request is an event granted in FIFO order when a unit is free.
 *
 * @example
 * ```ts
 * const counter = new Resource(sim, { capacity: 2, name: 'bank.counter' });
 * sim.process(function* customer() {
 *   const req = counter.request();
 *   const result = yield sim.anyOf([req, sim.timeout(patience)]);
 *   if (!result.has(req)) { req.cancel(); return; }  // reneged
 *   yield sim.timeout(serviceTime);
 *   counter.release(req);
 * });
 * ```
 */
export class Resource extends BaseResource<Request, never> {
  /** @internal The name in messages, whatever a bundler renames the class to. */
  static readonly _kind: string = 'Resource';
  /** @internal */ protected units: number;
  /** @internal the granted requests; each knows its slot, so removal is O(1) */
  protected readonly holders: Request[] = [];

  /**
   * Creates the resource; with a `name`, registers `<name>.queueLength` (requests waiting) and
   * `<name>.busy` (units in use), read-only, and `<name>.capacity`, writable: a write changes the
   * number of units as {@link Resource.setCapacity} does (a shift change, a machine taken out).
   *
   * @throws TwinkitError if capacity is not an integer >= 1 or queueCapacity is invalid.
   */
  constructor(sim: Simulation, options: ResourceOptions = {}) {
    const kind = resourceKind(new.target);
    rejectUnknownKeys(`new ${kind}(sim, options)`, options, RESOURCE_OPTION_KEYS, '{ capacity: 2 }');
    const capacity = options.capacity ?? 1;
    if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
      throw invalidArgument(
        `${kind}(capacity)`,
        'capacity must be an integer >= 1',
        capacity,
        'Pass { capacity: 1 } or more.',
      );
    }
    super(sim, kind, options, 0, capacity, Resource.makeQueue(new.target));
    this.units = capacity;
    this.registerState(options, {
      queueLength: { get: () => this.putQueue.length, description: 'requests waiting for a unit' },
      busy: { get: () => this.holders.length, description: 'units in use' },
      capacity: {
        get: () => this.units,
        set: (value) => this.setCapacity(value),
        description: 'number of units (a write changes it, as setCapacity does)',
      },
    });
  }

  private static makeQueue(cls: { prototype: unknown }): RequestQueue<Request> | undefined {
    // Only priority resources need an ordered line; a plain FIFO is faster.
    if (!(cls.prototype instanceof PriorityResource || cls === PriorityResource)) return undefined;
    return new KeyedQueue<Request>(
      (r) => r.priority,
      (a, b) => a.requestedAt === b.requestedAt && a.preempt && !b.preempt,
    );
  }

  /** The number of units. */
  get capacity(): number {
    return this.units;
  }

  /**
   * Changes the number of units now. More units serve waiting requests at once; fewer units take
   * effect as users release (nobody is interrupted): until then `count` may exceed `capacity`.
   * `stats.utilization` accounts for the change.
   *
   * @throws TwinkitError if capacity is not an integer >= 1.
   */
  setCapacity(capacity: number): void {
    if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
      throw invalidArgument(
        `${this.kind}.setCapacity(capacity)`,
        'capacity must be an integer >= 1',
        capacity,
        'To close the resource for a while, let a high-priority process hold its units instead.',
      );
    }
    this.units = capacity;
    this.stats._capacityChanged(capacity);
    if (this.ctx.traces !== null) this.trace('set', null, { capacity, busy: this.holders.length });
    if (this.putQueue.length !== 0) this.triggerPuts();
  }

  /**
   * Returns the resource's state as plain data: its units, its users (in the order of
   * {@link Resource.users} now, so a model saves which user is whose as an index), when each waiting
   * request was made, and the statistics. {@link Resource.restoreState} continues from it.
   *
   * @example
   * ```ts
   * // saveState(model): { desk: model.desk.saveState(), user: model.desk.users.indexOf(model.req) }
   * ```
   */
  saveState(): ResourceState {
    const users = this.holders.map((r) => ({
      requestedAt: r.requestedAt,
      usageSince: r._usageSince,
      priority: r.priority,
    }));
    return { capacity: this.units, users, waiting: this.saveLines(), stats: this.stats.saveState() };
  }

  /**
   * Continues from a state returned by {@link Resource.saveState}, in a resource just created (in a
   * snapshot's restore, at the saved time): sets the units and the statistics, re-creates the users'
   * requests (granted, dated back) and returns them in the saved order, for the processes that hold
   * them to release later; the saved waiting requests are expected to be made again at once, in
   * order, by the restored processes (dated back, not counted as new).
   *
   * @example
   * ```ts
   * const desk = new Resource(sim, { capacity: 2 });
   * const users = desk.restoreState(saved.desk);
   * const req = users[saved.user]; // the request this process holds: desk.release(req) later
   * ```
   *
   * @throws TwinkitError if the resource has been used, the state is malformed, or a
   * PreemptiveResource is restored with users (a restored user's process could not be interrupted).
   */
  restoreState(state: ResourceState): Request[] {
    const api = `${this.kind}.restoreState(state)`;
    const capacity = state?.capacity;
    if (
      typeof capacity !== 'number' ||
      !Number.isInteger(capacity) ||
      capacity < 1 ||
      !Array.isArray(state.users)
    ) {
      throw invalidArgument(
        api,
        'state must come from saveState() of a resource: an integer capacity >= 1 and a list of users',
        state,
        'Pass resource.saveState().',
      );
    }
    if (this instanceof PreemptiveResource && state.users.length > 0) {
      throw new TwinkitError(
        `${api}: a PreemptiveResource cannot be restored with users: preempting a restored user could not interrupt its process. Save it while no unit is held, or rebuild it by replay (fork({ mechanism: 'replay' })).`,
        { code: 'NOT_IMPLEMENTED' },
      );
    }
    this.requireFresh(api, this.holders.length === 0);
    this.stats.restoreState(state.stats);
    this.resumeLines(api, state.waiting);
    this.units = capacity;
    return state.users.map((user) => {
      const req = new Request(this, user.priority ?? 0, false);
      Object.assign(req, { requestedAt: user.requestedAt, _usageSince: user.usageSince, _status: 'granted' });
      req._slot = this.holders.length;
      this.holders.push(req);
      req.succeed(undefined);
      return req;
    });
  }

  /** Number of units in use. */
  get count(): number {
    return this.holders.length;
  }

  /** The requests holding a unit (a copy, in no particular order). */
  get users(): Request[] {
    return this.holders.slice();
  }

  /** The requests waiting, in the order they will be served (a copy). */
  get queue(): Request[] {
    return this.putQueue.toArray();
  }

  /** Number of requests waiting. */
  get queueLength(): number {
    return this.putQueue.length;
  }

  /**
   * Requests one unit. Yield the returned event to wait until it is granted; it fails with
   * {@link Balked} at once when `queueCapacity` requests are already waiting.
   */
  request(): Request {
    const req = new Request(this, 0, false);
    this.submit(req);
    return req;
  }

  /**
   * Releases the unit held by a granted request; the next waiting request is granted at once.
   *
   * @throws TwinkitError if the request belongs to another resource, was never granted (still waiting,
   * withdrawn, balked), was already released, or was preempted.
   */
  release(request: Request): void {
    if (request?.resource !== this || request._status !== 'granted') {
      const api = `${this.kind}.release(request)`;
      this.checkOwn(api, request, Request, 'Request');
      throw this.notHeld(api, request);
    }
    this.releaseHeld(request);
  }

  /** @internal */
  protected releaseHeld(request: Request): void {
    this.removeHolder(request);
    request._status = 'released';
    const stats = this.stats;
    stats.departures++;
    stats.inUse.update(this.holders.length);
    if (this.ctx.traces !== null) {
      this.trace('release', request, { held: this.sim.now - request._usageSince, busy: this.holders.length });
    }
    if (this.putQueue.length !== 0) this.triggerPuts();
  }

  /** @internal Removes a granted request from the holders by swapping the last one into its slot. */
  protected removeHolder(request: Request): void {
    const holders = this.holders;
    const last = holders.pop()!;
    if (last !== request) {
      holders[request._slot] = last;
      last._slot = request._slot;
    }
    request._slot = -1;
  }

  private notHeld(api: string, request: Request): TwinkitError {
    const why: Record<string, string> = {
      waiting: 'is still waiting for a unit (it was never granted); withdraw it with request.cancel()',
      released: 'was already released',
      withdrawn: 'was withdrawn with cancel() before being granted',
      balked: 'balked (the waiting line was full) and never held a unit',
      preempted: 'was preempted: its unit went to a more urgent request, so it holds nothing to release',
      failed: 'failed and never held a unit',
    };
    return new TwinkitError(
      `${api}: the request made at t=${request.requestedAt} ${why[request._status] ?? formatValue(request._status)}. Release only granted requests, once; request.cancel() handles every state and is safe in finally blocks.`,
      { code: 'INVALID_STATE', details: { status: request._status } },
    );
  }

  protected override doPut(request: Request): boolean {
    if (this.holders.length >= this.units) return false;
    request._slot = this.holders.length;
    this.holders.push(request);
    request._usageSince = this.sim.now;
    request.succeed(undefined);
    return true;
  }

  protected override inUseLevel(): number {
    return this.holders.length;
  }

  protected override putIsArrival(): boolean {
    return true;
  }

  protected override withdrawGranted(request: Request): CancelOutcome {
    this.releaseHeld(request);
    return 'released';
  }

  protected override operationOf(): 'request' {
    return 'request';
  }
}

/**
 * A {@link Resource} whose waiting requests are served by priority (lower numbers first, FIFO among
 * equal priorities): SimPy's PriorityResource.
 *
 * @example
 * ```ts
 * const desk = new PriorityResource(sim, { capacity: 1 });
 * const req = desk.request({ priority: 0 }); // served before priority 1 requests that wait
 * ```
 */
export class PriorityResource extends Resource {
  /** @internal */
  static override readonly _kind: string = 'PriorityResource';

  /**
   * Requests one unit with a priority (lower first).
   *
   * @throws TwinkitError if priority is not a finite number.
   */
  override request(options: PriorityRequestOptions = {}): Request {
    const priority = checkPriority(`${this.kind}.request({ priority })`, options.priority);
    const req = new Request(this, priority, false);
    this.submit(req);
    return req;
  }

  /** @internal Details of a request for traces: its priority (and preemption). */
  protected override describeRequest(request: Request): Record<string, number | string | boolean> {
    return { priority: request.priority };
  }
}

/**
 * A {@link PriorityResource} where a request with `preempt: true` takes the unit of the least urgent
 * user (largest priority number, then latest request) when that user is less urgent than itself. The
 * preempted user's process is interrupted with a {@link Preempted} cause naming the preempting request
 * and the usage time so far; its request no longer holds a unit. SimPy's PreemptiveResource.
 *
 * @example
 * ```ts
 * const repairman = new PreemptiveResource(sim, { capacity: 1 });
 * sim.process(function* job() {
 *   const req = repairman.request({ priority: 2, preempt: false });
 *   yield req;
 *   try { yield sim.timeout(30); } catch (e) { if (e instanceof Interrupt) e.cause; } // Preempted
 *   finally { req.cancel(); }
 * });
 * ```
 */
export class PreemptiveResource extends PriorityResource {
  /** @internal */
  static override readonly _kind: string = 'PreemptiveResource';

  /**
   * Requests one unit with a priority (lower first), preempting a less urgent user unless
   * `preempt: false`.
   *
   * @throws TwinkitError if priority is not finite or preempt is not a boolean.
   */
  override request(options: PreemptiveRequestOptions = {}): Request {
    const api = `${this.kind}.request({ priority, preempt })`;
    const priority = checkPriority(api, options.priority);
    const preempt = options.preempt ?? true;
    if (typeof preempt !== 'boolean') throw invalidArgument(api, 'preempt must be a boolean', preempt);
    const req = new Request(this, priority, preempt);
    this.submit(req);
    return req;
  }

  protected override doPut(request: Request): boolean {
    if (this.holders.length >= this.units && request.preempt) {
      let victim: Request | null = null;
      for (const user of this.holders) {
        if (victim === null || lessUrgent(user, victim)) victim = user;
      }
      if (victim !== null && lessUrgent(victim, request)) this.preemptUser(victim, request);
    }
    return super.doPut(request);
  }

  private preemptUser(victim: Request, by: Request): void {
    const process = victim.process;
    if (process?.isAlive && process === this.sim.activeProcess) {
      throw new TwinkitError(
        `${this.kind}.request({ preempt: true }): ${process.describe()} would preempt its own request on ${formatValue(this.name)}. Release the unit it holds first, or request with preempt: false.`,
        { code: 'INVALID_STATE' },
      );
    }
    const now = this.sim.now;
    this.removeHolder(victim);
    victim._status = 'preempted';
    this.stats.preemptions++;
    this.stats.inUse.update(this.holders.length);
    const cause = new Preempted(by, victim, victim._usageSince, now, this);
    if (this.ctx.traces !== null) {
      this.trace('preempt', victim, {
        by: by.process === null ? '-' : by.process.name,
        usageTime: cause.usageTime,
        priority: victim.priority,
      });
    }
    if (process?.isAlive) process.interrupt(cause);
  }

  /** @internal Details of a request for traces: its priority (and preemption). */
  protected override describeRequest(request: Request): Record<string, number | string | boolean> {
    return { priority: request.priority, preempt: request.preempt };
  }
}

/** True when `a` is less urgent than `b` (SimPy's key: priority, request time, not preempt). */
function lessUrgent(a: Request, b: Request): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.requestedAt !== b.requestedAt) return a.requestedAt > b.requestedAt;
  return !a.preempt && b.preempt;
}

function checkPriority(api: string, priority: unknown): number {
  const value = priority ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidArgument(api, 'priority must be a finite number (lower is served first)', value);
  }
  return value;
}
