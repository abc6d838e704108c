import { formatValue, invalidArgument, rejectUnknownKeys, TwinkitError } from '../errors';
import { GENERATOR_KINDS } from '../random';
import { SIMULATION_OPTION_KEYS, type SimulationOptions } from '../simulation/options';
import type { Simulation } from '../simulation/simulation';
import { copyData } from './copy-data';
import { Lineage, type SimulationSnapshot } from './lineage';

/** Options for {@link ModelDefinition.create}. */
export interface CreateOptions<P> extends SimulationOptions {
  /** Parameters passed to the build function (treated as immutable: forks rebuild with the same object). */
  params?: P;
}

/**
 * Hooks that let a definition be checkpointed instead of replayed: {@link Simulation.snapshot} saves
 * the model's state through `save`, and {@link ModelDefinition.restore} (and `fork()`, by default)
 * rebuilds the model from it through `restore`, at the saved time. A fork then costs in proportion to
 * the state, not to the history.
 *
 * The hooks must be complete: everything that decides the model's future must go through `save` and
 * come back in `restore` (queues, the remaining delay of every process suspended mid-way, plain
 * state-vector variables, the state of attached continuous models), so that a fork by snapshot and
 * a fork by replay have the same future. The fork tests of a model should check exactly that.
 *
 * @example
 * ```ts
 * // A machine that fails after exponential up-times; its pending failure is saved as a due time.
 * interface MachineState { failures: number; nextFailure: number | null }
 * function startMachine(sim: Simulation, p: { meanUp: number }, saved: MachineState) {
 *   const machine = { ...saved };
 *   sim.process(function* () {
 *     for (;;) {
 *       machine.nextFailure ??= sim.now + sim.rng('up').exponential(p.meanUp);
 *       yield sim.timeout(machine.nextFailure - sim.now); // after a restore: the remaining delay
 *       machine.nextFailure = null;
 *       machine.failures++;
 *     }
 *   });
 *   return machine;
 * }
 * const model = defineModel(
 *   (sim, p: { meanUp: number }) => startMachine(sim, p, { failures: 0, nextFailure: null }),
 *   {
 *     name: 'machine',
 *     snapshot: {
 *       saveState: (machine) => ({ ...machine }),
 *       restoreState: (sim, p, state) => startMachine(sim, p, state),
 *     },
 *   },
 * );
 * ```
 */
export interface SnapshotHooks<P, M, S> {
  /**
   * Returns the model's state as structured-cloneable plain data; called between events. Return data
   * from which `restoreState` can rebuild every object: ids instead of objects, the due time of a
   * pending timeout instead of the event. Keep it JSON-compatible (no Map, typed arrays, NaN or
   * Infinity) if snapshots are to be stored as JSON.
   */
  saveState(model: M, sim: Simulation<M>): S;
  /**
   * Builds the model in `sim` as it was saved: the clock already stands at the snapshot's time and the
   * saved random streams are restored (sim.rng(name) returns them). Must recreate processes suspended
   * mid-way from the saved data (e.g. a remaining delay: wait `due - sim.now`), in the order they were
   * scheduled when events can fall at the same time, define the state vector's variables, register
   * input handlers, and re-attach continuous models with their saved state.
   */
  restoreState(sim: Simulation<M>, params: P, state: S): M;
}

/**
 * The snapshot hooks under their first names.
 *
 * @deprecated Use {@link SnapshotHooks}: `save` is now `saveState` and `restore` is `restoreState`, the
 * names every saveable part of twinkit uses. These names are accepted for one more release.
 */
export interface DeprecatedSnapshotHooks<P, M, S> {
  /** @deprecated Use {@link SnapshotHooks.saveState}. */
  save(model: M, sim: Simulation<M>): S;
  /** @deprecated Use {@link SnapshotHooks.restoreState}. */
  restore(sim: Simulation<M>, params: P, saved: S): M;
}

