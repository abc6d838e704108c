/**
 * The checks and defaults of `createTwin`'s options (not exported from the package).
 */
import type { ModelDefinition } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import type { QualityRules } from '../quality';
import type { Sensor } from '../sensors';
import type { Sink } from '../sink';
import type { Source } from '../source';
import type { CreateTwinOptions, LateReadingPolicy, TwinAsset } from './types';

export const API = 'createTwin(options)';
const OPTION_KEYS = [
  'model',
  'params',
  'seed',
  'sources',
  'quality',
  'assimilate',
  'sinks',
  'clock',
  'time',
  'late',
  'publish',
  'kpis',
  'assets',
  'scenarios',
  'history',
];

/** The clock with its defaults. */
export interface ResolvedClock {
  mode: 'data' | 'wall';
  speed: number;
  start: number | undefined;
  /** Undefined until the sources are known: the default covers their reorder window. */
  delayMs: number | undefined;
}

export function resolveClock(clock: CreateTwinOptions<unknown, unknown>['clock']): ResolvedClock {
  const api = `${API}: clock`;
  if (clock === undefined || clock === 'data')
    return { mode: 'data', speed: 1, start: undefined, delayMs: 0 };
  if (clock === 'wall') return { mode: 'wall', speed: 1, start: undefined, delayMs: undefined };
  if (clock === null || typeof clock !== 'object' || clock.mode !== 'wall')
    throw invalidArgument(api, "must be 'data', 'wall' or { mode: 'wall', speed?, start?, delayMs? }", clock);
  rejectUnknownKeys(api, clock, ['mode', 'speed', 'start', 'delayMs'], "{ mode: 'wall', speed: 60 }");
  const speed = clock.speed ?? 1;
  if (!(typeof speed === 'number' && Number.isFinite(speed) && speed > 0))
    throw invalidArgument(api, 'speed (calendar time per wall time) must be a finite number > 0', speed);
  if (clock.start !== undefined && !(typeof clock.start === 'number' && Number.isFinite(clock.start)))
    throw invalidArgument(api, 'start must be a calendar instant in epoch milliseconds', clock.start);
  const delayMs = clock.delayMs;
  if (delayMs !== undefined && !(typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0))
    throw invalidArgument(api, 'delayMs must be a finite number >= 0', delayMs);
  return { mode: 'wall', speed, start: clock.start, delayMs };
}

export function positive(api: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0))
    throw invalidArgument(api, `${name} must be a finite number > 0`, value);
  return value;
}

export function isSource(s: unknown): s is Source {
  return (
    s !== null &&
    typeof s === 'object' &&
    typeof (s as Source).start === 'function' &&
    typeof (s as Source).close === 'function' &&
    typeof (s as Source).stats === 'function' &&
    typeof (s as Source)[Symbol.asyncIterator] === 'function'
  );
}

export function isSink(s: unknown): s is Sink {
  return (
    s !== null &&
    typeof s === 'object' &&
    typeof (s as Sink).write === 'function' &&
    typeof (s as Sink).flush === 'function' &&
    typeof (s as Sink).close === 'function'
  );
}

/** The asset prefix of a sensor's topic: what comes before `/telemetry/`. */
export function assetTopicOf(source: string): string | undefined {
  const i = source.indexOf('/telemetry/');
  return i > 0 ? source.slice(0, i) : undefined;
}

/** The assets: as given, else the quality registry's sensors grouped by `sensor.asset`. */
export function resolveAssets(
  given: readonly TwinAsset[] | undefined,
  rules: QualityRules | undefined,
): TwinAsset[] {
  if (given !== undefined) {
    if (!Array.isArray(given))
      throw invalidArgument(`${API}: assets`, 'must be an array of { id, sensors }', given);
    const seen = new Set<string>();
    return given.map((a, i) => {
      const where = `${API}: assets[${i}]`;
      if (a === null || typeof a !== 'object')
        throw invalidArgument(where, 'must be { id, sensors, name?, type?, topic? }', a);
      rejectUnknownKeys(where, a, ['id', 'name', 'type', 'topic', 'sensors'], "{ id: 'M1', sensors: [...] }");
      if (typeof a.id !== 'string' || a.id === '')
        throw invalidArgument(where, 'id must be a non-empty string', a.id);
      if (seen.has(a.id)) throw invalidArgument(where, `asset id '${a.id}' is given twice`, a.id);
      seen.add(a.id);
      if (!Array.isArray(a.sensors))
        throw invalidArgument(where, 'sensors must be an array of sensors', a.sensors);
      return a;
    });
  }
  if (rules === undefined) return [];
  const byAsset = new Map<string, Sensor[]>();
  for (const sensor of rules.sensors) {
    if (sensor.asset === undefined) continue;
    const list = byAsset.get(sensor.asset) ?? [];
    list.push(sensor);
    byAsset.set(sensor.asset, list);
  }
  return [...byAsset].map(([id, sensors]) => {
    const topic = sensors.map((s) => assetTopicOf(s.source)).find((t) => t !== undefined);
    return { id, sensors, ...(topic !== undefined ? { topic } : {}) };
  });
}

