/**
 * The lineage of a simulation made from a model definition: everything that makes it reproducible.
 * This module is the one owner of the fork and snapshot protocol: the journal of what entered the
 * model from outside, the replay of that journal into a rebuilt model, the capture of a snapshot, the
 * resumption of a restored simulation and the reseeding of random streams at a fork point.
 *
 * A simulation knows nothing of this protocol beyond one internal seam ({@link ClockSeam}, obtained
 * once with `Simulation._seam()`): it reports outside input to its lineage and lets the lineage step
 * the clock, act as the model and re-key the streams. A definition talks only to this module
 * ({@link Lineage.create}, {@link Lineage.restore}); `sim.fork()` and `sim.snapshot()` delegate here.
 * Following a fork therefore reads top to bottom in this one file.
 *
 * @module
 */
import { formatValue, invalidArgument, TwinkitError } from '../errors';
import { createStream, type GeneratorKind, type RandomStreamState } from '../random';
import type { SimulationOptions } from '../simulation/options';
import type { ClockSeam } from '../simulation/seam';
import { Simulation } from '../simulation/simulation';
import { copyData } from './copy-data';

/** Options for {@link Simulation.fork}. */
export interface ForkOptions {
  /**
   * Replication whose random numbers the fork draws from the fork point on. Omit it (or pass the
   * simulation's own) to keep the streams: the fork's future is then identical to the original's.
   */
  replication?: number;
  /**
   * How the fork is made: `'snapshot'` restores it from the state the definition's snapshot hooks
   * save (cost proportional to the state), `'replay'` rebuilds it and replays the history (cost
   * proportional to the events processed). Default: `'snapshot'` when the definition has snapshot
   * hooks, else `'replay'`.
   */
  mechanism?: 'snapshot' | 'replay';
}

/**
 * Holds a simulation's state as plain data, returned by {@link Simulation.snapshot} and turned back
 * into a simulation by {@link ModelDefinition.restore}. It survives `JSON.stringify`/`JSON.parse`
 * and `postMessage` when what the definition's `saveState` hook returns does.
 */
export interface SimulationSnapshot<S = unknown> {
  /** The format tag, checked by `restore`. */
  readonly format: 'twinkit-snapshot/1';
  /** The name of the definition the simulation was made from, or null if it has none. */
  readonly model: string | null;
  /** The simulated time of the snapshot (never before `startTime`). */
  readonly time: number;
  /**
   * The time the simulation it was taken from started at (for a restored simulation, the time it was
   * restored at). Snapshots written before this field existed lack it; restore then takes it as 0.
   */
  readonly startTime: number;
  /** The master seed. */
  readonly seed: number | string;
  /** The generator behind the random streams. */
  readonly generator: GeneratorKind;
  /** The replication whose substreams the streams draw from. */
  readonly replication: number;
  /** The fork lineage that keys the streams (`''` for a simulation never forked to another replication). */
  readonly forkPath: string;
  /** The number of events processed before the snapshot. */
  readonly eventsProcessed: number;
  /** A structured clone of the parameters the simulation was created with. */
  readonly params: unknown;
  /** The position of every random stream created so far, by stream name. */
  readonly streams: Record<string, RandomStreamState>;
  /** What the definition's `saveState` hook returned, deep-copied. */
  readonly state: S;
}

/** An entry of the journal of everything that entered the model from outside. @internal */
export type JournalEntry =
  | { kind: 'clock'; at: number; now: number; to: number }
  | { kind: 'write'; at: number; now: number; names: string[]; values: number[] }
  | { kind: 'input'; at: number; now: number; name: string; payload: unknown }
  | { kind: 'reseed'; at: number; now: number; replication: number; forkPath: string };

/** The snapshot a restored simulation was made from and the replication it was restored with. @internal */
export interface SnapshotBase {
  snapshot: SimulationSnapshot;
  replication: number;
  /** The parameters it was restored with (the snapshot's, or the ones given to restore). */
  params: unknown;
}

