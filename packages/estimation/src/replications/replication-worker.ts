/**
 * The worker-thread side of runReplications (loaded by piscina): imports the model definition from
 * its module once, then runs the blocks of replications it is sent.
 *
 * @internal
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ModelDefinition, Simulation } from '@twinkit/core';
import { TwinkitError } from '@twinkit/core';
import {
  type OutputFunction,
  type ReplicationRecord,
  type ReplicationTask,
  reviveFunction,
  runReplication,
} from './replication-task';

const TS_MODULE = /\.[cm]?tsx?$/;

/**
 * Imports the model's module. TypeScript modules are loaded through `require`, which tsx's hooks
 * handle inside worker threads; its ESM hooks are not active in workers on Node 20 (a dynamic
 * `import()` of a .ts file fails there with ERR_UNKNOWN_FILE_EXTENSION).
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  if (TS_MODULE.test(url)) return createRequire(url)(fileURLToPath(url)) as Record<string, unknown>;
  return (await import(url)) as Record<string, unknown>;
}

const definitions = new Map<string, Promise<ModelDefinition<unknown, unknown>>>();
const functions = new Map<string, unknown>();

async function loadDefinition(
  module: string,
  exportName: string,
): Promise<ModelDefinition<unknown, unknown>> {
  const key = `${module}#${exportName}`;
  let loaded = definitions.get(key);
  if (loaded === undefined) {
    loaded = importModule(module).then((namespace) => {
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
  const model = await loadDefinition(task.module, task.exportName);
  const outputs = revive<OutputFunction<unknown>>(task.outputsSource, 'outputs');
  const onWarmupEnd =
    task.warmupSource === undefined
      ? undefined
      : revive<(sim: Simulation<unknown>) => void>(task.warmupSource, 'onWarmupEnd');
  const plan = {
    model,
    seed: task.seed,
    params: task.params,
    until: task.until,
    warmup: task.warmup,
    onWarmupEnd,
    outputs,
  };
  const records: ReplicationRecord[] = [];
  for (let i = 0; i < task.count; i++) records.push(runReplication(plan, task.first + i));
  return records;
}