/** Options for {@link ModelDefinition.restore}. */
export interface RestoreOptions<P = never> {
  /**
   * Replication to draw random numbers from after the snapshot point. Omit it (or pass the snapshot's
   * own) to continue the saved streams; another replication switches every stream as
   * `fork({ replication })` does.
   */
  replication?: number;
  /**
   * Parameters to rebuild the model with instead of the saved ones: a what-if from the present
   * ("the same plant, from now on with six technicians"). The definition's `restore` hook receives
   * them with the saved state, which still describes the model as it was, and must reconcile the
   * two (or refuse with an error that says why). Omit it to continue with the saved parameters.
   */
  params?: P;
}

/** Describes a definition, for tools that load it elsewhere (worker threads), and how to checkpoint it. */
export interface DefineModelOptions<P, M = unknown, S = unknown> {
  /** A name for reports; also the export name under which `module` exports the definition. */
  name?: string;
  /** URL of the module that exports the definition (pass `import.meta.url`), so worker threads can load it. */
  module?: string;
  /** Parameters used when `create()` is called without `params`. */
  defaults?: P;
  /** Hooks that save the model's state as plain data and restore it, for snapshots and cheap forks. */
  snapshot?: SnapshotHooks<P, M, S> | DeprecatedSnapshotHooks<P, M, S>;
}

/** Builds the model inside a fresh simulation: creates processes, resources, stocks, agents. */
export type ModelBuilder<P, M> = (sim: Simulation, params: P) => M;

/**
 * A model definition: a function that builds a model in a fresh simulation. Simulations made from a
 * definition can be forked, and Monte Carlo replications and worker threads are made from it.
 */
export class ModelDefinition<P = undefined, M = void> {
  /** The name given in {@link DefineModelOptions}. */
  readonly name: string | undefined;
  /** URL of the module that exports this definition, if given. */
  readonly module: string | undefined;
  /** Default parameters, if given. */
  readonly defaults: P | undefined;
  /** Whether the definition has snapshot hooks, so that its simulations can be snapshotted and restored. */
  readonly hasSnapshot: boolean;
  private readonly build: ModelBuilder<P, M>;
  private readonly hooks: SnapshotHooks<P, M, unknown> | undefined;

  /** @internal Use {@link defineModel}. */
  constructor(build: ModelBuilder<P, M>, options: DefineModelOptions<P, M, unknown>) {
    this.build = build;
    this.name = options.name;
    this.module = options.module;
    this.defaults = options.defaults;
    const hooks = options.snapshot;
    this.hooks =
      hooks === undefined || 'saveState' in hooks
        ? hooks
        : { saveState: hooks.save.bind(hooks), restoreState: hooks.restore.bind(hooks) };
    this.hasSnapshot = hooks !== undefined;
  }

  /**
   * Creates a simulation and builds the model in it. The result can be run, fed input and forked.
   *
   * @example
   * ```ts
   * const live = model.create({ seed: 42, params: { arrivalMean: 2 } });
   * live.run({ until: 100 });
   * const whatIf = live.fork({ replication: 1 });
   * ```
   *
   * @throws TwinkitError for an unknown option, and, when the simulation has no params (none given,
   * no `defaults`), as soon as the definition reads one (while building or later, in a process): the
   * build function then gets a stand-in that refuses reads with an error saying how to pass them. A
   * build function that declares `params` with a default value (`(sim, p = DEFAULTS) => ...`) or not
   * at all gets undefined instead.
   */
  create(options: CreateOptions<P> = {}): Simulation<M> {
    rejectUnknownKeys(
      'ModelDefinition.create(options)',
      options,
      CREATE_OPTION_KEYS,
      '{ seed: 42, params: { ... } }',
    );
    const { params: given, ...simOptions } = options;
    return Lineage.create(this, simOptions, given === undefined ? this.defaults : given).sim;
  }

