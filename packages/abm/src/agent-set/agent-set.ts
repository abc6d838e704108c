import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { type RandomSource, randomIndex } from '../internal/random-source';

/** What an {@link AgentSet} needs of its members: an id and whether they are still alive. */
export interface SetMember {
  readonly id: number;
  readonly alive: boolean;
}

/** The names of the methods of `A` that accept `Args` (for `set.do('step')`). */
export type MethodName<A, Args extends unknown[] = []> = {
  [K in keyof A]: A[K] extends (...args: Args) => unknown ? K : never;
}[keyof A];

/** The parameters of method `K` of `A` (for `set.do('move', 2, 3)`). */
export type MethodArgs<A, K extends keyof A> = A[K] extends (...args: infer P) => unknown ? P : never;

/** A built-in reduction of {@link AgentSet.agg}. */
export type Reduction = 'sum' | 'mean' | 'min' | 'max';

/** Options of {@link AgentSet.select}. */
export interface SelectOptions<A> {
  /** Keep only agents for which this returns true. */
  filter?: (agent: A) => boolean;
  /** Keep at most this many (the first ones in the set's order). */
  limit?: number;
  /** Keep only agents that are instances of this class (subclasses included). */
  type?: abstract new (
    ...args: never[]
  ) => unknown;
}

/**
 * Collects agents in an order, with a fluent API in Mesa's style: `select`, `shuffle`, `sortBy`,
 * `sample` return new sets and never change this one; `do`, `map`, `agg`, `groupBy`, `count` read it.
 * A set is a snapshot taken when it was made: agents removed from the model since are skipped
 * everywhere (iteration included); agents created since are not in it.
 *
 * @example
 * ```ts
 * model.agentsOfType(Person).select((p) => !p.happy).shuffle().do('relocate');
 * const meanWealth = model.agents.agg((a) => a.wealth, 'mean');
 * const byGroup = people.groupBy((p) => p.group); // Map<group, AgentSet<Person>>
 * ```
 */
export class AgentSet<A extends SetMember> implements Iterable<A> {
  private readonly items: A[];
  private readonly rng: RandomSource;

  /** Creates a set over `items` (copied) drawing its random order from `rng` (the model's stream). */
  constructor(items: Iterable<A>, rng: RandomSource) {
    if (rng === null || typeof rng !== 'object' || typeof rng.next !== 'function')
      throw invalidArgument(
        'new AgentSet(items, rng)',
        'rng must be a random stream with next()',
        rng,
        "Pass the model's stream (model.rng); sets from model.agents already have it.",
      );
    this.items = Array.from(items);
    this.rng = rng;
  }

  /** Number of members still alive. */
  get size(): number {
    let n = 0;
    for (const agent of this.items) if (agent.alive) n++;
    return n;
  }

  /** Iterates over the members still alive, in the set's order. */
  *[Symbol.iterator](): Iterator<A> {
    for (const agent of this.items) if (agent.alive) yield agent;
  }

  /** Returns the members still alive as a new array. */
  toArray(): A[] {
    return this.items.filter((agent) => agent.alive);
  }

  /** Returns a new set of the members that match (a predicate, or `{ filter, type, limit }`). */
  select(criteria: ((agent: A) => boolean) | SelectOptions<A>): AgentSet<A> {
    if (typeof criteria !== 'function') {
      rejectUnknownKeys(
        'AgentSet.select(options)',
        criteria,
        ['filter', 'limit', 'type'],
        '{ type: Sheep, limit: 10 }',
      );
    }
    const options: SelectOptions<A> = typeof criteria === 'function' ? { filter: criteria } : criteria;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (!(limit >= 0))
      throw invalidArgument('AgentSet.select({ limit })', 'limit must be a number >= 0', limit);
    const out: A[] = [];
    for (const agent of this.items) {
      if (out.length >= limit) break;
      if (!agent.alive) continue;
      if (options.type !== undefined && !(agent instanceof options.type)) continue;
      if (options.filter !== undefined && !options.filter(agent)) continue;
      out.push(agent);
    }
    return new AgentSet(out, this.rng);
  }