/**
 * What a lineage needs of the definition it rebuilds simulations from (a `ModelDefinition` is one):
 * the build function and the snapshot hooks, with the definition's own handling of missing params.
 * Typed structurally so that this module does not import the definition back.
 *
 * @internal
 */
export interface ModelRecipe<M> {
  /** The definition's name, for snapshots and error messages. */
  readonly name: string | undefined;
  /** Whether `save`/`revive` may be called. */
  readonly hasSnapshot: boolean;
  /** Builds the model in a fresh simulation (the build function). */
  _build(sim: Simulation<M>, params: unknown): M;
  /** Returns the model's state as data (the `saveState` hook). */
  _save(sim: Simulation<M>): unknown;
  /** Rebuilds the model from saved state in a simulation already at the saved time (the `restoreState` hook). */
  _revive(sim: Simulation<M>, params: unknown, saved: unknown): M;
}

/**
 * The lineage of one simulation: the definition it is made from, its parameters and model, the
 * snapshot it was restored from (if any) and the journal of outside input since then. Simulations
 * made with `new Simulation()` have none, which is why they cannot be forked.
 *
 * @internal
 */
export class Lineage<M = unknown> {
  /** The simulation this lineage records. */
  readonly sim: Simulation<M>;
  /** The parameters the model was built with (`sim.params`). */
  readonly params: unknown;
  /** What the build function (or restore hook) returned (`sim.model`). */
  readonly model: M;
  private readonly seam: ClockSeam<M>;
  private readonly recipe: ModelRecipe<M>;
  /** Everything that entered the model from outside since it was built (or restored), in order. */
  private readonly journal: JournalEntry[] = [];
  /** The snapshot a restored simulation started from: a replay fork restores it, then replays. */
  private readonly base: SnapshotBase | null;
  /** The replication the simulation was created with: a replay fork rebuilds with it. */
  private readonly createdReplication: number;
  /** Why the simulation can no longer be reproduced, if it cannot. */
  private taintReason: string | null = null;

  private constructor(
    recipe: ModelRecipe<M>,
    sim: Simulation<M>,
    seam: ClockSeam<M>,
    params: unknown,
    model: M,
    base: SnapshotBase | null,
    createdReplication: number,
  ) {
    this.recipe = recipe;
    this.sim = sim;
    this.seam = seam;
    this.params = params;
    this.model = model;
    this.base = base;
    this.createdReplication = createdReplication;
    // Journaling starts only now: whatever the build did was the model acting, not outside input.
    seam.attach(this);
  }

  /** Creates a simulation and builds the model in it (`ModelDefinition.create`, replay forks). */
  static create<M>(recipe: ModelRecipe<M>, options: SimulationOptions, params: unknown): Lineage<M> {
    const sim = new Simulation<M>(options);
    const seam = sim._seam();
    const createdReplication = sim.replication;
    const model = seam.act(() => recipe._build(sim, params));
    return new Lineage(recipe, sim, seam, params, model, null, createdReplication);
  }

  /**
   * Creates a simulation from a validated snapshot that nothing else will change (it becomes the
   * simulation's base for replay forks): the clock at the snapshot's time, its event count and
   * streams, switched to `replication` if that differs; then the restore hook rebuilds the model
   * from a copy of the saved state.
   */
  static restore<M>(
    recipe: ModelRecipe<M>,
    snapshot: SimulationSnapshot,
    replication: number,
    api: string,
    params: unknown = snapshot.params,
  ): Lineage<M> {
    const sim = new Simulation<M>({
      seed: snapshot.seed,
      startTime: snapshot.time,
      replication: snapshot.replication,
      generator: snapshot.generator,
    });
    const seam = sim._seam();
    resume(sim, seam, api, snapshot, replication);
    const model = seam.act(() => recipe._revive(sim, params, copyData(snapshot.state)));
    const base: SnapshotBase = { snapshot, replication, params };
    return new Lineage(recipe, sim, seam, params, model, base, snapshot.replication);
  }

  // ---------------------------------------------------------------- what the simulation reports

