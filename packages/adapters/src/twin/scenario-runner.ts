/**
 * The twin's what-ifs: the present snapshotted on the twin's thread, the replications on worker
 * threads kept by the twin (not exported from the package).
 */
import type { ModelDefinition, SimulationSnapshot } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import {
  compareScenarios,
  confidenceInterval,
  type ReplicationWorkers,
  startReplicationWorkers,
} from '@twinkit/estimation';
import type { IntervalSummary, ScenarioRequest, ScenarioResult, TwinScenarioOptions } from './types';

const API = 'twin.scenario(request)';
/** Replications of the first round when `targetHalfWidth` is given. */
export const FIRST_ROUND = 10;

/** Checks a scenario request; returns the named parameter overrides (without the baseline). */
export function checkRequest<P>(request: ScenarioRequest<P>): Record<string, Partial<P>> {
  if (request === null || typeof request !== 'object')
    throw invalidArgument(API, 'request must be { horizonH, replications, params? | scenarios? }', request);
  rejectUnknownKeys(
    API,
    request,
    ['params', 'scenarios', 'horizonH', 'replications', 'targetHalfWidth'],
    '{ params: { technicians: 3 }, horizonH: 24, replications: 20 }',
  );
  if (typeof request.horizonH !== 'number' || !Number.isFinite(request.horizonH) || request.horizonH <= 0)
    throw invalidArgument(API, 'horizonH (hours ahead) must be a finite number > 0', request.horizonH);
  if (!Number.isInteger(request.replications) || request.replications < 2)
    throw invalidArgument(
      API,
      'replications must be an integer >= 2 (an interval needs two)',
      request.replications,
      'Pass 10 to 30; with targetHalfWidth it is the cap.',
    );
  if (
    request.targetHalfWidth !== undefined &&
    !(
      typeof request.targetHalfWidth === 'number' &&
      Number.isFinite(request.targetHalfWidth) &&
      request.targetHalfWidth > 0
    )
  )
    throw invalidArgument(API, 'targetHalfWidth must be a finite number > 0', request.targetHalfWidth);
  const named: Record<string, Partial<P>> = {};
  if (request.params !== undefined) {
    if (request.params === null || typeof request.params !== 'object')
      throw invalidArgument(API, 'params must be an object of parameter overrides', request.params);
    named.scenario = request.params;
  }
  if (request.scenarios !== undefined) {
    if (request.scenarios === null || typeof request.scenarios !== 'object')
      throw invalidArgument(API, 'scenarios must map names to parameter overrides', request.scenarios);
    for (const [name, p] of Object.entries(request.scenarios)) {
      if (name === 'baseline')
        throw invalidArgument(
          API,
          "'baseline' is the twin's own parameters; name the scenario otherwise",
          name,
        );
      if (name in named) throw invalidArgument(API, `scenario '${name}' is given twice`, name);
      if (p === null || typeof p !== 'object')
        throw invalidArgument(`${API}: scenarios['${name}']`, 'must be an object of parameter overrides', p);
      named[name] = p;
    }
  }
  if (Object.keys(named).length === 0)
    throw invalidArgument(
      API,
      'needs params or scenarios to compare with the baseline',
      request,
      'Pass { params: { ... } }.',
    );
  return named;
}

function interval(values: readonly number[]): IntervalSummary {
  const ci = confidenceInterval(values, 0.95);
  return { mean: ci.mean, lower: ci.lower, upper: ci.upper, halfWidth: ci.halfWidth };
}

/** What a scenario run needs from the twin. */
export interface ScenarioPlan<P, M> {
  model: ModelDefinition<P, M>;
  options: TwinScenarioOptions<M>;
  params: P | undefined;
  snapshot: SimulationSnapshot;
  /** The snapshot's instant on the calendar, ISO-8601. */
  from: string;
  unitMs: number;
  pool: () => ReplicationWorkers;
}

/**
 * Runs a checked request from a snapshot: every scenario from the same present, common random
 * numbers (replication i of every scenario sees the same draws), on the twin's worker threads.
 * With a target half-width, in rounds: all scenarios always at the same replication count.
 */
