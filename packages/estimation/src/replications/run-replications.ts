import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ModelDefinition, type Simulation, type SimulationSnapshot, TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys, requireInteger } from '@twinkit/core/internal';
import { Piscina } from 'piscina';
import {
  type ConfidenceInterval,
  checkConfidence,
  confidenceInterval,
} from '../confidence-interval/confidence-interval';
import { SequentialStopper } from '../sequential-stopping/sequential-stopping';
import {
  INSIDE_REPLICATION_WORKER,
  isTypeScriptModule,
  type OutputFunction,
  type ReplicationPlan,
  type ReplicationRecord,
  type ReplicationTask,
  runReplication,
} from './replication-task';

/** Progress of a Monte Carlo run, reported after every block of replications. */
export interface ReplicationProgress {
  /** Replications finished so far. */
  completed: number;
  /** Replications planned (the cap when a stopping rule is given). */
  total: number;
}

/** Run until the interval of one output is precise enough (`replications` is then the cap). */
export interface StoppingRule {
  /** The output whose interval decides. */
  output: string;
  /** Target relative error γ (stop when halfWidth/|mean| <= γ/(1 + γ)). */
  relativePrecision: number;
  /** Replications before the rule is checked (>= 2); default 10. */
  minReplications?: number;
}

/** Options of {@link runReplications}. */
export interface RunReplicationsOptions<P, M> {
  /** Number of replications (>= 2), or the cap when `stopping` is given. */
  replications: number;
  /** Master seed; replication i uses substream i of every stream. Default 0. */
  seed?: number | string;
  /**
   * Start every replication from this snapshot of a simulation of `model` (`sim.snapshot()`)
   * instead of creating the model: replication i is `model.restore(from, { replication: i })`, one
   * possible future of the snapshotted state (replication `from.replication` continues the saved
   * streams, the others switch to their own). This is Monte Carlo from a twin's present state. The
   * model needs snapshot hooks; the seed comes from the snapshot (omit `seed`); `params`, if given,
   * replace the saved parameters (`restore(from, { replication: i, params })`: a what-if from the
   * present, which the definition's `restoreState` hook must accept); `until` and `warmup` are times on
   * the snapshot's clock, at or after `from.time`.
   */
  from?: SimulationSnapshot;
  /** Parameters of the model (structured-cloneable when `workers > 1`). */
  params?: P;
  /** Run every replication until this time; without it, until its calendar is empty. */
  until?: number;
  /** Warm-up period: run to this time, call `onWarmupEnd`, then continue to `until`. */
  warmup?: number;
  /** Called at the end of the warm-up, typically to reset statistics (`(sim) => sim.model.waits.reset()`). */
  onWarmupEnd?: (sim: Simulation<M>) => void;
  /**
   * Maps a finished simulation to named numbers. With `workers > 1` it is sent to the workers as
   * source text: write it as a self-contained arrow function that uses only its argument.
   */
  outputs: OutputFunction<M>;
  /** Worker threads (default 1: run on this thread). With more, the definition is loaded from its module. */
  workers?: number;
  /** Called after every finished block of replications. */
  onProgress?: (progress: ReplicationProgress) => void;
  /** Confidence of the intervals; default 0.95. */
  confidence?: number;
  /** Sequential stopping on the precision of one output. */
  stopping?: StoppingRule;
  /** Replications per task sent to a worker; default chosen from the replications and workers. */
  blockSize?: number;
  /**
   * Index of the first replication (default 0): the run is replications `firstReplication` to
   * `firstReplication + replications − 1`, each the same as in a run from 0. A study can so be
   * extended in rounds without running a replication twice.
   */
  firstReplication?: number;
  /**
   * Worker threads kept by the caller ({@link startReplicationWorkers}): the replications run
   * there (never on this thread, even with one worker), and the threads stay up for the next run.
   * `workers` must then be omitted.
   */
  pool?: ReplicationWorkers;
  /**
   * Where the blocks of replications run instead of this process's threads: an executor such as
   * `bullmqExecutor(...)` of `@twinkit/estimation/bullmq`, which sends them to worker processes on
   * any machine through a queue. Results are the same as on this thread, whatever runs them.
   * `workers` and `pool` must then be omitted; `blockSize` defaults to the executor's `batchSize`.
   */
  executor?: ReplicationExecutor;
  /**
   * Cancels the run: no further block is started, the blocks not yet running are withdrawn (an
   * executor removes the experiment's pending jobs), and the run rejects with `signal.reason`.
   */
  signal?: AbortSignal;
}