  /** Journals a state write from outside (called before it is applied). */
  recordWrite(names: readonly string[], values: ArrayLike<number>): void {
    const sim = this.sim;
    this.journal.push({
      kind: 'write',
      at: sim.eventsProcessed,
      now: sim.now,
      names: [...names],
      values: Array.from(values),
    });
  }

  /** Journals external input (a copy of its already-copied payload, so the handler cannot change it). */
  recordInput(name: string, payload: unknown): void {
    const sim = this.sim;
    this.journal.push({
      kind: 'input',
      at: sim.eventsProcessed,
      now: sim.now,
      name,
      payload: structuredClone(payload),
    });
  }

  /**
   * Journals a clock move to `to`. The simulation reports it only while continuous models are
   * attached: without them, replay reproduces a move by setting the clock at the next entry.
   */
  recordClock(to: number): void {
    const sim = this.sim;
    this.journal.push({ kind: 'clock', at: sim.eventsProcessed, now: sim.now, to });
  }

  /** Marks the simulation as irreproducible (something acted on it that no journal entry can replay). */
  taint(reason: string): void {
    this.taintReason ??= reason;
  }

  // ---------------------------------------------------------------- fork and snapshot

  /** The body of {@link Simulation.fork} (options already checked for unknown keys). */
  fork(options: ForkOptions): Simulation<M> {
    const api = 'Simulation.fork()';
    this.check(api);
    const sim = this.sim;
    const recipe = this.recipe;
    const replication = options.replication ?? sim.replication;
    if (!Number.isInteger(replication) || replication < 0) {
      throw invalidArgument(
        `${api.slice(0, -1)}{ replication })`,
        'replication must be an integer >= 0',
        replication,
      );
    }
    const mechanism = options.mechanism ?? (recipe.hasSnapshot ? 'snapshot' : 'replay');
    if (mechanism !== 'snapshot' && mechanism !== 'replay') {
      throw invalidArgument(
        'Simulation.fork({ mechanism })',
        "mechanism must be 'snapshot' or 'replay'",
        mechanism,
        'Omit it to fork by snapshot when the definition has snapshot hooks and by replay otherwise.',
      );
    }
    if (mechanism === 'snapshot') {
      if (!recipe.hasSnapshot) {
        throw new TwinkitError(
          `Simulation.fork({ mechanism: 'snapshot' }): the model definition${recipe.name === undefined ? '' : ` ${JSON.stringify(recipe.name)}`} has no snapshot hooks. Add snapshot: { saveState, restoreState } to defineModel's options, or fork by replay (omit mechanism or pass 'replay').`,
          { code: 'FORK' },
        );
      }
      return Lineage.restore(recipe, this.capture(api, false), replication, api).sim;
    }
    const base = this.base;
    const child =
      base === null
        ? Lineage.create(
            recipe,
            {
              seed: sim.seed,
              startTime: sim.startTime,
              replication: this.createdReplication,
              generator: sim.generator,
            },
            this.params,
          )
        : Lineage.restore(recipe, base.snapshot, base.replication, api, base.params);
    child.replay(this.journal, sim.eventsProcessed, sim.now);
    if (replication !== sim.replication) {
      const forkPath = `${this.seam.forkPath()}/${sim.eventsProcessed}`;
      const at = child.sim;
      child.journal.push({ kind: 'reseed', at: at.eventsProcessed, now: at.now, replication, forkPath });
      child.reseed(replication, forkPath);
    }
    return child.sim;
  }

  /** The body of {@link Simulation.snapshot}. */
  snapshot(): SimulationSnapshot {
    const api = 'Simulation.snapshot()';
    this.check(api);
    const recipe = this.recipe;
    if (!recipe.hasSnapshot) {
      throw new TwinkitError(
        `${api}: the model definition${recipe.name === undefined ? '' : ` ${JSON.stringify(recipe.name)}`} has no snapshot hooks, so its state cannot be saved as data. Add snapshot: { saveState(model, sim), restoreState(sim, params, state) } to defineModel's options, or use fork(), which replays.`,
        { code: 'FORK' },
      );
    }
    return this.capture(api, true);
  }

