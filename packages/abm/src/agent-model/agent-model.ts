import {
  type Event,
  type Process,
  type ProcessBody,
  type ProcessGenerator,
  type RandomStream,
  type ScheduledCall,
  type ScheduleOptions,
  type Simulation,
  TwinkitError,
} from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { Ticker, type TickOptions } from '../activation/ticker';
import { AgentSet } from '../agent-set/agent-set';
import type { GridSpace } from '../grid-space/grid-space';
import type { Locatable } from '../internal/id-index';
import type { GridPath } from '../pathfinding/find-path';

/** A space (grid, continuous, network) as the model sees it: it can tell whether it holds an agent and drop it. */
export interface AgentContainer {
  /** Returns whether the agent is in the space. */
  has(agent: Locatable): boolean;
  /** Takes the agent out of the space. */
  remove(agent: Locatable): void;
}

/** Options of an {@link AgentModel}. */
export interface AgentModelOptions {
  /** Name of the random stream the model draws from (`sim.rng(name)`); default `'abm'`. */
  rngStream?: string;
}

/** A constructor of agents, used to select agents by type (subclasses included). */
export type AgentClass<A extends Agent = Agent> = abstract new (...args: never[]) => A;

/** How an aggregate reduces the selected agents to one number. */
export type AggregateReduce = 'count' | 'sum' | 'mean' | 'min' | 'max';

/** Defines an aggregate state variable (see {@link AgentModel.defineAggregate}). */
export interface AggregateSpec<A extends Agent = Agent> {
  /** How to reduce: `'count'` counts the selected agents; the others reduce `value`. */
  reduce: AggregateReduce;
  /** Only agents of this class (subclasses included). */
  type?: AgentClass<A>;
  /** Only agents for which this returns true. */
  where?: (agent: A) => boolean;
  /** The attribute to reduce (required except for `'count'`). */
  value?: (agent: A) => number;
  /** Value of `mean`, `min` and `max` over no agents; default `NaN` (the mean of nothing is undefined). */
  whenEmpty?: number;
  /** Unit for reports. */
  unit?: string;
  /** What the variable means. */
  description?: string;
}

const AGGREGATE_SPEC_KEYS: readonly string[] = [
  'reduce',
  'type',
  'where',
  'value',
  'whenEmpty',
  'unit',
  'description',
];

const REMOVED = Symbol('agent removed');

function removedError(agent: Agent, what: string): TwinkitError {
  return new TwinkitError(
    `${agent.constructor.name}#${agent.id}.${what}: the agent was removed from its model; it can no longer be used. Check agent.alive before using a stored reference (removal also takes it out of every space).`,
    { code: 'INVALID_STATE', details: { id: agent.id } },
  );
}

/**
 * Represents an actor of an agent-based model (the base class of agents): a stable id, a reference
 * to its model, and helpers to schedule its own events and run its own processes on the shared
 * clock. Subclass it with your attributes and behaviour; define a `step()` method for fixed-tick
 * activation to call (or the methods named by a staged activation).
 *
 * Once removed ({@link Agent.remove}), an agent's `model` and clock helpers throw a clear error,
 * its pending scheduled calls are cancelled and its processes end.
 *
 * @example
 * ```ts
 * class Walker extends Agent<MyModel> {
 *   energy = 10;
 *   step() { this.energy -= 1; if (this.energy <= 0) this.remove(); }
 * }
 * const w = new Walker(model); // registered with the model, w.id assigned
 * ```
 */
export class Agent<M extends AgentModel = AgentModel> implements Locatable {
  /** Stable id, unique within the model, assigned in creation order from 0. */
  readonly id: number;
  #model: M;
  #alive = true;
  /** @internal scheduled calls and processes to stop on removal (pruned lazily) */
  _pending: (ScheduledCall | Process<unknown>)[] | null = null;

  /** Creates the agent and registers it with `model`. */
  constructor(model: M) {
    if (!(model instanceof AgentModel))
      throw invalidArgument(
        `new ${new.target.name}(model)`,
        'model must be an AgentModel',
        model,
        'Create the model first: const model = new AgentModel(sim).',
      );
    this.#model = model;
    this.id = model._register(this);
  }

