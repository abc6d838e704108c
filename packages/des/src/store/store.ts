import { type Simulation, TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import {
  BaseResource,
  type BaseResourceOptions,
  ResourceEvent,
  type WaitingLinesState,
} from '../base-resource';
import { BASE_RESOURCE_OPTION_KEYS, resourceKind } from '../base-resource/base-resource';
import { KeyedQueue } from '../request-queue';
import type { DesStatisticsState } from '../statistics';

/** Options of `new Store(sim, options)` (and FilterStore, PriorityStore). */
export interface StoreOptions extends BaseResourceOptions {
  /** Most items held at once: an integer >= 1, or Infinity (default). */
  capacity?: number;
}

const STORE_OPTION_KEYS: readonly string[] = ['capacity', ...BASE_RESOURCE_OPTION_KEYS];

/**
 * A {@link Store}'s state as plain data ({@link Store.saveState}): the items held, in the order they
 * would be taken, when each waiting put and get was made, and the statistics.
 *
 * @example
 * ```ts
 * const saved: StoreState<number> = buffer.saveState(); // { items: [4, 5], waiting: { puts: [], gets: [] }, stats }
 * ```
 */
export interface StoreState<T> {
  /** The items held, in the order they would be taken. */
  items: T[];
  /** When each waiting put and get was made, in line order. */
  waiting: WaitingLinesState;
  /** The statistics (see `DesStatistics.saveState`). */
  stats: DesStatisticsState;
}

/** Decides whether a waiting FilterStore getter takes an item. */
export type ItemFilter<T> = (item: T) => boolean;

/** A request to put an item into a store: succeeds when there is room. */
export class StorePut<T> extends ResourceEvent<undefined> {
  /** The item to put. */
  readonly item: T;

  /** @internal Created by `store.put(item)`. */
  constructor(store: Store<T>, item: T) {
    super(store, 'put');
    this.item = item;
  }

  override describe(): string {
    return `StorePut(${this.resource.name})`;
  }
}

/** A request to get an item from a store: succeeds with the item. */
export class StoreGet<T> extends ResourceEvent<T> {
  /** The filter (FilterStore), or null to take the next item. */
  readonly filter: ItemFilter<T> | null;

  /** @internal Created by `store.get()`. */
  constructor(store: Store<T>, filter: ItemFilter<T> | null) {
    super(store, 'get');
    this.filter = filter;
  }

  override describe(): string {
    return `StoreGet(${this.resource.name})`;
  }
}

/**
 * Holds up to `capacity` items (parts, jobs, messages): `put(item)` waits for room, `get()` waits for an
 * item and succeeds with it, first in first out on both sides (SimPy's Store). `stats.inUse` is the
 * time-weighted number of items held.
 *
 * @example
 * ```ts
 * const buffer = new Store<Part>(sim, { capacity: 5, name: 'line.buffer' });
 * sim.process(function* producer() { yield buffer.put({ id: 1 }); });
 * sim.process(function* consumer() { const part = yield buffer.get(); });
 * ```
 */
export class Store<T> extends BaseResource<StorePut<T>, StoreGet<T>> {
  /** @internal The name in messages, whatever a bundler renames the class to. */
  static readonly _kind: string = 'Store';
  /** The most items held at once. */
  readonly capacity: number;

  /**
   * Creates the store; with a `name`, registers `<name>.items`, `<name>.queueLength` (gets waiting) and
   * `<name>.putQueueLength` (puts waiting) in the state vector, read-only.
   *
   * @throws TwinkitError if capacity is not an integer >= 1 or Infinity.
   */
  constructor(sim: Simulation, options: StoreOptions = {}) {
    const kind = resourceKind(new.target);
    rejectUnknownKeys(`new ${kind}(sim, options)`, options, STORE_OPTION_KEYS, '{ capacity: 5 }');
    const capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    if (
      typeof capacity !== 'number' ||
      !(capacity === Number.POSITIVE_INFINITY || (Number.isInteger(capacity) && capacity >= 1))
    ) {
      throw invalidArgument(
        `${kind}(capacity)`,
        'capacity must be an integer >= 1 or Infinity',
        capacity,
        'Pass { capacity: 10 }, or omit it for an unlimited store.',
      );
    }
    super(sim, kind, options, 0, capacity);
    this.capacity = capacity;
    this.registerState(options, {
      items: { get: () => this.size, description: 'items held' },
      queueLength: { get: () => this.getQueue.length, description: 'get requests waiting' },
      putQueueLength: { get: () => this.putQueue.length, description: 'put requests waiting' },
    });
  }

  /** Number of items held. */
  get size(): number {
    return this.heldCount();
  }

  /** The items held, in the order they would be taken (a copy). */
  get items(): T[] {
    return this.heldItems();
  }

  /** Puts an item in; yield the event to wait until there is room. */
  put(item: T): StorePut<T> {
    const event = new StorePut(this, item);
    this.submit(event);
    return event;
  }

  /** Takes the next item; yield the event to wait for one. The event's value is the item. */
  get(): StoreGet<T> {
    const event = new StoreGet<T>(this, null);
    this.submit(event);
    return event;
  }

  /**
   * Returns the store's state as plain data (JSON-safe when the items are): the items, when each
   * waiting request was made, and the statistics. {@link Store.restoreState} continues from it.
   *
   * @example
   * ```ts
   * // saveState(model): { buffer: model.buffer.saveState(), ... }
   * ```
   */
  saveState(): StoreState<T> {
    return { items: this.heldItems(), waiting: this.saveLines(), stats: this.stats.saveState() };
  }

  /**
   * Continues from a state returned by {@link Store.saveState}, in a store just created (in a
   * snapshot's restore, at the saved time): puts the items back and the statistics, and expects the
   * saved waiting requests to be made again at once, in their order, by the processes restored in the
   * phase where they waited. Those requests are dated back to when they were first made and are not
   * counted as new, so waiting times and counts continue as the saved store's would have.
   *
   * @example
   * ```ts
   * const buffer = new Store<number>(sim, { name: 'line.buffer' });
   * buffer.restoreState(saved.buffer);
   * sim.process(function* () { const part = yield buffer.get(); }); // the saved getter, again
   * ```
   *
   * @throws TwinkitError if the store has been used, or the state is malformed.
   */
  restoreState(state: StoreState<T>): void {
    const api = `${this.kind}.restoreState(state)`;
    if (state === null || typeof state !== 'object' || !Array.isArray(state.items)) {
      throw invalidArgument(
        api,
        'state must come from saveState() of a store',
        state,
        'Pass store.saveState().',
      );
    }
    this.requireFresh(api, this.heldCount() === 0);
    this.stats.restoreState(state.stats);
    this.resumeLines(api, state.waiting);
    for (const item of state.items) this.keep(item);
  }

  // ---------------------------------------------------------------- item keeping (override to reorder)

  private held: T[] = [];
  private head = 0;

  /** Number of items held. */
  protected heldCount(): number {
    return this.held.length - this.head;
  }

  /** Adds an item. */
  protected keep(item: T): void {
    this.held.push(item);
  }

  /** Removes and returns the next item (callers check that one is held). */
  protected takeNext(): T {
    const item = this.held[this.head]!;
    this.held[this.head] = undefined as T;
    this.head++;
    if (this.head === this.held.length) {
      this.held.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.held.length) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Returns the items in the order they would be taken. */
  protected heldItems(): T[] {
    return this.held.slice(this.head);
  }

  /** Removes and returns the item at `index` of {@link Store.heldItems} order. */
  protected takeAt(index: number): T {
    const [item] = this.held.splice(this.head + index, 1);
    return item as T;
  }

  // ---------------------------------------------------------------- hooks

  protected override doPut(event: StorePut<T>): boolean {
    if (this.heldCount() >= this.capacity) return false;
    this.keep(event.item);
    event.succeed(undefined);
    return true;
  }

  protected override doGet(event: StoreGet<T>): boolean {
    if (this.heldCount() === 0) return false;
    event.succeed(this.takeNext());
    return true;
  }

  protected override inUseLevel(): number {
    return this.heldCount();
  }

  protected override describeRequest(): Record<string, number> {
    return { items: this.heldCount() };
  }
}

/**
 * A {@link Store} whose getters say which item they want: `get(filter)` takes the first item for which
 * `filter(item)` is true and waits while none matches; a getter waiting for one kind of item does not
 * hold up getters that want another (SimPy's FilterStore). A filter that throws fails its own get
 * request with a TwinkitError (the item stays in the store, nobody else is affected).
 *
 * @example
 * ```ts
 * const parts = new FilterStore<{ kind: string }>(sim);
 * const bolt = yield parts.get((p) => p.kind === 'bolt');
 * ```
 */
export class FilterStore<T> extends Store<T> {
  /** @internal */
  static override readonly _kind: string = 'FilterStore';

  /**
   * Takes the first item that matches `filter` (any item without a filter); yield the event to wait.
   *
   * @throws TwinkitError if filter is given and is not a function.
   */
  override get(filter?: ItemFilter<T>): StoreGet<T> {
    if (filter !== undefined && typeof filter !== 'function') {
      throw invalidArgument(
        `${this.kind}.get(filter)`,
        'filter must be a function (item) => boolean',
        filter,
      );
    }
    const event = new StoreGet<T>(this, filter ?? null);
    this.submit(event);
    return event;
  }

  protected override canOvertake(isPut: boolean): boolean {
    return !isPut;
  }

  protected override doGet(event: StoreGet<T>): boolean {
    const filter = event.filter;
    if (filter === null) return super.doGet(event);
    const items = this.heldItems();
    for (let i = 0; i < items.length; i++) {
      let match: boolean;
      try {
        match = Boolean(filter(items[i] as T));
      } catch (error) {
        this.failGet(event, error);
        return true; // done with this request: it failed
      }
      if (match) {
        event.succeed(this.takeAt(i));
        return true;
      }
    }
    return false;
  }

  /** Scans every waiting getter in order: each takes the first matching item. */
  protected override triggerGets(): boolean {
    const queue = this.getQueue;
    if (queue.length === 0 || this.heldCount() === 0) return false;
    let served = false;
    for (const event of queue.toArray()) {
      if (this.heldCount() === 0) break;
      if (!this.doGet(event)) continue;
      queue.remove(event);
      this.queueLevel(false).update(queue.length);
      this.granted(event);
      served = true;
    }
    return served;
  }

  private failGet(event: StoreGet<T>, error: unknown): void {
    event._status = 'failed';
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : formatValue(error);
    if (this.ctx.traces !== null) this.trace('error', event, { reason });
    event.fail(
      new TwinkitError(
        `${this.kind}.get(filter) on ${formatValue(this.name)}: the filter threw (${reason}) while testing an item; this get request failed and the item stays in the store. Make the filter total (return false instead of throwing).`,
        { code: 'INVALID_ARGUMENT', cause: error },
      ),
    );
  }
}

/** An item with a priority, for a {@link PriorityStore}: lower priorities are taken first. */
export class PriorityItem<T> {
  /** Lower is taken first. */
  readonly priority: number;
  /** The payload. */
  readonly item: T;

  /** Wraps `item` with `priority`. */
  constructor(priority: number, item: T) {
    if (typeof priority !== 'number' || Number.isNaN(priority)) {
      throw invalidArgument('new PriorityItem(priority, item)', 'priority must be a number', priority);
    }
    this.priority = priority;
    this.item = item;
  }
}

interface HeldNode<T> {
  _queued: boolean;
  item: T;
}

/**
 * A {@link Store} that hands out the item with the lowest `priority` first (FIFO among equal
 * priorities): SimPy's PriorityStore. Items are objects with a numeric `priority`, such as
 * {@link PriorityItem}.
 *
 * @example
 * ```ts
 * const jobs = new PriorityStore<PriorityItem<string>>(sim);
 * jobs.put(new PriorityItem(2, 'routine')); jobs.put(new PriorityItem(0, 'urgent'));
 * const next = yield jobs.get(); // 'urgent' first
 * ```
 */
export class PriorityStore<T extends { readonly priority: number }> extends Store<T> {
  /** @internal */
  static override readonly _kind: string = 'PriorityStore';

  private readonly heap = new KeyedQueue<HeldNode<T>>((node) => node.item.priority);

  /**
   * Puts an item in; yield the event to wait until there is room.
   *
   * @throws TwinkitError if the item has no numeric priority.
   */
  override put(item: T): StorePut<T> {
    const priority = (item as { priority?: unknown } | null)?.priority;
    if (typeof priority !== 'number' || Number.isNaN(priority)) {
      throw invalidArgument(
        `${this.kind}.put(item)`,
        'item must have a numeric priority (lower is taken first)',
        item,
        'Wrap it: store.put(new PriorityItem(priority, item)).',
      );
    }
    return super.put(item);
  }

  protected override heldCount(): number {
    return this.heap.length;
  }

  protected override keep(item: T): void {
    this.heap.push({ _queued: false, item });
  }

  protected override takeNext(): T {
    return this.heap.shift()!.item;
  }

  protected override heldItems(): T[] {
    return this.heap.toArray().map((node) => node.item);
  }

  protected override takeAt(index: number): T {
    const node = this.heap.toArray()[index]!;
    this.heap.remove(node);
    return node.item;
  }
}