  /**
   * Creates a simulation from a snapshot taken with {@link Simulation.snapshot} (or its JSON round
   * trip): the clock starts at the snapshot's time, with its seed, generator, replication, event count
   * and saved random streams, and the definition's `restore` hook rebuilds the model. The result runs,
   * takes input and forks like one made by `create()`; its future is the snapshotted simulation's. The
   * snapshot is not changed and can be restored again.
   *
   * With `options.replication` different from the snapshot's, every stream switches at the snapshot
   * point to that replication, exactly as `fork({ replication })` does.
   *
   * @example
   * ```ts
   * const live = model.create({ seed: 42 });
   * live.run({ until: 100 });
   * const snap = live.snapshot();
   * const same = model.restore(snap);                       // continues exactly like live
   * const other = model.restore(snap, { replication: 1 });  // same state, other random future
   * ```
   *
   * @throws TwinkitError for a definition without snapshot hooks (code FORK), or a snapshot that is
   * malformed or belongs to another definition (code INVALID_ARGUMENT).
   */
  restore(snapshot: SimulationSnapshot, options: RestoreOptions<P> = {}): Simulation<M> {
    const api = 'ModelDefinition.restore(snapshot)';
    rejectUnknownKeys(
      'ModelDefinition.restore(snapshot, options)',
      options,
      RESTORE_OPTION_KEYS,
      '{ replication: 1 }',
    );
    if (this.hooks === undefined) {
      throw new TwinkitError(
        `${api}: the model definition${this.name === undefined ? '' : ` ${JSON.stringify(this.name)}`} has no snapshot hooks. Add snapshot: { saveState(model, sim), restoreState(sim, params, state) } to defineModel's options.`,
        { code: 'FORK' },
      );
    }
    checkSnapshot(api, snapshot, this.name);
    const replication = options.replication ?? snapshot.replication;
    if (!Number.isInteger(replication) || replication < 0) {
      throw invalidArgument(
        'ModelDefinition.restore(snapshot, { replication })',
        'replication must be an integer >= 0',
        replication,
      );
    }
    let copy: SimulationSnapshot;
    try {
      copy = copyData(snapshot);
    } catch (error) {
      throw invalidArgument(api, 'snapshot must be structured-cloneable plain data', snapshot, undefined, {
        cause: error,
      });
    }
    return Lineage.restore(
      this,
      copy,
      replication,
      api,
      options.params === undefined ? copy.params : structuredCloneParams(api, options.params),
    ).sim;
  }

  // The three calls below are the definition's side of the lineage (./lineage.ts, `ModelRecipe`):
  // the lineage decides when to build, save and restore; the definition only knows how.

  /** @internal Runs the build function (with the stand-in for missing params). */
  _build(sim: Simulation<M>, params: unknown): M {
    return this.build(sim, params === undefined ? this.missingParams(this.build, false) : (params as P));
  }

  /** @internal Calls the save hook (the definition has hooks). */
  _save(sim: Simulation<M>): unknown {
    return this.hooks!.saveState(sim.model, sim);
  }

  /** @internal Calls the restore hook (the definition has hooks) with a copy of the saved state. */
  _revive(sim: Simulation<M>, params: unknown, saved: unknown): M {
    const hooks = this.hooks!;
    return hooks.restoreState(
      sim,
      (params === undefined ? this.missingParams(hooks.restoreState, true) : params) as P,
      saved,
    );
  }

