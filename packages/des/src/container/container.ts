import type { Simulation } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import {
  BaseResource,
  type BaseResourceOptions,
  ResourceEvent,
  type WaitingLinesState,
} from '../base-resource';
import { BASE_RESOURCE_OPTION_KEYS, resourceKind } from '../base-resource/base-resource';
import type { DesStatisticsState } from '../statistics';

/** Options of `new Container(sim, options)`. */
export interface ContainerOptions extends BaseResourceOptions {
  /** Largest level: a number > 0, or Infinity (default). */
  capacity?: number;
  /** Level at the start: 0 <= initial <= capacity (default 0). */
  initial?: number;
}

const CONTAINER_OPTION_KEYS: readonly string[] = ['capacity', 'initial', ...BASE_RESOURCE_OPTION_KEYS];

/**
 * A {@link Container}'s state as plain, JSON-safe data ({@link Container.saveState}).
 *
 * @example
 * ```ts
 * const saved: ContainerState = tank.saveState(); // { level: 40, waiting: { puts: [], gets: [3] }, stats }
 * ```
 */
export interface ContainerState {
  /** The level. */
  level: number;
  /** When each waiting put and get was made, in line order. */
  waiting: WaitingLinesState;
  /** The statistics (see `DesStatistics.saveState`). */
  stats: DesStatisticsState;
}

/** A request to put `amount` into a {@link Container}: succeeds when there is room. */
export class ContainerPut extends ResourceEvent<undefined> {
  /** The amount to put. */
  readonly amount: number;

  /** @internal Created by `container.put(amount)`. */
  constructor(container: Container, amount: number) {
    super(container, 'put');
    this.amount = amount;
  }

  override describe(): string {
    return `ContainerPut(${this.resource.name}, ${this.amount})`;
  }
}

/** A request to get `amount` from a {@link Container}: succeeds when the level allows it. */
export class ContainerGet extends ResourceEvent<undefined> {
  /** The amount to get. */
  readonly amount: number;

  /** @internal Created by `container.get(amount)`. */
  constructor(container: Container, amount: number) {
    super(container, 'get');
    this.amount = amount;
  }

  override describe(): string {
    return `ContainerGet(${this.resource.name}, ${this.amount})`;
  }
}

/**
 * A level of homogeneous matter (fuel, parts counted in bulk) between 0 and `capacity`: `put(amount)`
 * waits for room, `get(amount)` waits for the level, each side served first come, first served
 * (SimPy's Container). `stats.inUse` is the time-weighted level.
 *
 * @example
 * ```ts
 * const tank = new Container(sim, { capacity: 1000, initial: 500, name: 'station.tank' });
 * sim.process(function* car() {
 *   yield tank.get(40);      // waits until 40 units are available
 * });
 * sim.state.set('station.tank.level', 800); // a sensor correction, through the owner
 * ```
 */
export class Container extends BaseResource<ContainerPut, ContainerGet> {
  /** @internal The name in messages, whatever a bundler renames the class to. */
  static readonly _kind: string = 'Container';
  /** The largest level. */
  readonly capacity: number;
  private amountHeld: number;

  /**
   * Creates the container; with a `name`, registers `<name>.level` (writable: a write sets the level as
   * {@link Container.setLevel} does), `<name>.queueLength` (gets waiting) and `<name>.putQueueLength`
   * (puts waiting) in the state vector.
   *
   * @throws TwinkitError if capacity is not > 0 or initial is not within [0, capacity].
   */
  constructor(sim: Simulation, options: ContainerOptions = {}) {
    const kind = resourceKind(new.target);
    rejectUnknownKeys(
      `new ${kind}(sim, options)`,
      options,
      CONTAINER_OPTION_KEYS,
      '{ capacity: 100, initial: 50 }',
    );
    const capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    if (typeof capacity !== 'number' || !(capacity > 0)) {
      throw invalidArgument(
        `${kind}(capacity)`,
        'capacity must be a number > 0 (or Infinity)',
        capacity,
        'Pass { capacity: 100 }, or omit it for an unlimited container.',
      );
    }
    const initial = options.initial ?? 0;
    if (typeof initial !== 'number' || !Number.isFinite(initial) || initial < 0 || initial > capacity) {
      throw invalidArgument(
        `${kind}(initial)`,
        `initial must be a finite number within [0, capacity = ${capacity}]`,
        initial,
      );
    }
    super(sim, kind, options, initial, capacity);
    this.capacity = capacity;
    this.amountHeld = initial;
    this.registerState(options, {
      level: {
        get: () => this.amountHeld,
        set: (value) => this.setLevel(value),
        description: 'level (a write sets it and serves waiting gets and puts)',
      },
      queueLength: { get: () => this.getQueue.length, description: 'get requests waiting' },
      putQueueLength: { get: () => this.putQueue.length, description: 'put requests waiting' },
    });
  }