/**
 * Where blocks of replications run: implemented by `bullmqExecutor` (`@twinkit/estimation/bullmq`);
 * by default they run on this process's worker threads. A block is a {@link ReplicationTask}: plain
 * data naming the model by module and export, so any process that can import the module runs it.
 */
export interface ReplicationExecutor {
  /** A short name for errors (`'bullmq queue twinkit at redis://127.0.0.1:6379'`). */
  readonly name: string;
  /** How many blocks a run keeps in flight at once. */
  readonly inFlight: number;
  /** Replications per block (the default `blockSize` of a run on this executor). */
  readonly batchSize: number;
  /**
   * Runs one block; resolves with its records in replication order, or rejects with the error of
   * the replication that failed. With `signal` aborted, withdraws the block if it has not started.
   */
  run(task: ReplicationTask, options: { readonly signal?: AbortSignal }): Promise<ReplicationRecord[]>;
  /** Releases the executor's connections (its workers elsewhere keep running). */
  close(): Promise<void>;
}

/** Results of one output over the replications. */
export interface OutputSummary extends ConfidenceInterval {
  /** The value of every replication, in replication order. */
  values: number[];
}

/** What {@link runReplications} returns. */
export interface ReplicationResults {
  /** Replications used (all of them, or up to where the stopping rule stopped). */
  replications: number;
  /** Master seed. */
  seed: number | string;
  /** Why the run ended: all replications done, or the stopping rule (precision reached, or the cap). */
  stoppedBy: 'replications' | 'precision' | 'cap';
  /** Per output: mean, standard deviation, t-based interval and the raw values. */
  outputs: Record<string, OutputSummary>;
}

/**
 * How to start worker threads that can import `moduleUrl`: the worker file next to this module and,
 * for TypeScript (the twinkit sources, or a .ts model), tsx's loader and ESM API.
 *
 * @internal Shared with the BullMQ worker process.
 */
export function workerSetup(moduleUrl: string): {
  filename: string;
  execArgv: string[];
  tsxApi: string | undefined;
} {
  const own = import.meta.url;
  const extension = own.endsWith('.ts') ? '.ts' : own.endsWith('.cjs') ? '.cjs' : '.js';
  const filename = new URL(`./replication-worker${extension}`, own).href;
  const fromSource = extension === '.ts';
  if (!fromSource && !isTypeScriptModule(moduleUrl)) return { filename, execArgv: [], tsxApi: undefined };
  let loader: string;
  let tsxApi: string;
  try {
    const require = createRequire(own);
    loader = pathToFileURL(require.resolve('tsx')).href;
    // The ESM build of tsx's API (`tsx/esm/api` under the import condition) sits next to its loader;
    // require.resolve would give the CJS build, whose register() does not work from an ESM import.
    tsxApi = new URL('./esm/api/index.mjs', loader).href;
    if (!existsSync(fileURLToPath(tsxApi))) throw new Error(`tsx's ESM API is not at ${tsxApi}`);
  } catch (cause) {
    throw new TwinkitError(
      `runReplications: worker threads must load TypeScript (${fromSource ? 'the twinkit sources' : moduleUrl}) and need the tsx loader, which was not found. ` +
        'Install it (npm install -D tsx) or build the model module to JavaScript.',
      { code: 'UNSUPPORTED', cause },
    );
  }
  // From the sources (tests, the repository), sibling packages resolve through the @twinkit/source condition.
  return {
    filename,
    execArgv: ['--import', loader, ...(fromSource ? ['--conditions=@twinkit/source'] : [])],
    tsxApi: isTypeScriptModule(moduleUrl) ? tsxApi : undefined,
  };
}