  /** Throws unless the simulation can be forked or snapshotted now. */
  private check(api: string): void {
    if (this.seam.isRunning()) {
      throw new TwinkitError(
        `${api}: called while the simulation is processing an event (t=${this.sim.now}); call it between steps.`,
        { code: 'FORK' },
      );
    }
    if (this.taintReason !== null) {
      throw new TwinkitError(
        `${api}: this simulation cannot be reproduced: ${this.taintReason}. Only state writes (sim.state.set/write), sim.input() and the clock (run, step, advanceTo) may act on a forkable simulation from outside; put everything else in the model definition.`,
        { code: 'FORK' },
      );
    }
  }

  /**
   * Saves the state through the definition's hooks. `cloneParams` false keeps the parameters object
   * itself (a fork in this process shares it, as a replay fork does).
   */
  private capture(api: string, cloneParams: boolean): SimulationSnapshot {
    const sim = this.sim;
    const saved = this.recipe._save(sim);
    const state = cloneForSnapshot(api, 'the state returned by saveState()', 'state', saved);
    const params = cloneParams ? cloneForSnapshot(api, 'the parameters', 'params', this.params) : this.params;
    const streams: Record<string, RandomStreamState> = {};
    for (const [name, stream] of this.seam.streams) streams[name] = stream.saveState();
    return {
      format: 'twinkit-snapshot/1',
      model: this.recipe.name ?? null,
      time: sim.now,
      startTime: sim.startTime,
      seed: sim.seed,
      generator: sim.generator,
      replication: sim.replication,
      forkPath: this.seam.forkPath(),
      eventsProcessed: sim.eventsProcessed,
      params,
      streams,
      state,
    };
  }

  /** Switches every stream, and those created later, to (replication, forkPath). */
  private reseed(replication: number, forkPath: string): void {
    reseed(this.sim, this.seam, replication, forkPath);
  }

  /**
   * Replays `journal` into this freshly built (or restored) simulation up to `processed` events at
   * time `now`, journaling each entry again, so the result can itself be forked. Any mismatch means
   * the definition is not deterministic.
   */
  private replay(journal: readonly JournalEntry[], processed: number, now: number): void {
    const sim = this.sim;
    const seam = this.seam;
    const desync = (what: string) =>
      new TwinkitError(
        `Simulation.fork(): replaying the model diverged from the original (${what}). The model definition is not deterministic: it must draw randomness only from sim.rng(), keep its state inside the definition, and not read the wall clock.`,
        { code: 'FORK' },
      );
    const stepTo = (count: number) => {
      while (sim.eventsProcessed < count) {
        if (!seam.step())
          throw desync(`the calendar ran empty after ${sim.eventsProcessed} of ${count} events`);
      }
    };
    // Without continuous models a clock move is not journaled (nothing observes the time between
    // events), so replay moves the clock to the time the next entry was recorded at.
    const catchUp = (t: number) => {
      if (seam.continuousModels() === 0 && sim.now < t) seam.setClock(t);
    };
    seam.act(() => {
      for (const entry of journal) {
        stepTo(entry.at);
        if (entry.kind === 'clock') {
          if (sim.now !== entry.now) throw desync(`clock at ${sim.now}, expected ${entry.now}`);
          seam.advance(entry.to);
        } else {
          catchUp(entry.now);
          if (sim.now !== entry.now) throw desync(`clock at ${sim.now}, expected ${entry.now}`);
          if (entry.kind === 'write') {
            sim.state.write(entry.names, entry.values);
          } else if (entry.kind === 'input') {
            const handler = seam.inputHandler(entry.name);
            if (handler === undefined) throw desync(`no handler for input ${JSON.stringify(entry.name)}`);
            handler(structuredClone(entry.payload));
          } else {
            this.reseed(entry.replication, entry.forkPath);
          }
        }
        this.journal.push(entry);
      }
      stepTo(processed);
      catchUp(now);
      if (sim.now !== now) throw desync(`clock at ${sim.now}, expected ${now}`);
    }, true);
  }
}