  /** The model this agent belongs to (throws after removal). */
  get model(): M {
    if (!this.#alive) throw removedError(this, 'model');
    return this.#model;
  }

  /** `true` until the agent is removed. */
  get alive(): boolean {
    return this.#alive;
  }

  /** The model's random stream. */
  get rng(): RandomStream {
    return this.model.rng;
  }

  /** The current simulated time. */
  get now(): number {
    return this.model.sim.now;
  }

  /** Removes the agent from its model and from every space registered with the model. */
  remove(): void {
    if (!this.#alive) throw removedError(this, 'remove()');
    this.#model.remove(this);
  }

  /** @internal marks the agent removed (called by the model after cleaning up). */
  _markRemoved(): void {
    this.#alive = false;
  }

  /** Creates a timeout event on the shared clock (to `yield` in this agent's processes). */
  timeout<T = undefined>(delay: number, value?: T): Event<T> {
    return this.model.sim.timeout(delay, value);
  }

  /** Schedules `fn` after `delay` on the shared clock; cancelled automatically if the agent is removed first. */
  schedule(delay: number, fn: () => void, options?: ScheduleOptions): ScheduledCall {
    const call = this.model.sim.schedule(delay, fn, options);
    this.track(call);
    return call;
  }

  /**
   * Runs a process for this agent on the shared clock (it can `yield` walks, repairs, resource
   * requests like any DES process). If the agent is removed, the process is interrupted and ends
   * quietly at that instant.
   */
  process<R>(body: ProcessBody<R>, options: { name?: string } = {}): Process<R | undefined> {
    const sim = this.model.sim;
    const generator = typeof body === 'function' ? body() : body;
    const agent = this;
    const wrapped = function* (): ProcessGenerator<R | undefined> {
      let result = generator.next();
      while (!result.done) {
        let value: unknown;
        let failure: unknown;
        let failed = false;
        try {
          value = yield result.value;
        } catch (error) {
          failed = true;
          failure = error;
        }
        if (!agent.#alive) {
          generator.return(undefined as R);
          return undefined;
        }
        result = failed ? generator.throw(failure) : generator.next(value);
      }
      return result.value;
    };
    const process = sim.process(wrapped, {
      name: options.name ?? `${this.constructor.name}#${this.id}`,
    });
    this.track(process as Process<unknown>);
    return process;
  }

  /**
   * Walks the agent along a grid path found by `grid.findPath`: the same as
   * `path.grid.moveAlong(agent, path, speed)` (see {@link GridSpace.moveAlong}), which walks it.
   *
   * @deprecated Use {@link GridSpace.moveAlong} (`grid.moveAlong(agent, path, speed)`): movement
   * belongs to the space. This alias delegates to the path's grid; removed in the next release.
   *
   * @example
   * ```ts
   * const path = grid.findPath(grid.positionOf(tech), target, { diagonal: true });
   * if (path) yield grid.moveAlong(tech, path, 1.5); // not tech.moveAlong(path, 1.5)
   * ```
   */
  moveAlong(path: GridPath, speed: number): Process<undefined> {
    if (!this.#alive) throw removedError(this, 'moveAlong(path, speed)');
    const grid = path?.grid as Partial<GridSpace<Agent>> | undefined;
    if (typeof grid?.moveAlong !== 'function')
      throw invalidArgument(
        `${this.constructor.name}#${this.id}.moveAlong(path, speed)`,
        'path must come from a GridSpace (grid.findPath) so the agent knows where to walk',
        path,
        'Use grid.findPath(from, to) instead of findPath({ width, height }, ...), and walk it with grid.moveAlong(agent, path, speed).',
      );
    return grid.moveAlong(this, path, speed);
  }

  private track(entry: ScheduledCall | Process<unknown>): void {
    const pending = this._pending;
    if (pending === null) {
      this._pending = [entry];
      return;
    }
    if (pending.length >= 8) {
      // Prune what already ran, so long-lived agents do not accumulate handles.
      let k = 0;
      for (const e of pending) if (isPending(e)) pending[k++] = e;
      pending.length = k;
    }
    pending.push(entry);
  }
}

function isPending(entry: ScheduledCall | Process<unknown>): boolean {
  return 'isAlive' in entry ? entry.isAlive : !entry.fired && !entry.cancelled;
}

/**
 * Holds an agent-based model on a {@link Simulation}: it registers agents (stable ids in
 * creation order), owns their random stream, knows the spaces they live in, steps them on a fixed
 * tick, and publishes aggregates in the simulation's state vector. Build it inside a
 * `defineModel` builder so that forks and replications rebuild it deterministically.
 *
 * @example
 * ```ts
 * const definition = defineModel((sim) => {
 *   const model = new AgentModel(sim);
 *   const grid = model.addSpace(new GridSpace<Person>({ width: 20, height: 20 }));
 *   for (let i = 0; i < 100; i++) grid.placeInCell(new Person(model), grid.randomEmptyCell(model.rng));
 *   model.tick({ activation: 'random' });
 *   return model;
 * });
 * ```
 */
export class AgentModel {
  /** The simulation whose clock and state vector the model uses. */
  readonly sim: Simulation;
  /** The model's random stream (`sim.rng(rngStream)`): activation order, shuffles, samples. */
  readonly rng: RandomStream;
  /**
   * Every agent in creation order (so in id order), compacted lazily: a removed agent stays until
   * the next listing. Arrays, not Maps keyed by id: registering 1e5 agents into Maps cost ~0.9 µs
   * an agent (rehashing, cache misses) against a push, and listing them every tick walked the hash
   * table; ids are dense and increasing, so an id is found by binary search.
   */
  private all: Agent[] = [];
  /** Removed agents still in `all`. */
  private removedInAll = 0;
  private alive = 0;
  /** Each class's agents in creation order, compacted lazily like `all`. */
  private readonly byClass = new Map<unknown, { list: Agent[]; removed: number }>();
  private readonly spaces: AgentContainer[] = [];
  private nextId = 0;

  /** Creates a model on `sim`. */
  constructor(sim: Simulation, options: AgentModelOptions = {}) {
    if (sim === null || typeof sim !== 'object' || typeof (sim as Simulation).rng !== 'function')
      throw invalidArgument(
        'new AgentModel(sim)',
        'sim must be a Simulation',
        sim,
        'Pass the simulation given to your defineModel builder.',
      );
    rejectUnknownKeys('new AgentModel(sim, options)', options, ['rngStream'], "{ rngStream: 'abm' }");
    this.sim = sim;
    this.rng = sim.rng(options.rngStream ?? 'abm');
  }

  /** The current simulated time. */
  get now(): number {
    return this.sim.now;
  }

  /** Number of agents alive. */
  get agentCount(): number {
    return this.alive;
  }

  /** Returns the agents alive now, in creation order, as an {@link AgentSet} (a snapshot). */
  get agents(): AgentSet<Agent> {
    return new AgentSet(this.listOfType<Agent>(undefined), this.rng);
  }

  /** Returns the agents of a class (subclasses included) alive now, as an {@link AgentSet}. */
  agentsOfType<A extends Agent>(type: AgentClass<A>): AgentSet<A> {
    return new AgentSet(this.listOfType(type), this.rng);
  }

  /** Returns the agent with an id, or `undefined` if there is none (never created, or removed). */
  getAgent(id: number): Agent | undefined {
    const all = this.all;
    let lo = 0;
    let hi = all.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const agent = all[mid]!;
      if (agent.id === id) return agent.alive ? agent : undefined;
      if (agent.id < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /**
   * Steps agents on a fixed tick (a recurring event on the shared calendar) with sequential, random
   * or staged activation; returns the {@link Ticker}, which can be stopped.
   *
   * @example
   * ```ts
   * model.tick({ interval: 1, activation: 'random', after: () => collector.collect() });
   * model.tick({ activation: { stages: ['move', 'eat', 'reproduce'] }, agents: Sheep });
   * ```
   */
  tick<A extends Agent = Agent>(options: TickOptions<A> = {}): Ticker<A> {
    return new Ticker<A>(this, options);
  }

  /** Registers a space so that removing an agent also takes it out of the space; returns the space. */
  addSpace<S extends AgentContainer>(space: S): S {
    if (space === null || typeof space !== 'object' || typeof space.has !== 'function')
      throw invalidArgument(
        'AgentModel.addSpace(space)',
        'space must be a GridSpace, ContinuousSpace or NetworkSpace',
        space,
      );
    if (!this.spaces.includes(space)) this.spaces.push(space);
    return space;
  }

  /** Removes an agent: out of every registered space, its scheduled calls cancelled, its processes ended. */
  remove(agent: Agent): void {
    if (!(agent instanceof Agent) || !agent.alive || agent.model !== this)
      throw new TwinkitError(
        `AgentModel.remove(agent): ${agent instanceof Agent ? `${agent.constructor.name}#${agent.id} is not an agent of this model (already removed?)` : 'the argument is not an Agent'}. Check agent.alive first.`,
        { code: 'NOT_FOUND', details: { id: (agent as Agent | undefined)?.id } },
      );
    for (const space of this.spaces) if (space.has(agent)) space.remove(agent);
    this.alive--;
    agent._markRemoved();
    // Removed agents are dropped at the next listing, or here once they are the majority, so a
    // model that removes many agents and never lists them does not keep them all.
    if (++this.removedInAll > 1024 && this.removedInAll * 2 > this.all.length) this.compactAll();
    const ofClass = this.byClass.get(agent.constructor);
    if (ofClass !== undefined && ++ofClass.removed > 1024 && ofClass.removed * 2 > ofClass.list.length)
      compactClass(ofClass);
    const pending = agent._pending;
    agent._pending = null;
    if (pending !== null) {
      for (const entry of pending) {
        if ('isAlive' in entry) {
          if (entry.isAlive && this.sim.activeProcess !== entry) entry.interrupt(REMOVED);
        } else if (!entry.fired && !entry.cancelled) entry.cancel();
      }
    }
  }

  /**
   * Registers a read-only state variable `name` that reduces the agents (of a type, matching a
   * filter) to one number when read: counts by state, the mean of an attribute, a total.
   *
   * @example
   * ```ts
   * model.defineAggregate('maintenance.idleTechnicians', { type: Technician, reduce: 'count', where: (t) => t.idle });
   * model.defineAggregate('herd.meanEnergy', { type: Sheep, reduce: 'mean', value: (s) => s.energy });
   * ```
   */
  defineAggregate<A extends Agent = Agent>(name: string, spec: AggregateSpec<A>): void {
    const api = 'AgentModel.defineAggregate(name, spec)';
    rejectUnknownKeys(api, spec, AGGREGATE_SPEC_KEYS, "{ reduce: 'count', type: Sheep }");
    const reduce = spec?.reduce;
    if (!['count', 'sum', 'mean', 'min', 'max'].includes(reduce))
      throw invalidArgument(api, "spec.reduce must be 'count', 'sum', 'mean', 'min' or 'max'", reduce);
    if (reduce !== 'count' && typeof spec.value !== 'function')
      throw invalidArgument(
        api,
        `spec.value must be a function for reduce '${reduce}'`,
        spec.value,
        'Pass { value: (agent) => agent.energy }.',
      );
    const type = spec.type;
    const where = spec.where;
    const value = spec.value;
    const whenEmpty = spec.whenEmpty ?? Number.NaN;
    const get = (): number => {
      let n = 0;
      let acc = reduce === 'min' ? Number.POSITIVE_INFINITY : reduce === 'max' ? Number.NEGATIVE_INFINITY : 0;
      for (const agent of this.listOfType(type)) {
        if (where !== undefined && !where(agent)) continue;
        n++;
        if (reduce === 'count') continue;
        const v = value!(agent);
        if (reduce === 'min') acc = Math.min(acc, v);
        else if (reduce === 'max') acc = Math.max(acc, v);
        else acc += v;
      }
      if (reduce === 'count') return n;
      if (reduce === 'sum') return acc;
      if (n === 0) return whenEmpty;
      return reduce === 'mean' ? acc / n : acc;
    };
    this.sim.state.define(name, { get, unit: spec.unit, description: spec.description });
  }

  /**
   * Registers one count per category: `${prefix}.${category}` counts the agents (of a type) whose
   * `key` is that category. Categories not listed are not counted.
   */
  defineCounts<A extends Agent, K extends string>(
    prefix: string,
    spec: { type?: AgentClass<A>; key: (agent: A) => K; categories: readonly K[] },
  ): void {
    for (const category of spec.categories) {
      this.defineAggregate<A>(`${prefix}.${category}`, {
        reduce: 'count',
        type: spec.type,
        where: (agent) => spec.key(agent) === category,
      });
    }
  }

  /** @internal registers an agent and returns its id */
  _register(agent: Agent): number {
    const id = this.nextId++;
    this.all.push(agent);
    this.alive++;
    let ofClass = this.byClass.get(agent.constructor);
    if (ofClass === undefined) {
      ofClass = { list: [], removed: 0 };
      this.byClass.set(agent.constructor, ofClass);
    }
    ofClass.list.push(agent);
    return id;
  }

  private compactAll(): void {
    this.all = this.all.filter((a) => a.alive);
    this.removedInAll = 0;
  }

  /** @internal whether `fn` is Agent or a subclass of it */
  _isAgentClass(fn: unknown): boolean {
    return typeof fn === 'function' && (fn === Agent || fn.prototype instanceof Agent);
  }

  /** @internal the agents of a class (subclasses included), in creation order within each class */
  listOfType<A extends Agent>(type: AgentClass<A> | undefined): A[] {
    if (type === undefined || (type as unknown) === Agent) {
      if (this.removedInAll > 0) this.compactAll();
      return this.all.slice() as A[];
    }
    if (typeof type !== 'function')
      throw invalidArgument('AgentModel.agentsOfType(type)', 'type must be an agent class', type);
    const out: A[] = [];
    let classes = 0;
    for (const [ctor, ofClass] of this.byClass) {
      if (ctor === type || (ctor as AgentClass).prototype instanceof type) {
        classes++;
        if (ofClass.removed > 0) compactClass(ofClass);
        const list = ofClass.list;
        for (let i = 0; i < list.length; i++) out.push(list[i] as A);
      }
    }
    if (classes > 1) out.sort((a, b) => a.id - b.id);
    return out;
  }
}

/** Drops the removed agents from a class's list. */
function compactClass(ofClass: { list: Agent[]; removed: number }): void {
  ofClass.list = ofClass.list.filter((a) => a.alive);
  ofClass.removed = 0;
}