/** The options of `createTwin`, checked, with their defaults. */
export function checkOptions<P, M>(options: CreateTwinOptions<P, M>) {
  if (options === null || typeof options !== 'object')
    throw invalidArgument(API, 'options must be an object { model, sources, ... }', options);
  rejectUnknownKeys(API, options, OPTION_KEYS, '{ model, params, seed, sources, assimilate, sinks }');
  const model = options.model as ModelDefinition<P, M>;
  if (
    model === null ||
    typeof model !== 'object' ||
    typeof (model as { create?: unknown }).create !== 'function'
  )
    throw invalidArgument(API, 'model must be a model definition (made by defineModel)', model);
  if (!Array.isArray(options.sources) || options.sources.length === 0)
    throw invalidArgument(
      API,
      'sources must be a non-empty array of sources',
      options.sources,
      'Pass [fileSource(...)] or [mqttSource(...)].',
    );
  options.sources.forEach((s, i) => {
    if (!isSource(s))
      throw invalidArgument(API, `sources[${i}] must be a source (start, close, stats, async iteration)`, s);
  });
  const sinks = options.sinks ?? [];
  if (!Array.isArray(sinks)) throw invalidArgument(API, 'sinks must be an array of sinks', sinks);
  sinks.forEach((s, i) => {
    if (!isSink(s)) throw invalidArgument(API, `sinks[${i}] must be a sink (write, flush, close)`, s);
  });
  const clock = resolveClock(options.clock);
  const timeApi = `${API}: time`;
  if (options.time !== undefined) {
    if (options.time === null || typeof options.time !== 'object')
      throw invalidArgument(timeApi, 'must be { epoch?, unitMs? }', options.time);
    rejectUnknownKeys(
      timeApi,
      options.time,
      ['epoch', 'unitMs'],
      '{ epoch: Date.UTC(2026, 0, 5), unitMs: 60_000 }',
    );
    if (options.time.epoch !== undefined && !Number.isFinite(options.time.epoch))
      throw invalidArgument(
        timeApi,
        'epoch must be a calendar instant in epoch milliseconds',
        options.time.epoch,
      );
  }
  const unitMs = positive(
    timeApi,
    'unitMs (milliseconds per unit of simulated time)',
    options.time?.unitMs,
    1000,
  );
  const latePolicy: LateReadingPolicy = options.late ?? 'drop';
  if (latePolicy !== 'drop' && latePolicy !== 'apply-now')
    throw invalidArgument(`${API}: late`, "must be 'drop' or 'apply-now'", latePolicy);
  const publishApi = `${API}: publish`;
  const publish = options.publish ?? {};
  if (publish === null || typeof publish !== 'object')
    throw invalidArgument(publishApi, 'must be { stateEveryS?, kpisEveryS?, root?, readings? }', publish);
  rejectUnknownKeys(
    publishApi,
    publish,
    ['stateEveryS', 'kpisEveryS', 'root', 'readings'],
    '{ stateEveryS: 10 }',
  );
  const stateEveryMs = positive(publishApi, 'stateEveryS', publish.stateEveryS, 10) * 1000;
  const kpisEveryMs = positive(publishApi, 'kpisEveryS', publish.kpisEveryS, 60) * 1000;
  const root = publish.root ?? 'factory';
  if (typeof root !== 'string' || root === '' || /[#+]/.test(root))
    throw invalidArgument(publishApi, 'root must be a topic prefix without wildcards', root);
  const forwardReadings = publish.readings === true;
  const historySize = options.history ?? 1000;
  if (!Number.isInteger(historySize) || historySize < 1)
    throw invalidArgument(
      `${API}: history`,
      'must be an integer >= 1 (readings kept per sensor)',
      historySize,
    );
  if (options.kpis !== undefined && typeof options.kpis !== 'function')
    throw invalidArgument(`${API}: kpis`, 'must be a function (sim) => { name: number }', options.kpis);
  const scenarioOptions = options.scenarios;
  if (scenarioOptions !== undefined) {
    if (scenarioOptions === null || typeof scenarioOptions !== 'object')
      throw invalidArgument(
        `${API}: scenarios`,
        'must be { outputs, primary?, prepare?, workers? }',
        scenarioOptions,
      );
    rejectUnknownKeys(
      `${API}: scenarios`,
      scenarioOptions,
      ['outputs', 'primary', 'prepare', 'workers'],
      '{ outputs: (sim) => ({ ... }) }',
    );
    if (typeof scenarioOptions.outputs !== 'function')
      throw invalidArgument(
        `${API}: scenarios`,
        'outputs must be a function (sim) => { name: number }',
        scenarioOptions.outputs,
      );
    if (
      scenarioOptions.workers !== undefined &&
      !(Number.isInteger(scenarioOptions.workers) && scenarioOptions.workers >= 1)
    )
      throw invalidArgument(`${API}: scenarios`, 'workers must be an integer >= 1', scenarioOptions.workers);
  }

  return {
    model,
    sinks,
    clock,
    unitMs,
    latePolicy,
    stateEveryMs,
    kpisEveryMs,
    root,
    forwardReadings,
    historySize,
    scenarioOptions,
  };
}