/**
 * Prepares a fresh simulation (clock at the snapshot's time, its seed, generator and replication)
 * before the model is restored: continues the event count and the fork path, re-creates the saved
 * streams at their positions and, for another replication, switches them as a fork does. Throws an
 * error naming `api` for a stream state that does not fit.
 */
function resume<M>(
  sim: Simulation<M>,
  seam: ClockSeam<M>,
  api: string,
  snapshot: SimulationSnapshot,
  replication: number,
): void {
  seam.setEventCount(snapshot.eventsProcessed);
  seam.setStreamKey(sim.replication, snapshot.forkPath);
  for (const [name, saved] of Object.entries(snapshot.streams)) {
    const stream = createStream(
      { seed: sim.seed, name, replication: sim.replication, forkPath: snapshot.forkPath },
      sim.generator,
    );
    try {
      stream.restoreState(saved);
    } catch (error) {
      throw invalidArgument(
        api,
        `snapshot.streams[${JSON.stringify(name)}] must be a '${sim.generator}' stream state from RandomStream.saveState()`,
        saved,
        'Pass what Simulation.snapshot() returned, unchanged (a JSON round trip is fine).',
        { cause: error },
      );
    }
    seam.streams.set(name, stream);
  }
  if (replication !== sim.replication) {
    reseed(sim, seam, replication, `${snapshot.forkPath}/${snapshot.eventsProcessed}`);
  }
}

/** Switches every stream of `sim`, and those created later, to (replication, forkPath). */
function reseed<M>(sim: Simulation<M>, seam: ClockSeam<M>, replication: number, forkPath: string): void {
  seam.setStreamKey(replication, forkPath);
  for (const [name, stream] of seam.streams) {
    stream.reseed({ seed: sim.seed, name, replication, forkPath });
  }
}

/**
 * Deep-copies `value` for a snapshot as structuredClone does (`copyData`); if it cannot be cloned, throws FORK naming
 * the first part that cannot (`what` says whose data it is, `root` is its path in the snapshot).
 */
function cloneForSnapshot(api: string, what: string, root: string, value: unknown): unknown {
  try {
    return copyData(value);
  } catch (error) {
    const culprit = findUncloneable(value, root, new Set());
    throw new TwinkitError(
      `${api}: ${what} must be structured-cloneable plain data, but ${culprit ?? `structuredClone refused it (${error instanceof Error ? error.message : String(error)})`}. Save plain data (numbers, strings, arrays, plain objects) from which restoreState() can rebuild the objects: an id instead of an object, the remaining delay instead of a pending event.`,
      { code: 'FORK', cause: error, details: { value } },
    );
  }
}

/** Locates the first part of `value` that structuredClone cannot copy, as "path is what", or null. */
function findUncloneable(value: unknown, path: string, seen: Set<object>): string | null {
  if (typeof value === 'function' || typeof value === 'symbol') {
    return `${path} is ${formatValue(value)}`;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return null;
  seen.add(value);
  const proto = Object.getPrototypeOf(value) as object | null;
  const plain = proto === null || proto === Object.prototype || Array.isArray(value);
  const builtin =
    value instanceof Map || value instanceof Set || value instanceof Date || value instanceof RegExp;
  if (!plain && !builtin && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
    try {
      structuredClone(value);
    } catch {
      const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      return `${path} is an instance of ${name}`;
    }
    return null;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const found =
        findUncloneable(k, `${path} (a Map key)`, seen) ??
        findUncloneable(v, `${path}.get(${formatValue(k)})`, seen);
      if (found !== null) return found;
    }
    return null;
  }
  if (value instanceof Set) {
    for (const v of value) {
      const found = findUncloneable(v, `${path} (a Set element)`, seen);
      if (found !== null) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const child = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    const found = findUncloneable((value as Record<string, unknown>)[key], child, seen);
    if (found !== null) return found;
  }
  return null;
}
