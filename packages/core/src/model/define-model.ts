import { invalidArgument } from '../errors';
import { Simulation, type SimulationOptions } from '../simulation/simulation';

/** Options for {@link ModelDefinition.create}. */
export interface CreateOptions<P> extends SimulationOptions {
  /** Parameters passed to the build function (treated as immutable: forks rebuild with the same object). */
  params?: P;
}

/** Describes a definition, for tools that load it elsewhere (worker threads). */
export interface DefineModelOptions<P> {
  /** A name for reports; also the export name under which `module` exports the definition. */
  name?: string;
  /** URL of the module that exports the definition (pass `import.meta.url`), so worker threads can load it. */
  module?: string;
  /** Parameters used when `create()` is called without `params`. */
  defaults?: P;
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
  private readonly build: ModelBuilder<P, M>;

  /** @internal Use {@link defineModel}. */
  constructor(build: ModelBuilder<P, M>, options: DefineModelOptions<P>) {
    this.build = build;
    this.name = options.name;
    this.module = options.module;
    this.defaults = options.defaults;
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
   */
  create(options: CreateOptions<P> = {}): Simulation<M> {
    return this._instantiate(options);
  }

  /** @internal */
  _instantiate(options: CreateOptions<P>): Simulation<M> {
    const { params: given, ...simOptions } = options;
    const params = (given === undefined ? this.defaults : given) as P;
    const sim = new Simulation<M>(simOptions);
    sim._inside++;
    let model: M;
    try {
      model = this.build(sim, params);
    } finally {
      sim._inside--;
    }
    sim._startJournal(this as unknown as ModelDefinition<never, M>, params, model);
    return sim;
  }
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
export function defineModel<P = undefined, M = void>(
  build: ModelBuilder<P, M>,
  options: DefineModelOptions<P> = {},
): ModelDefinition<P, M> {
  if (typeof build !== 'function') {
    throw invalidArgument('defineModel(build)', 'build must be a function (sim, params) => model', build);
  }
  return new ModelDefinition(build, options);
}
