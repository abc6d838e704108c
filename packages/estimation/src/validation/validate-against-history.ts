import type { ModelDefinition, Simulation } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys, requireInteger } from '@twinkit/core/internal';
import type { OutputFunction } from '../replications/replication-task';
import { runReplications } from '../replications/run-replications';

/**
 * Options of {@link validateAgainstHistory}.
 *
 * @example
 * ```ts
 * const options: ValidateAgainstHistoryOptions<QueueParams, Queue> = {
 *   model: queue, params, until: 43_200,
 *   history: { meanWait: 3.2 },
 *   kpis: (sim) => ({ meanWait: sim.model.server.stats.waitingTime.mean }),
 *   tolerance: 0.1,
 * };
 * ```
 */
export interface ValidateAgainstHistoryOptions<P, M> {
  /** The model definition to validate, run from its start over the historical period. */
  model: ModelDefinition<P, M>;
  /** What happened: the observed value of every KPI over the period, by name. */
  history: Readonly<Record<string, number>>;
  /**
   * The model's KPIs of a finished replication, named as in `history` (further names are
   * ignored). With `workers > 1` it travels as source text: a self-contained arrow function.
   */
  kpis: OutputFunction<M>;
  /**
   * Accepted relative error |predicted − observed| / |observed|, for all KPIs or by name; default
   * 0.1 (±10%, the design document's acceptance criterion).
   */
  tolerance?: number | Readonly<Record<string, number>>;
  /** Replications (>= 2); default 30. */
  replications?: number;
  /** Master seed; default 0. */
  seed?: number | string;
  /** Parameters of the model (e.g. those found by `calibrate`). */
  params?: P;
  /** The end of the historical period on the model's clock. */
  until?: number;
  /** Warm-up period before the KPIs are collected (see runReplications). */
  warmup?: number;
  /** Called at the end of the warm-up, typically to reset statistics. */
  onWarmupEnd?: (sim: Simulation<M>) => void;
  /** Confidence of the intervals; default 0.95. */
  confidence?: number;
  /** Worker threads (see runReplications); default 1. */
  workers?: number;
}

/**
 * The verdict on one KPI.
 *
 * @example
 * ```ts
 * for (const v of report.kpis) if (v.verdict === 'fail') console.log(v.kpi, v.relativeError, [v.lower, v.upper]);
 * ```
 */
export interface KpiVerdict {
  /** The KPI's name. */
  kpi: string;
  /** `'pass'` when the model's prediction (the mean over replications) is within the tolerance of what happened. */
  verdict: 'pass' | 'fail';
  /** What happened. */
  observed: number;
  /** The model's prediction: the mean over the replications. */
  predicted: number;
  /** Lower end of the prediction's confidence interval. */
  lower: number;
  /** Upper end of the prediction's confidence interval. */
  upper: number;
  /** (predicted − observed) / |observed|. */
  relativeError: number;
  /** The accepted relative error. */
  tolerance: number;
  /** The interval lies entirely inside the tolerance band (pass) or entirely outside it (fail): more replications would not change the verdict. */
  decisive: boolean;
  /** The interval contains the observed value. */
  intervalCoversObserved: boolean;
}

/**
 * What {@link validateAgainstHistory} returns.
 *
 * @example
 * ```ts
 * const report = await validateAgainstHistory(options);
 * if (!report.passed) console.log(report.summary);
 * ```
 */
export interface HistoryValidationReport {
  /** Every KPI passed. */
  passed: boolean;
  /** The verdicts, in the order of `history`. */
  kpis: KpiVerdict[];
  /** Replications run. */
  replications: number;
  /** Confidence of the intervals. */
  confidence: number;
  /** A readable table of the verdicts. */
  summary: string;
}

const API = 'validateAgainstHistory(options)';
const KEYS = [
  'model',
  'history',
  'kpis',
  'tolerance',
  'replications',
  'seed',
  'params',
  'until',
  'warmup',
  'onWarmupEnd',
  'confidence',
  'workers',
];

function readTolerance(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw invalidArgument(
      API,
      `tolerance${name} must be a relative error > 0 (0.1 is ±10%)`,
      value,
      'Pass e.g. tolerance: 0.1, or { [kpi]: 0.05 }.',
    );
  return value;
}

function significant(x: number): string {
  if (x === 0) return '0';
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(x))) - 1);
  return x.toFixed(Math.min(digits, 6));
}

/**
 * Runs a model over a historical period (replications, with confidence intervals) and compares each
 * KPI with what happened: a KPI passes when the mean prediction is within `tolerance` (relative,
 * default ±10%) of the observed value. The report gives per KPI the verdict, the interval, the
 * observed value and the relative error, and whether the verdict is decisive (the interval lies
 * wholly inside or wholly outside the tolerance band), with a readable summary.
 *
 * @example
 * ```ts
 * const report = await validateAgainstHistory({
 *   model: queue,
 *   params: { arrivalMean: 1, serviceMean: 0.8 },
 *   history: { utilization: 0.8, meanWait: 3.2 }, // what the logs say
 *   kpis: (sim) => ({ utilization: sim.model.server.stats.utilization ?? 0, meanWait: sim.model.server.stats.waitingTime.mean }),
 *   until: 5000,
 *   tolerance: 0.1,
 * });
 * console.log(report.summary);
 * report.passed; // every KPI within ±10%
 * ```
 */