/** Throws unless `options.from` can start the replications of `model`. */
function checkFrom<P, M>(
  api: string,
  model: ModelDefinition<P, M>,
  options: RunReplicationsOptions<P, M>,
): void {
  const from = options.from!;
  if (!model.hasSnapshot) {
    throw invalidArgument(
      api,
      'from needs a model definition with snapshot hooks',
      model.name ?? '(unnamed definition)',
      'Give defineModel snapshot: { saveState, restoreState }, or run replications from the start (omit from).',
    );
  }
  if (from === null || typeof from !== 'object' || typeof from.time !== 'number') {
    throw invalidArgument(api, 'from must be a snapshot returned by sim.snapshot()', from);
  }
  if (options.seed !== undefined) {
    throw invalidArgument(
      api,
      'seed must be omitted with from: the snapshot carries it',
      options.seed,
      "Leave seed out; restore(from) uses the snapshot's.",
    );
  }
  for (const key of ['until', 'warmup'] as const) {
    const time = options[key];
    if (time !== undefined && time < from.time) {
      throw invalidArgument(
        api,
        `${key} must not be before the snapshot's time ${from.time}: times are on the snapshot's clock`,
        time,
        `Pass e.g. ${key}: from.time + horizon.`,
      );
    }
  }
}

function functionSource(fn: unknown, what: string): string {
  if (typeof fn !== 'function')
    throw invalidArgument('runReplications(model, options)', `${what} must be a function`, fn);
  return fn.toString();
}

/**
 * Runs a model definition for N independent replications (replication i uses substream i of every
 * stream) and reports, per output, the mean, standard deviation, t-based confidence interval and raw
 * values. With `workers > 1` the replications run on worker threads that load the definition from
 * its module; the results are identical whatever the number of workers. With `from` (a snapshot of
 * a simulation of the model) every replication starts from that state instead of the model's start:
 * Monte Carlo from a twin's present.
 *
 * @example
 * ```ts
 * export const queue = defineModel(buildQueue, { name: 'queue', module: import.meta.url });
 * const results = await runReplications(queue, {
 *   replications: 30, seed: 7, until: 1000, workers: 2,
 *   outputs: (sim) => ({ meanWait: sim.model.waits.mean }),
 * });
 * results.outputs.meanWait.lower; // 95% interval
 * ```
 */
export async function runReplications<P, M>(
  model: ModelDefinition<P, M>,
  options: RunReplicationsOptions<P, M>,
): Promise<ReplicationResults> {
  rejectUnknownKeys(
    'runReplications(model, options)',
    options,
    RUN_REPLICATIONS_OPTION_KEYS,
    '{ replications: 30, until: 1000, outputs: (sim) => ({ ... }) }',
  );
  return runReplicationsOn(model, options, null);
}

/** The keys of {@link RunReplicationsOptions}. @internal */
export const RUN_REPLICATIONS_OPTION_KEYS: readonly string[] = [
  'replications',
  'seed',
  'from',
  'params',
  'until',
  'warmup',
  'onWarmupEnd',
  'outputs',
  'workers',
  'onProgress',
  'confidence',
  'stopping',
  'blockSize',
  'firstReplication',
  'pool',
  'executor',
  'signal',
];

/**
 * Worker threads that load one model's module, kept for several runs (the scenarios of a study):
 * starting threads and compiling the model in them costs about a second each time.
 *
 * @internal Made by compareScenarios; not exported from the package.
 */
export interface ReplicationPool {
  readonly piscina: Piscina;
  readonly tsxApi: string | undefined;
  destroy(): Promise<void>;
}

/**
 * Starts `workers` worker threads for `model` (see {@link ReplicationPool}).
 *
 * @internal
 */
export function createReplicationPool<P, M>(
  api: string,
  model: ModelDefinition<P, M>,
  workers: number,
): ReplicationPool {
  if (typeof model.module !== 'string' || typeof model.name !== 'string') {
    throw invalidArgument(
      api,
      'with workers > 1 the model must be defined with its export name and module URL',
      { name: model.name, module: model.module },
      "Define and export it as: export const queue = defineModel(build, { name: 'queue', module: import.meta.url }).",
    );
  }
  const { filename, execArgv, tsxApi } = workerSetup(model.module);
  const piscina = new Piscina({
    filename,
    execArgv,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 1000,
  });
  return { piscina, tsxApi, destroy: () => piscina.destroy() };
}