  /**
   * What the build function (and the restore hook) get as `params` when the simulation has none (none
   * given, no defaults): an empty stand-in that refuses every property read with an error that says
   * how to pass them, instead of JavaScript's `Cannot read properties of undefined`. Spreading it
   * (`{ ...defaults, ...params }`) gives nothing, as spreading undefined does. `sim.params` stays
   * undefined. A function that declares no `params` (`fn.length < 2`: `(sim) => ...`, or a default
   * value, `(sim, params = DEFAULTS) => ...`) gets undefined, as before. `restored` says whether the
   * restore hook gets it (the snapshot holds no params).
   */
  private missingParams(fn: (...args: never[]) => unknown, restored: boolean): P {
    if (fn.length < 2) return undefined as P;
    const name = this.name === undefined ? '' : ` ${JSON.stringify(this.name)}`;
    const refuse = (what: string): never => {
      throw new TwinkitError(
        restored
          ? `ModelDefinition.restore(snapshot): the snapshot hooks of the model definition${name} read ${what}, but the simulation was restored without params (the snapshot holds none and restore was given none). Pass them: model.restore(snapshot, { params: { ... } }).`
          : `ModelDefinition.create(options): the model definition${name} reads ${what}, but the simulation was created without params (none were given and defineModel has no defaults). Pass them: model.create({ seed, params: { ... } }), or give defaults: defineModel(build, { defaults: { ... } }).`,
        { code: 'INVALID_ARGUMENT', details: { read: what } },
      );
    };
    const described = (key: string | symbol) =>
      typeof key === 'symbol'
        ? `params[${key.toString()}]`
        : /^[A-Za-z_$][\w$]*$/.test(key)
          ? `params.${key}`
          : `params[${formatValue(key)}]`;
    return new Proxy(Object.freeze({}), {
      get(_target, key) {
        // Probes of protocols, not reads of parameters: awaiting, JSON, printing.
        if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') return undefined;
        return refuse(described(key));
      },
      has: (_target, key) => refuse(`${described(key)} (with the in operator)`),
      set: (_target, key) => refuse(`${described(key)} (assigning to it)`),
    }) as P;
  }
}

const CREATE_OPTION_KEYS: readonly string[] = [...SIMULATION_OPTION_KEYS, 'params'];
const RESTORE_OPTION_KEYS: readonly string[] = ['replication', 'params'];
const DEFINE_MODEL_OPTION_KEYS: readonly string[] = ['name', 'module', 'defaults', 'snapshot'];
const SNAPSHOT_HOOK_KEYS: readonly string[] = ['saveState', 'restoreState', 'save', 'restore'];

/** Returns a structured clone of parameters given to restore, or says why they cannot be cloned. */
function structuredCloneParams(api: string, params: unknown): unknown {
  try {
    return copyData(params);
  } catch (error) {
    throw invalidArgument(
      `${api.slice(0, -1)}, { params })`,
      'params must be structured-cloneable data, as a snapshot holds them',
      params,
      undefined,
      { cause: error },
    );
  }
}