export async function runScenario<P, M>(
  plan: ScenarioPlan<P, M>,
  request: ScenarioRequest<P>,
  named: Record<string, Partial<P>>,
  id: string,
): Promise<ScenarioResult> {
  const started = performance.now();
  const base = (plan.params ?? {}) as P;
  const scenarios: Record<string, P> = { baseline: base };
  for (const [name, p] of Object.entries(named)) scenarios[name] = { ...base, ...p };
  const until = plan.snapshot.time + (request.horizonH * 3_600_000) / plan.unitMs;
  const values: Record<string, Record<string, number[]>> = {};
  const names = Object.keys(scenarios);
  const cap = request.replications;
  const target = request.targetHalfWidth;
  const primary = plan.options.primary;
  let n = 0;
  let stoppedBy: ScenarioResult['stoppedBy'] = 'replications';
  let want = target === undefined ? cap : Math.min(cap, FIRST_ROUND);
  for (;;) {
    // A round needs two replications at least: with one left, it runs the last two and keeps one.
    const first = want - n >= 2 ? n : want - 2;
    const study = await compareScenarios(plan.model, {
      scenarios,
      from: plan.snapshot,
      until,
      replications: want - first,
      firstReplication: first,
      outputs: plan.options.outputs,
      pool: plan.pool(),
    });
    for (const name of names) {
      const outputs = study.scenarios[name]?.outputs ?? {};
      const into = values[name] ?? {};
      values[name] = into;
      for (const [output, summary] of Object.entries(outputs)) {
        const kept = into[output] ?? [];
        into[output] = kept;
        kept.push(...summary.values.slice(n - first));
      }
    }
    n = want;
    if (target === undefined) break;
    const outputNames = Object.keys(values.baseline ?? {});
    if (primary === undefined || !outputNames.includes(primary))
      throw invalidArgument(
        `${API}: targetHalfWidth`,
        `needs scenarios.primary to name an output (${outputNames.join(', ')})`,
        primary,
        "Pass createTwin({ scenarios: { outputs, primary: 'throughput' } }).",
      );
    const widest = Math.max(...names.map((name) => interval(values[name]?.[primary] ?? []).halfWidth));
    if (widest <= target) {
      stoppedBy = 'precision';
      break;
    }
    if (n >= cap) {
      stoppedBy = 'cap';
      break;
    }
    // The replications the widest interval needs if its sd holds (Law & Kelton's approximation).
    want = Math.min(cap, Math.max(n + 2, Math.ceil(n * (widest / target) ** 2)));
  }
  const result: Record<string, Record<string, IntervalSummary>> = {};
  const differences: Record<string, Record<string, IntervalSummary>> = {};
  const baseline = values.baseline ?? {};
  for (const name of names) {
    result[name] = {};
    for (const [output, v] of Object.entries(values[name] ?? {}))
      (result[name] as Record<string, IntervalSummary>)[output] = interval(v);
    if (name === 'baseline') continue;
    differences[name] = {};
    for (const [output, v] of Object.entries(values[name] ?? {})) {
      const b = baseline[output] ?? [];
      (differences[name] as Record<string, IntervalSummary>)[output] = interval(
        v.map((x, i) => x - (b[i] as number)),
      );
    }
  }
  return {
    id,
    from: plan.from,
    horizonH: request.horizonH,
    replications: n,
    stoppedBy,
    scenarios: result,
    differences,
    elapsedMs: performance.now() - started,
  };
}

/** Starts the twin's worker threads on first use. */
export function lazyPool<P, M>(
  model: ModelDefinition<P, M>,
  workers: number,
): {
  get: () => ReplicationWorkers;
  close: () => Promise<void>;
} {
  let pool: ReplicationWorkers | undefined;
  return {
    get: () => {
      pool ??= startReplicationWorkers(model, { workers });
      return pool;
    },
    close: async () => {
      await pool?.close();
      pool = undefined;
    },
  };
}