const POOLS = new WeakMap<
  ReplicationWorkers,
  { pool: ReplicationPool; model: ModelDefinition<never, never> }
>();

/**
 * Worker threads for the replications of one model, kept up between runs (see
 * {@link startReplicationWorkers}): pass it as `pool` to {@link runReplications} or
 * {@link compareScenarios}; `close()` stops the threads.
 */
export interface ReplicationWorkers {
  /** The number of worker threads. */
  readonly workers: number;
  /** Stops the threads (a run in progress fails). */
  close(): Promise<void>;
}

/**
 * Starts worker threads that load `model` from its module, for several runs: a live twin asks
 * what-ifs now and then and must never run them on its own thread, nor pay a second of thread
 * start-up for each. The model must be defined with its export name and module URL.
 *
 * @example
 * ```ts
 * const pool = startReplicationWorkers(queue, { workers: 1 });
 * try {
 *   const a = await runReplications(queue, { replications: 10, until: 100, pool, outputs: (sim) => ({ w: sim.model.waits.mean }) });
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export function startReplicationWorkers<P, M>(
  model: ModelDefinition<P, M>,
  options: { readonly workers: number },
): ReplicationWorkers {
  const api = 'startReplicationWorkers(model, options)';
  rejectUnknownKeys(api, options, ['workers'], '{ workers: 1 }');
  const workers = requireInteger(api, 'workers', options?.workers, 1);
  const pool = createReplicationPool(api, model, workers);
  let closing: Promise<void> | undefined;
  const handle: ReplicationWorkers = {
    workers,
    close: () => {
      closing ??= pool.destroy();
      return closing;
    },
  };
  POOLS.set(handle, { pool, model: model as unknown as ModelDefinition<never, never> });
  return handle;
}

/** The pool behind a {@link ReplicationWorkers} handle, checked against the model. @internal */
export function poolOf<P, M>(
  api: string,
  model: ModelDefinition<P, M>,
  handle: ReplicationWorkers,
): ReplicationPool {
  const entry = POOLS.get(handle);
  if (entry === undefined)
    throw invalidArgument(api, 'pool must come from startReplicationWorkers(model, { workers })', handle);
  if (entry.model !== (model as unknown))
    throw invalidArgument(
      api,
      'pool was started for another model',
      model.name ?? '(unnamed definition)',
      'Start the pool with the model you run.',
    );
  return entry.pool;
}

/**
 * {@link runReplications} on a pool of worker threads that the caller keeps (`shared`), or on its
 * own pool (or this thread) when `shared` is null.
 *
 * @internal
 */
