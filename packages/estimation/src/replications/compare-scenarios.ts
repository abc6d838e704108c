import type { ModelDefinition } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import {
  crnVarianceReduction,
  pairwiseComparisons,
  type ScenarioComparison,
  type VarianceReduction,
} from '../scenario-statistics/scenario-statistics';
import {
  createReplicationPool,
  poolOf,
  type ReplicationPool,
  type ReplicationResults,
  RUN_REPLICATIONS_OPTION_KEYS,
  type RunReplicationsOptions,
  runReplicationsOn,
} from './run-replications';

const COMPARE_SCENARIOS_OPTION_KEYS: readonly string[] = [
  ...RUN_REPLICATIONS_OPTION_KEYS.filter((k) => k !== 'params' && k !== 'stopping'),
  'scenarios',
  'commonRandomNumbers',
];

/** Options of {@link compareScenarios}: those of runReplications, with one parameter set per scenario. */
export interface CompareScenariosOptions<P, M>
  extends Omit<RunReplicationsOptions<P, M>, 'params' | 'stopping' | 'onProgress'> {
  /** Parameters of each scenario, by name (at least two). */
  scenarios: Record<string, P>;
  /**
   * Common random numbers (default true): replication i of every scenario uses the same seed and
   * substream i, and differences are judged by paired-t. With false, every scenario gets its own seed
   * and differences are judged by Welch's test.
   */
  commonRandomNumbers?: boolean;
  /** Called after every block of replications of every scenario. */
  onProgress?: (progress: { scenario: string; completed: number; total: number }) => void;
}

/** Comparison of the scenarios on one output. */
export interface OutputComparison {
  /** The confidence that all intervals of this output hold together. */
  familyConfidence: number;
  /** The confidence of each interval (Bonferroni-adjusted for more than two scenarios). */
  perComparisonConfidence: number;
  /** Every pair (first − second), paired-t with CRN, Welch without. */
  comparisons: ScenarioComparison[];
  /**
   * With CRN, per pair `first−second`: how much the common random numbers reduced the variance of the
   * difference; `null` for a pair whose output is constant in both scenarios (there is no variance to
   * reduce, as happens with short runs).
   */
  varianceReduction: Record<string, VarianceReduction | null>;
}

/** What {@link compareScenarios} returns. */
export interface ScenarioComparisonResults {
  /** Whether common random numbers were used. */
  commonRandomNumbers: boolean;
  /** The replications of each scenario. */
  scenarios: Record<string, ReplicationResults>;
  /** Per output, the pairwise comparisons. */
  outputs: Record<string, OutputComparison>;
}

/**
 * Runs every scenario (a parameter set of one model) for the same replications and compares them
 * pairwise on every output: with common random numbers (default), paired-t intervals of the
 * differences and the variance reduction that CRN gave; without, Welch's intervals. More than two
 * scenarios get Bonferroni-adjusted intervals. With `from` (a snapshot), every scenario starts from
 * that state under its own parameters: a comparison from a twin's present (CRN only).
 *
 * @example
 * ```ts
 * const study = await compareScenarios(queue, {
 *   scenarios: { oneServer: { servers: 1 }, twoServers: { servers: 2 } },
 *   replications: 20, seed: 1, until: 500,
 *   outputs: (sim) => ({ meanWait: sim.model.waits.mean }),
 * });
 * study.outputs.meanWait.comparisons[0]; // interval of oneServer − twoServers
 * ```
 */
export async function compareScenarios<P, M>(
  model: ModelDefinition<P, M>,
  options: CompareScenariosOptions<P, M>,
): Promise<ScenarioComparisonResults> {
  const api = 'compareScenarios(model, options)';
  rejectUnknownKeys(
    api,
    options,
    COMPARE_SCENARIOS_OPTION_KEYS,
    '{ scenarios: { a: {...}, b: {...} }, replications: 20, outputs: (sim) => ({ ... }) }',
  );
  const names = Object.keys(options?.scenarios ?? {});
  if (names.length < 2) {
    throw invalidArgument(
      api,
      'scenarios must name at least two parameter sets',
      names,
      'Pass { baseline: {...}, variant: {...} }.',
    );
  }
  const crn = options.commonRandomNumbers ?? true;
  if (options.from !== undefined && !crn) {
    throw invalidArgument(
      api,
      'from needs common random numbers: every scenario restores the same snapshot, whose seed is fixed',
      options.commonRandomNumbers,
      'Omit commonRandomNumbers (or pass true) with from.',
    );
  }
  const seed = options.seed ?? 0;
  const { scenarios, commonRandomNumbers: _crn, onProgress, pool: given, ...common } = options;
  const results: Record<string, ReplicationResults> = {};
  // One pool of worker threads for every scenario: starting threads and compiling the model in them
  // costs about a second per pool.
  // A pool the caller keeps (`pool`) is used for every scenario and left running.
  const workers = options.workers ?? 1;
  if (given !== undefined && options.workers !== undefined)
    throw invalidArgument(
      api,
      'workers must be omitted with pool: the pool has its threads',
      options.workers,
      'Leave workers out, or leave pool out.',
    );
  const kept = given === undefined ? null : poolOf(api, model, given);
  const pool: ReplicationPool | null =
    kept ?? (Number.isInteger(workers) && workers > 1 ? createReplicationPool(api, model, workers) : null);
  try {
    for (const name of names) {
      results[name] = await runReplicationsOn(
        model,
        {
          ...common,
          params: scenarios[name],
          ...(given === undefined ? {} : { workers: given.workers }),
          // Without CRN every scenario draws from its own seed: independent streams. From a
          // snapshot, the snapshot's seed serves every scenario.
          ...(options.from === undefined ? { seed: crn ? seed : `${seed}/${name}` } : {}),
          ...(onProgress === undefined ? {} : { onProgress: (p) => onProgress({ scenario: name, ...p }) }),
        },
        pool,
      );
    }
  } finally {
    if (kept === null) await pool?.destroy();
  }
  const outputNames = Object.keys(results[names[0]!]!.outputs);
  const outputs: Record<string, OutputComparison> = {};
  for (const output of outputNames) {
    const samples: Record<string, number[]> = {};
    for (const name of names) {
      const summary = results[name]!.outputs[output];
      if (summary === undefined) {
        throw invalidArgument(
          api,
          `every scenario must return output '${output}'`,
          name,
          'Return the same outputs from every scenario.',
        );
      }
      samples[name] = summary.values;
    }
    const pairwise = pairwiseComparisons(samples, {
      paired: crn,
      ...(options.confidence === undefined ? {} : { confidence: options.confidence }),
    });
    const varianceReduction: Record<string, VarianceReduction | null> = {};
    if (crn) {
      for (const c of pairwise.comparisons) {
        const a = samples[c.first]!;
        const b = samples[c.second]!;
        varianceReduction[`${c.first}−${c.second}`] =
          isConstant(a) && isConstant(b) ? null : crnVarianceReduction(a, b);
      }
    }
    outputs[output] = { ...pairwise, varianceReduction };
  }
  return { commonRandomNumbers: crn, scenarios: results, outputs };
}

function isConstant(values: readonly number[]): boolean {
  return values.every((v) => v === values[0]);
}