export async function validateAgainstHistory<P, M>(
  options: ValidateAgainstHistoryOptions<P, M>,
): Promise<HistoryValidationReport> {
  rejectUnknownKeys(
    API,
    options,
    KEYS,
    '{ model, history: { meanWait: 3.2 }, kpis: (sim) => ({ meanWait: ... }), until }',
  );
  if (options === undefined)
    throw invalidArgument(API, 'options must be given', options, 'Pass { model, history, kpis, until }.');
  const { model, history, kpis } = options;
  if (
    model === null ||
    typeof model !== 'object' ||
    typeof (model as { create?: unknown }).create !== 'function'
  )
    throw invalidArgument(
      API,
      'model must be a model definition (defineModel)',
      model,
      'Pass the definition the twin runs: defineModel(build, { ... }).',
    );
  if (
    history === null ||
    typeof history !== 'object' ||
    Array.isArray(history) ||
    Object.keys(history).length === 0
  )
    throw invalidArgument(
      API,
      'history must be an object of observed KPI values by name',
      history,
      'Pass e.g. history: { meanWait: 3.2, utilization: 0.8 }.',
    );
  if (typeof kpis !== 'function')
    throw invalidArgument(
      API,
      'kpis must be a function of a finished replication returning the KPIs by name',
      kpis,
      'Pass e.g. kpis: (sim) => ({ meanWait: sim.model.server.stats.waitingTime.mean }).',
    );
  const names = Object.keys(history);
  for (const name of names) {
    const v = history[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v === 0)
      throw invalidArgument(
        API,
        `history.${name} must be a finite nonzero number (a relative tolerance needs a nonzero observed value)`,
        v,
        'Drop the KPI, or give it in other units (e.g. a count instead of a zero rate).',
      );
  }
  const tolerance: Record<string, number> = {};
  const given = options.tolerance ?? 0.1;
  if (typeof given === 'number') {
    readTolerance(given, '');
    for (const name of names) tolerance[name] = given;
  } else if (given !== null && typeof given === 'object' && !Array.isArray(given)) {
    for (const key of Object.keys(given)) {
      if (!names.includes(key))
        throw invalidArgument(
          API,
          `tolerance.${key} names no KPI of history`,
          names,
          'Name KPIs of history.',
        );
    }
    for (const name of names) tolerance[name] = readTolerance(given[name] ?? 0.1, `.${name}`);
  } else {
    readTolerance(given, '');
  }
  const replications =
    options.replications === undefined
      ? 30
      : requireInteger(
          API,
          'replications',
          options.replications,
          2,
          'Run at least 2 replications (30 by default) to have an interval.',
        );
  const results = await runReplications(model, {
    replications,
    seed: options.seed ?? 0,
    outputs: kpis,
    ...(options.params === undefined ? {} : { params: options.params }),
    ...(options.until === undefined ? {} : { until: options.until }),
    ...(options.warmup === undefined ? {} : { warmup: options.warmup }),
    ...(options.onWarmupEnd === undefined ? {} : { onWarmupEnd: options.onWarmupEnd }),
    ...(options.confidence === undefined ? {} : { confidence: options.confidence }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
  });
  const verdicts = names.map((name): KpiVerdict => {
    const out = results.outputs[name];
    if (out === undefined)
      throw invalidArgument(
        API,
        `kpis(sim) must return KPI '${name}' of history`,
        Object.keys(results.outputs),
        'Return every KPI of history from kpis.',
      );
    const observed = history[name]!;
    const tol = tolerance[name]!;
    const relativeError = (out.mean - observed) / Math.abs(observed);
    const verdict = Math.abs(relativeError) <= tol ? 'pass' : 'fail';
    const band = [observed - tol * Math.abs(observed), observed + tol * Math.abs(observed)] as const;
    const inside = out.lower >= band[0] && out.upper <= band[1];
    const outside = out.upper < band[0] || out.lower > band[1];
    return {
      kpi: name,
      verdict,
      observed,
      predicted: out.mean,
      lower: out.lower,
      upper: out.upper,
      relativeError,
      tolerance: tol,
      decisive: verdict === 'pass' ? inside : outside,
      intervalCoversObserved: out.lower <= observed && observed <= out.upper,
    };
  });
  const confidence = options.confidence ?? 0.95;
  const passed = verdicts.every((v) => v.verdict === 'pass');
  const lines = verdicts.map((v) => {
    const sign = v.relativeError >= 0 ? '+' : '−';
    return `  ${v.verdict === 'pass' ? 'PASS' : 'FAIL'} ${v.kpi}: predicted ${significant(v.predicted)} [${significant(v.lower)}, ${significant(v.upper)}], observed ${significant(v.observed)}, error ${sign}${(Math.abs(v.relativeError) * 100).toFixed(1)}% (tolerance ±${(v.tolerance * 100).toFixed(0)}%)${v.decisive ? '' : ', not decisive: the interval crosses the tolerance band'}`;
  });
  const failed = verdicts.filter((v) => v.verdict === 'fail').length;
  const summary = [
    `Validation against history: ${passed ? 'PASS' : 'FAIL'} (${verdicts.length - failed} of ${verdicts.length} KPIs within tolerance; ${results.replications} replications, ${Math.round(confidence * 100)}% intervals)`,
    ...lines,
  ].join('\n');
  return { passed, kpis: verdicts, replications: results.replications, confidence, summary };
}