export async function runReplicationsOn<P, M>(
  model: ModelDefinition<P, M>,
  options: RunReplicationsOptions<P, M>,
  shared: ReplicationPool | null,
): Promise<ReplicationResults> {
  const api = 'runReplications(model, options)';
  if ((globalThis as Record<symbol, unknown>)[INSIDE_REPLICATION_WORKER] === true) {
    throw new TwinkitError(
      `${api}: called while a worker thread imported the model's module, so the module runs an experiment when it is imported. ` +
        "Define models in a module of their own, or guard the experiment: import { isMainThread } from 'node:worker_threads'; if (isMainThread) { ... }.",
      { code: 'INVALID_STATE' },
    );
  }
  if (
    model === null ||
    typeof model !== 'object' ||
    typeof (model as { create?: unknown }).create !== 'function'
  ) {
    throw invalidArgument(
      api,
      'model must be a definition from defineModel',
      model,
      'Pass defineModel((sim, params) => ..., { name, module: import.meta.url }).',
    );
  }
  if (typeof options?.replications !== 'number' || options.replications < 2) {
    throw new TwinkitError(
      `${api}: replications must be an integer >= 2, got ${formatValue(options?.replications)}: fewer than two replications cannot give a confidence interval (no variance estimate). Pass replications: 2 or more (10 to 30 is usual).`,
      { code: 'INVALID_ARGUMENT', details: { value: options?.replications } },
    );
  }
  const cap = requireInteger(api, 'replications', options.replications, 2);
  const offset = requireInteger(api, 'firstReplication', options.firstReplication ?? 0, 0);
  if (options.pool !== undefined) {
    if (options.workers !== undefined)
      throw invalidArgument(
        api,
        'workers must be omitted with pool: the pool has its threads',
        options.workers,
        'Leave workers out, or leave pool out.',
      );
    shared ??= poolOf(api, model, options.pool);
  }
  const executor = options.executor;
  if (executor !== undefined) {
    if (
      executor === null ||
      typeof executor !== 'object' ||
      typeof executor.run !== 'function' ||
      !(Number.isInteger(executor.inFlight) && executor.inFlight >= 1)
    )
      throw invalidArgument(api, 'executor must be an executor such as bullmqExecutor(...)', executor);
    for (const key of ['workers', 'pool'] as const)
      if (options[key] !== undefined)
        throw invalidArgument(
          api,
          `${key} must be omitted with executor: the executor decides where the replications run`,
          options[key],
          `Leave ${key} out, or leave executor out.`,
        );
    if (typeof model.module !== 'string' || typeof model.name !== 'string')
      throw invalidArgument(
        api,
        'with an executor the model must be defined with its export name and module URL',
        { name: model.name, module: model.module },
        "Define and export it as: export const queue = defineModel(build, { name: 'queue', module: import.meta.url }).",
      );
  }
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw invalidArgument(api, 'signal must be an AbortSignal', signal, 'Pass new AbortController().signal.');
  signal?.throwIfAborted();
  const workers =
    executor !== undefined
      ? executor.inFlight
      : options.pool !== undefined
        ? options.pool.workers
        : requireInteger(api, 'workers', options.workers ?? 1, 1, 'Pass 1 to run on this thread.');
  const confidence = checkConfidence(api, options.confidence ?? 0.95);
  const from = options.from;
  if (from !== undefined) checkFrom(api, model, options);
  const seed = from?.seed ?? options.seed ?? 0;
  if (options.until !== undefined && !(Number.isFinite(options.until) && options.until >= 0)) {
    throw invalidArgument(api, 'until must be a finite time >= 0', options.until);
  }
  if (options.warmup !== undefined) {
    if (!(Number.isFinite(options.warmup) && options.warmup >= 0))
      throw invalidArgument(api, 'warmup must be a finite time >= 0', options.warmup);
    if (options.until !== undefined && options.warmup > options.until) {
      throw invalidArgument(
        api,
        `warmup must not exceed until (${options.until})`,
        options.warmup,
        'Shorten the warm-up or run longer.',
      );
    }
  }
  const outputsSource = functionSource(options.outputs, 'outputs');
  const warmupSource =
    options.onWarmupEnd === undefined ? undefined : functionSource(options.onWarmupEnd, 'onWarmupEnd');
  let stopper: SequentialStopper | null = null;
  if (options.stopping !== undefined) {
    rejectUnknownKeys(`${api.slice(0, -8)}{ stopping })`, options.stopping, [
      'output',
      'relativePrecision',
      'minReplications',
    ]);
    stopper = new SequentialStopper({
      relativePrecision: options.stopping.relativePrecision,
      minReplications: Math.min(options.stopping.minReplications ?? 10, cap),
      maxReplications: cap,
      confidence,
    });
  }
  const blockSize = requireInteger(
    api,
    'blockSize',
    options.blockSize ??
      executor?.batchSize ??
      Math.max(1, Math.min(stopper ? 4 : 64, Math.floor(cap / (workers * 4)))),
    1,
  );

  const records: (Record<string, number> | undefined)[] = new Array(cap);
  let contiguous = 0;
  let completed = 0;
  let stopAt: number | null = null;
  let stoppedBy: ReplicationResults['stoppedBy'] = 'replications';
  const accept = (block: ReplicationRecord[]) => {
    for (const record of block) records[record.index - offset] = record.values;
    completed += block.length;
    while (stopAt === null && contiguous < cap && records[contiguous] !== undefined) {
      contiguous++;
      if (stopper !== null) {
        const values = records[contiguous - 1]!;
        const value = values[options.stopping!.output];
        if (value === undefined) {
          throw invalidArgument(
            api,
            `stopping.output must name an output, one of ${Object.keys(values).join(', ')}`,
            options.stopping!.output,
          );
        }
        const step = stopper.add(value);
        if (step.stop) {
          stopAt = contiguous;
          stoppedBy = step.reason!;
        }
      }
    }
    if (stopAt === null && contiguous === cap) stopAt = cap;
    options.onProgress?.({ completed: Math.min(completed, cap), total: cap });
  };

  if (workers === 1 && shared === null && executor === undefined) {
    const plan: ReplicationPlan<P, M> = {
      model,
      seed,
      params: options.params,
      from,
      until: options.until,
      warmup: options.warmup,
      onWarmupEnd: options.onWarmupEnd,
      outputs: options.outputs,
    };
    for (let first = 0; first < cap && stopAt === null; first += blockSize) {
      signal?.throwIfAborted();
      const block: ReplicationRecord[] = [];
      for (let i = first; i < Math.min(cap, first + blockSize); i++)
        block.push(runReplication(plan, offset + i));
      accept(block);
      // Let timers and I/O (progress bars, sockets) run between blocks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } else {
    const own = shared === null && executor === undefined ? createReplicationPool(api, model, workers) : null;
    const threads = own ?? shared;
    const tsxApi = threads?.tsxApi;
    // Twice as many blocks in flight as threads (or the executor's window): none waits for the next.
    const inFlight = executor !== undefined ? executor.inFlight : workers * 2;
    const runBlock = (t: ReplicationTask): Promise<ReplicationRecord[]> =>
      executor !== undefined
        ? executor.run(t, signal === undefined ? {} : { signal })
        : (threads as ReplicationPool).piscina.run(t, signal === undefined ? {} : { signal });
    const task = (first: number, count: number): ReplicationTask => ({
      tsxApi,
      module: model.module!,
      exportName: model.name!,
      seed,
      params: options.params,
      from,
      until: options.until,
      warmup: options.warmup,
      first: offset + first,
      count,
      outputsSource,
      warmupSource,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let next = 0;
        let active = 0;
        let failure: unknown = null;
        const settle = () => {
          if (active > 0) return;
          if (signal?.aborted) reject(signal.reason);
          else if (failure !== null) reject(failure);
          else if (stopAt !== null || next >= cap) resolve();
        };
        const launch = () => {
          while (failure === null && stopAt === null && next < cap && active < inFlight && !signal?.aborted) {
            const first = next;
            const count = Math.min(blockSize, cap - first);
            next += count;
            active++;
            runBlock(task(first, count)).then(
              (block: ReplicationRecord[]) => {
                active--;
                if (failure === null) {
                  try {
                    accept(block);
                  } catch (error) {
                    failure = error;
                  }
                }
                launch();
                settle();
              },
              (error: unknown) => {
                active--;
                failure ??= error;
                settle();
              },
            );
          }
        };
        signal?.addEventListener('abort', settle, { once: true });
        launch();
        settle();
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof TwinkitError) throw error;
      const message = error instanceof Error ? error.message : formatValue(error);
      throw new TwinkitError(
        `runReplications: ${executor !== undefined ? executor.name : 'a worker'} failed: ${message}`,
        {
          code: 'UNHANDLED_FAILURE',
          cause: error,
        },
      );
    } finally {
      await own?.destroy();
    }
  }

  const used = stopAt ?? cap;
  const firstRecord = records[0]!;
  const names = Object.keys(firstRecord);
  const outputs: Record<string, OutputSummary> = {};
  for (const name of names) {
    const values: number[] = [];
    for (let i = 0; i < used; i++) {
      const value = records[i]![name];
      if (value === undefined) {
        throw new TwinkitError(
          `runReplications: replication ${i} did not return output '${name}' (replication 0 did). Return the same outputs from every replication.`,
          { code: 'INVALID_ARGUMENT', details: { replication: i, output: name } },
        );
      }
      values.push(value);
    }
    outputs[name] = { ...confidenceInterval(values, confidence), values };
  }
  return { replications: used, seed, stoppedBy, outputs };
}
