/**
 * The worker-thread side of runReplications (loaded by piscina): imports the model definition from
 * its module once, then runs the blocks of replications it is sent.
 *
 * Internal to the package. (Not tagged internal: on a file comment that tag strips the next import.)
 */
import type { ModelDefinition, Simulation } from '@twinkit/core';
import { TwinkitError } from '@twinkit/core';
import {
  INSIDE_REPLICATION_WORKER,
  isTypeScriptModule,
  type OutputFunction,
  type ReplicationRecord,
  type ReplicationTask,
  reviveFunction,
  runReplication,
} from './replication-task';

let typescriptHooks: Promise<void> | null = null;

/**
 * Imports the model's module. For a TypeScript module the worker first registers tsx's ESM hooks
 * in this thread: on Node 20 the `--import tsx` of a worker's execArgv does not reach the ESM
 * loader of worker threads (a dynamic `import()` of a .ts file fails with ERR_UNKNOWN_FILE_EXTENSION),
 * and loading through `require` instead would break modules with top-level await.
 */
async function importModule(url: string, tsxApi: string | undefined): Promise<Record<string, unknown>> {
  if (isTypeScriptModule(url) && tsxApi !== undefined) {
    typescriptHooks ??= import(tsxApi).then((api: { register: () => unknown }) => {
      api.register();
    });
    await typescriptHooks;
  }
  return (await import(url)) as Record<string, unknown>;
}

const definitions = new Map<string, Promise<ModelDefinition<unknown, unknown>>>();
const functions = new Map<string, unknown>();

async function loadDefinition(
  module: string,
  exportName: string,
  tsxApi: string | undefined,
): Promise<ModelDefinition<unknown, unknown>> {
  const key = `${module}#${exportName}`;
  let loaded = definitions.get(key);
  if (loaded === undefined) {
    (globalThis as Record<symbol, unknown>)[INSIDE_REPLICATION_WORKER] = true;
    loaded = importModule(module, tsxApi).then((namespace) => {
      const definition = namespace[exportName] as ModelDefinition<unknown, unknown> | undefined;
      if (definition === undefined || typeof definition?.create !== 'function') {
        throw new TwinkitError(
          `runReplications (worker): module ${module} has no model definition exported as '${exportName}'. ` +
            `Export it under its name: export const ${exportName} = defineModel(build, { name: '${exportName}', module: import.meta.url }).`,
          { code: 'NOT_FOUND', details: { module, exportName } },
        );
      }
      return definition;
    });
    definitions.set(key, loaded);
  }
  return loaded;
}

function revive<F>(source: string, what: string): F {
  let fn = functions.get(source);
  if (fn === undefined) {
    fn = reviveFunction<F>(source, what);
    functions.set(source, fn);
  }
  return fn as F;
}

/** Runs one block of replications. */
export default async function runTask(task: ReplicationTask): Promise<ReplicationRecord[]> {
  const model = await loadDefinition(task.module, task.exportName, task.tsxApi);
  const outputs = revive<OutputFunction<unknown>>(task.outputsSource, 'outputs');
  const onWarmupEnd =
    task.warmupSource === undefined
      ? undefined
      : revive<(sim: Simulation<unknown>) => void>(task.warmupSource, 'onWarmupEnd');
  const plan = {
    model,
    seed: task.seed,
    params: task.params,
    from: task.from,
    until: task.until,
    warmup: task.warmup,
    onWarmupEnd,
    outputs,
  };
  const records: ReplicationRecord[] = [];
  for (let i = 0; i < task.count; i++) {
    const index = task.first + i;
    try {
      records.push(runReplication(plan, index));
    } catch (error) {
      // The error names the replication that raised it, wherever it ran.
      if (error instanceof TwinkitError && error.details?.replication === index) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new TwinkitError(`replication ${index} threw: ${message}`, {
        code: 'UNHANDLED_FAILURE',
        cause: error,
        details: { replication: index },
      });
    }
  }
  return records;
}