  /**
   * Returns a new set with the same members in a uniformly random order (Fisher–Yates on the
   * model's stream). This set is not changed, so shuffling while iterating it is safe.
   */
  shuffle(): AgentSet<A> {
    const out = this.toArray();
    for (let i = out.length - 1; i > 0; i--) {
      const j = randomIndex(this.rng, i + 1);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return new AgentSet(out, this.rng);
  }

  /** Returns a new set sorted by a key (stable; ascending unless `descending`). */
  sortBy(key: (agent: A) => number | string, options: { descending?: boolean } = {}): AgentSet<A> {
    rejectUnknownKeys('AgentSet.sortBy(key, options)', options, ['descending'], '{ descending: true }');
    const sign = options.descending ? -1 : 1;
    const keyed = this.toArray().map((agent, index) => ({ agent, key: key(agent), index }));
    keyed.sort((a, b) => {
      if (a.key < b.key) return -sign;
      if (a.key > b.key) return sign;
      return a.index - b.index;
    });
    return new AgentSet(
      keyed.map((k) => k.agent),
      this.rng,
    );
  }

  /** Returns a new set of `k` members drawn uniformly without replacement (k <= size). */
  sample(k: number): AgentSet<A> {
    const pool = this.toArray();
    if (!Number.isInteger(k) || k < 0 || k > pool.length)
      throw invalidArgument(
        'AgentSet.sample(k)',
        `k must be an integer in [0, ${pool.length}] (the set's size)`,
        k,
        'Sample at most as many agents as the set holds.',
      );
    // Partial Fisher–Yates: the first k positions are a uniform sample in uniform order.
    for (let i = 0; i < k; i++) {
      const j = i + randomIndex(this.rng, pool.length - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    pool.length = k;
    return new AgentSet(pool, this.rng);
  }

  /** Returns one member drawn uniformly, or `undefined` if the set is empty. */
  random(): A | undefined {
    const pool = this.toArray();
    return pool.length === 0 ? undefined : pool[randomIndex(this.rng, pool.length)];
  }

  /**
   * Calls a function, or a method by name with arguments, on each member still alive (checked
   * just before each call, so members removed by earlier calls are skipped).
   */
  do(action: (agent: A) => void): this;
  do<K extends MethodName<A, never[]>>(method: K, ...args: MethodArgs<A, K>): this;
  do(action: ((agent: A) => void) | PropertyKey, ...args: unknown[]): this {
    if (typeof action === 'function') {
      for (const agent of this.items) if (agent.alive) action(agent);
      return this;
    }
    for (const agent of this.items) {
      if (!agent.alive) continue;
      const method = (agent as unknown as Record<PropertyKey, unknown>)[action];
      if (typeof method !== 'function')
        throw invalidArgument(
          `AgentSet.do(${String(action)})`,
          `every member must have a method ${String(action)}()`,
          `${agent.constructor.name}#${agent.id}`,
          'Select the agents that have it first: set.select({ type: TheClass }).',
        );
      method.apply(agent, args);
    }
    return this;
  }

  /** Returns the value of `fn` for each member, in order. */
  map<R>(fn: (agent: A) => R): R[] {
    const out: R[] = [];
    for (const agent of this.items) if (agent.alive) out.push(fn(agent));
    return out;
  }

  /**
   * Reduces an attribute over the members: `'sum'`, `'mean'`, `'min'`, `'max'`, or a function of
   * the values. `mean`, `min` and `max` of an empty set throw (they are undefined).
   */
  agg<R = number>(value: (agent: A) => number, reduce: Reduction | ((values: number[]) => R)): number | R {
    const values = this.map(value);
    if (typeof reduce === 'function') return reduce(values);
    if (reduce === 'sum') {
      let s = 0;
      for (const v of values) s += v;
      return s;
    }
    if (values.length === 0)
      throw invalidArgument(
        `AgentSet.agg(value, '${reduce}')`,
        `the ${reduce} of an empty set is undefined`,
        0,
        'Check set.size first, or pass a function that handles no values.',
      );
    if (reduce === 'mean') {
      let s = 0;
      for (const v of values) s += v;
      return s / values.length;
    }
    if (reduce === 'min') return values.reduce((a, b) => Math.min(b, a));
    if (reduce === 'max') return values.reduce((a, b) => Math.max(b, a));
    throw invalidArgument(
      'AgentSet.agg(value, reduce)',
      "reduce must be 'sum', 'mean', 'min', 'max' or a function",
      reduce,
    );
  }

  /** Splits the members into sets by a key, keyed in order of first appearance. */
  groupBy<K>(key: (agent: A) => K): Map<K, AgentSet<A>> {
    const groups = new Map<K, A[]>();
    for (const agent of this.items) {
      if (!agent.alive) continue;
      const k = key(agent);
      const list = groups.get(k);
      if (list === undefined) groups.set(k, [agent]);
      else list.push(agent);
    }
    const out = new Map<K, AgentSet<A>>();
    for (const [k, list] of groups) out.set(k, new AgentSet(list, this.rng));
    return out;
  }

  /** Counts the members (that satisfy `predicate`, if given). */
  count(predicate?: (agent: A) => boolean): number {
    let n = 0;
    for (const agent of this.items) if (agent.alive && (predicate === undefined || predicate(agent))) n++;
    return n;
  }

  /** Returns the first member (in the set's order) that satisfies `predicate`, or `undefined`. */
  find(predicate: (agent: A) => boolean): A | undefined {
    for (const agent of this.items) if (agent.alive && predicate(agent)) return agent;
    return undefined;
  }
}