/** Throws a clear error unless `snapshot` has the shape {@link Simulation.snapshot} returns. */
function checkSnapshot(api: string, snapshot: SimulationSnapshot, name: string | undefined): void {
  const remedy = 'Pass what Simulation.snapshot() returned, unchanged (a JSON round trip is fine).';
  if (snapshot === null || typeof snapshot !== 'object' || Array.isArray(snapshot)) {
    throw invalidArgument(
      api,
      'snapshot must be an object returned by Simulation.snapshot()',
      snapshot,
      remedy,
    );
  }
  const field = (key: keyof SimulationSnapshot, rule: string, ok: (value: unknown) => boolean) => {
    const value: unknown = snapshot[key];
    if (!ok(value)) throw invalidArgument(api, `snapshot.${key} must be ${rule}`, value, remedy);
  };
  field('format', "'twinkit-snapshot/1'", (v) => v === 'twinkit-snapshot/1');
  field('model', 'a string or null', (v) => v === null || typeof v === 'string');
  if (name !== undefined && snapshot.model !== null && snapshot.model !== name) {
    throw invalidArgument(
      api,
      `snapshot.model must be this definition's name ${JSON.stringify(name)}`,
      snapshot.model,
      `Restore it with the definition it was taken from (${JSON.stringify(snapshot.model)}).`,
    );
  }
  field('time', 'a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
  // Missing in snapshots written before startTime was saved: time then must not be negative.
  const startTime: unknown = (snapshot as { startTime?: unknown }).startTime;
  if (startTime !== undefined) {
    field('startTime', 'a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
  }
  const earliest = (startTime as number | undefined) ?? 0;
  if (snapshot.time < earliest) {
    throw invalidArgument(
      api,
      `snapshot.time must not be before ${startTime === undefined ? '0 (the snapshot has no startTime)' : `snapshot.startTime ${earliest}`}: the clock never runs backwards`,
      snapshot.time,
      remedy,
    );
  }
  field(
    'seed',
    'a finite number or a string',
    (v) => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string',
  );
  field(
    'generator',
    `one of ${GENERATOR_KINDS.map((k) => `'${k}'`).join(', ')}`,
    (v) => typeof v === 'string' && (GENERATOR_KINDS as readonly string[]).includes(v),
  );
  field('replication', 'an integer >= 0', (v) => Number.isInteger(v) && (v as number) >= 0);
  field('forkPath', 'a string', (v) => typeof v === 'string');
  field('eventsProcessed', 'an integer >= 0', (v) => Number.isInteger(v) && (v as number) >= 0);
  field(
    'streams',
    'an object mapping stream names to saved stream states',
    (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  );
}

/**
 * Defines a model: `build(sim, params)` creates everything the model holds in the fresh simulation it
 * is given, and may return a handle (resources, stocks, agent sets) that `sim.model` then exposes.
 * Keep all mutable state inside `build`: forks and replications rebuild the model from it.
 *
 * @example
 * ```ts
 * const queue = defineModel((sim, p: { arrivalMean: number }) => {
 *   const served = { count: 0 };
 *   sim.process(function* () {
 *     for (;;) { yield sim.timeout(sim.rng('arrivals').exponential(p.arrivalMean)); served.count++; }
 *   });
 *   return served;
 * }, { name: 'queue', module: import.meta.url });
 * const sim = queue.create({ seed: 1, params: { arrivalMean: 2 } });
 * sim.run({ until: 100 });
 * sim.model.count;
 * ```
 */
export function defineModel<P = undefined, M = void, S = unknown>(
  build: ModelBuilder<P, M>,
  options: DefineModelOptions<P, M, S> = {},
): ModelDefinition<P, M> {
  if (typeof build !== 'function') {
    throw invalidArgument('defineModel(build)', 'build must be a function (sim, params) => model', build);
  }
  rejectUnknownKeys(
    'defineModel(build, options)',
    options,
    DEFINE_MODEL_OPTION_KEYS,
    "{ name: 'queue', module: import.meta.url }",
  );
  const hooks = options.snapshot;
  if (hooks !== undefined) checkSnapshotHooks(hooks);
  return new ModelDefinition(build, options as DefineModelOptions<P, M, unknown>);
}

/**
 * Throws a clear error unless `hooks` is `{ saveState, restoreState }` (or, deprecated, `{ save,
 * restore }`): both functions, from one pair, nothing else.
 */
function checkSnapshotHooks(hooks: unknown): void {
  const api = 'defineModel(build, { snapshot })';
  const rule = 'snapshot must be { saveState(model, sim), restoreState(sim, params, state) }';
  if (hooks === null || typeof hooks !== 'object' || Array.isArray(hooks)) {
    throw invalidArgument(api, rule, hooks, 'Pass both hooks, or leave snapshot out to fork by replay.');
  }
  rejectUnknownKeys(api, hooks, SNAPSHOT_HOOK_KEYS);
  const record = hooks as Record<string, unknown>;
  const current = 'saveState' in record || 'restoreState' in record;
  const deprecated = 'save' in record || 'restore' in record;
  if (current && deprecated) {
    throw invalidArgument(
      api,
      'snapshot takes saveState/restoreState or (deprecated) save/restore, not both pairs',
      Object.keys(record),
      'Rename save to saveState and restore to restoreState.',
    );
  }
  const [save, restore] = deprecated ? ['save', 'restore'] : ['saveState', 'restoreState'];
  if (typeof record[save] !== 'function' || typeof record[restore] !== 'function') {
    throw invalidArgument(api, rule, hooks, 'Pass both hooks, or leave snapshot out to fork by replay.');
  }
}
