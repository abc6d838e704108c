/**
 * One block of replications, run the same way on the main thread and on worker threads, so that
 * results do not depend on the number of workers.
 *
 * Internal to the package. (Not tagged internal: on a file comment that tag strips the next import.)
 */

import type { ModelDefinition, Simulation, SimulationSnapshot } from '@twinkit/core';
import { TwinkitError } from '@twinkit/core';
import { formatValue } from '@twinkit/core/internal';

/** Maps a finished simulation to named numbers. */
export type OutputFunction<M> = (sim: Simulation<M>) => Record<string, number>;

/** Marks a worker thread that imports model modules (global symbol, set before the import). */
export const INSIDE_REPLICATION_WORKER: unique symbol = Symbol.for('twinkit.estimation.replicationWorker');

/**
 * A block of replications as plain data: what a worker thread, or a worker process on another
 * machine, needs to run it. The model is named by its module and export; the functions travel as
 * source text.
 */
export interface ReplicationTask {
  /** URL of tsx's ESM API, when the model module is TypeScript (worker threads of this process only). */
  tsxApi: string | undefined;
  /** The model's module (`import.meta.url` of its definition, or a package specifier). */
  module: string;
  /** The name the module exports the definition under. */
  exportName: string;
  /** Master seed. */
  seed: number | string;
  /** The parameters (structured-cloneable). */
  params: unknown;
  /** The snapshot every replication starts from, if any. */
  from: SimulationSnapshot | undefined;
  /** Run until this time (undefined: until the calendar is empty). */
  until: number | undefined;
  /** Warm-up end, if any. */
  warmup: number | undefined;
  /** Index of the block's first replication. */
  first: number;
  /** Replications in the block. */
  count: number;
  /** Source text of the outputs function. */
  outputsSource: string;
  /** Source text of the warm-up hook, if any. */
  warmupSource: string | undefined;
}

/** The outputs of replication `index`. */
export interface ReplicationRecord {
  /** The replication's index. */
  index: number;
  /** Its outputs by name. */
  values: Record<string, number>;
}

/** Everything that runs one replication, whatever thread it is on. */
export interface ReplicationPlan<P, M> {
  model: ModelDefinition<P, M>;
  seed: number | string;
  params: P | undefined;
  /** The snapshot every replication starts from, if any. */
  from: SimulationSnapshot | undefined;
  until: number | undefined;
  warmup: number | undefined;
  onWarmupEnd: ((sim: Simulation<M>) => void) | undefined;
  outputs: OutputFunction<M>;
}

/** Runs replication `index` of a plan and checks its outputs. */
export function runReplication<P, M>(plan: ReplicationPlan<P, M>, index: number): ReplicationRecord {
  const sim =
    plan.from === undefined
      ? plan.model.create({
          seed: plan.seed,
          replication: index,
          ...(plan.params === undefined ? {} : { params: plan.params }),
        })
      : plan.model.restore(plan.from, {
          replication: index,
          ...(plan.params === undefined ? {} : { params: plan.params }),
        });
  if (plan.warmup !== undefined) {
    sim.run({ until: plan.warmup });
    plan.onWarmupEnd?.(sim);
  }
  if (plan.until === undefined) sim.run();
  else sim.run({ until: plan.until });
  const values = plan.outputs(sim);
  if (values === null || typeof values !== 'object') {
    throw new TwinkitError(
      `runReplications: outputs(sim) must return an object of named numbers, got ${formatValue(values)} in replication ${index}. Return e.g. { meanWait: ... }.`,
      { code: 'INVALID_ARGUMENT', details: { replication: index } },
    );
  }
  const checked: Record<string, number> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TwinkitError(
        `runReplications: output '${name}' of replication ${index} must be a finite number, got ${formatValue(value)}. ` +
          'An output that is undefined in a run (e.g. a mean of no observations) needs a longer run or another output.',
        { code: 'INVALID_ARGUMENT', details: { replication: index, output: name, value } },
      );
    }
    checked[name] = value;
  }
  return { index, values: checked };
}

/**
 * Rebuilds a function from its source text on a worker thread. Only self-contained functions
 * (that use nothing but their arguments and globals) survive the trip.
 */
export function reviveFunction<F>(source: string, what: string): F {
  let fn: unknown;
  try {
    fn = new Function(`return (${source});`)();
  } catch (cause) {
    throw new TwinkitError(
      `runReplications: ${what} could not be sent to a worker thread (its source does not parse on its own: ${formatValue(cause)}). ` +
        `Write ${what} as an arrow function, e.g. (sim) => ({ meanWait: sim.model.waits.mean }).`,
      { code: 'UNSUPPORTED', cause },
    );
  }
  if (typeof fn !== 'function') {
    throw new TwinkitError(`runReplications: ${what} must be a function.`, { code: 'INVALID_ARGUMENT' });
  }
  return fn as F;
}

/**
 * Whether a module URL names a TypeScript file (judged on its path, so a query string such as
 * `model.ts?v=2` does not hide the extension).
 *
 * @internal
 */
export function isTypeScriptModule(url: string): boolean {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not a URL: a plain path
  }
  return /\.[cm]?tsx?$/.test(path);
}