  /** The current level. */
  get level(): number {
    return this.amountHeld;
  }

  /**
   * Puts `amount` in; yield the event to wait until there is room.
   *
   * @throws TwinkitError if amount is not a finite number > 0 or exceeds the capacity (it could never fit).
   */
  put(amount: number): ContainerPut {
    this.checkAmount(`${this.kind}.put(amount)`, amount);
    const event = new ContainerPut(this, amount);
    this.submit(event);
    return event;
  }

  /**
   * Gets `amount` out; yield the event to wait until the level allows it.
   *
   * @throws TwinkitError if amount is not a finite number > 0 or exceeds the capacity (it could never be met).
   */
  get(amount: number): ContainerGet {
    this.checkAmount(`${this.kind}.get(amount)`, amount);
    const event = new ContainerGet(this, amount);
    this.submit(event);
    return event;
  }

  /**
   * Returns the container's state as plain data: the level, when each waiting request was made, and
   * the statistics. {@link Container.restoreState} continues from it.
   *
   * @example
   * ```ts
   * // saveState(model): { tank: model.tank.saveState(), ... }
   * ```
   */
  saveState(): ContainerState {
    return { level: this.amountHeld, waiting: this.saveLines(), stats: this.stats.saveState() };
  }

  /**
   * Continues from a state returned by {@link Container.saveState}, in a container just created (in
   * a snapshot's restore, at the saved time): sets the level and the statistics, and expects the saved
   * waiting puts and gets to be made again at once, in order, by the restored processes (dated back,
   * not counted as new).
   *
   * @example
   * ```ts
   * const tank = new Container(sim, { capacity: 100 });
   * tank.restoreState(saved.tank);
   * ```
   *
   * @throws TwinkitError if the container has been used, or the state is malformed.
   */
  restoreState(state: ContainerState): void {
    const api = `${this.kind}.restoreState(state)`;
    const level = state?.level;
    if (typeof level !== 'number' || !Number.isFinite(level) || level < 0 || level > this.capacity) {
      throw invalidArgument(
        api,
        `state.level must be a finite number within [0, capacity = ${this.capacity}]`,
        level,
        'Pass container.saveState() of a container with the same capacity.',
      );
    }
    this.requireFresh(api, true);
    this.stats.restoreState(state.stats);
    this.resumeLines(api, state.waiting);
    this.amountHeld = level;
  }

  /**
   * Sets the level (a correction from measured data, or a refill from outside the model) and serves
   * the gets and puts this allows.
   *
   * @throws TwinkitError if level is not within [0, capacity].
   */
  setLevel(level: number): void {
    if (typeof level !== 'number' || !Number.isFinite(level) || level < 0 || level > this.capacity) {
      throw invalidArgument(
        `${this.kind}.setLevel(level)`,
        `level must be a finite number within [0, capacity = ${this.capacity}]`,
        level,
      );
    }
    const rose = level > this.amountHeld;
    this.amountHeld = level;
    this.stats.inUse.update(level);
    if (this.ctx.traces !== null) this.trace('set', null, { level }, 'put');
    this.settle(rose);
  }

  protected override doPut(event: ContainerPut): boolean {
    if (this.capacity - this.amountHeld < event.amount) return false;
    this.amountHeld += event.amount;
    event.succeed(undefined);
    return true;
  }

  protected override doGet(event: ContainerGet): boolean {
    if (this.amountHeld < event.amount) return false;
    this.amountHeld -= event.amount;
    event.succeed(undefined);
    return true;
  }

  protected override inUseLevel(): number {
    return this.amountHeld;
  }

  protected override describeRequest(event: ContainerPut | ContainerGet): Record<string, number> {
    return { amount: event.amount, level: this.amountHeld };
  }

  private checkAmount(api: string, amount: number): void {
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
      throw invalidArgument(api, 'amount must be a finite number > 0', amount);
    }
    if (amount > this.capacity) {
      throw invalidArgument(
        api,
        `amount must not exceed the capacity ${this.capacity} (it could never be met)`,
        amount,
        'Split it into smaller amounts, or create the container with a larger capacity.',
      );
    }
  }
}
