import { closestMatch, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import type { Sensor, SensorRegistry } from '../sensors';
import { checkUnit } from './units';

/**
 * The range rule: a reading whose value (in the registry's unit, after unit conversion) lies
 * outside `[low, high]` is rejected, counted `'range'`. Bounds are inclusive (to a relative 1e-9,
 * so that a value converted onto a bound is not lost to floating-point rounding).
 */
export interface RangeRuleOptions {
  /** Ranges per sensor id that replace the registry's; a sensor with neither is not checked. */
  readonly ranges?: Readonly<Record<string, readonly [number, number]>>;
}

/**
 * The timestamp monotonicity rule, per sensor: a reading older than its sensor's newest by more
 * than the reorder window, or older than one already handed on, is rejected, counted
 * `'out_of_order'`. The others are held and handed on in time order once the data clock (the newest
 * source time seen from any sensor) has moved a window past them, when the source has been silent
 * for `idleFlushMs` of wall time, or at the end of the stream.
 */
export interface MonotonicRuleOptions {
  /** How late a reading may be and still be put back in order, ms of source time; default 1000. 0: no holding, strict order. */
  readonly reorderWindowMs?: number;
  /** Wall time without a reading after which held readings are handed on, ms; default the reorder window (at least 100); `false`: never. */
  readonly idleFlushMs?: number | false;
}

/**
 * The heartbeat rule: a sensor without a reading for longer than `limitMs` is marked stale and a
 * `sensor_stale` event is raised (`sensor_resumed` when it speaks again).
 */
export interface HeartbeatRuleOptions {
  /** The longest silence allowed, ms; default 60,000 (design document 4.5). */
  readonly limitMs?: number;
  /**
   * Which clock measures the silence. `'source'` (default): source time, the newest `time` seen from
   * any sensor; deterministic, right for replayed files at any pace, blind to a silence of every
   * sensor at once. `'wall'`: this process's clock against each reading's `receivedAt`, checked by a
   * timer; right for live sources, wrong for replays faster or slower than real time.
   */
  readonly clock?: 'source' | 'wall';
  /** With `clock: 'wall'`, how often to check, ms; default `min(1000, limitMs / 4)`. */
  readonly checkEveryMs?: number;
}

/**
 * Bounded forward-fill: when a sensor's next reading comes after missing samples (its gap is more
 * than 1.5 sampling periods, from the registry's `samplingHz`), up to `maxSamples` readings are made
 * at the missing sample times with the last value and quality `'stale'` (the first ones of a longer
 * gap, as pandas' `ffill(limit)`), counted in `filled`. Sensors without `samplingHz` are not filled.
 */
export interface ForwardFillRuleOptions {
  /** The most readings filled into one gap; default 3 (design document 4.5). */
  readonly maxSamples?: number;
}

/**
 * The median spike filter: a reading is rejected, counted `'spike'`, when it is further from the
 * median of the window (it and the readings before it) than `max(k * 1.4826 * MAD, minDeviation)`.
 */
export interface SpikeRuleOptions {
  /** The window, readings (odd, 3 to 101); default 5 (design document 4.5). */
  readonly window?: number;
  /** How many robust standard deviations make a spike; default 3 (the Hampel identifier's). */
  readonly k?: number;
  /** The smallest deviation that is a spike, in the sensor's unit, one for all or per sensor id; default 3 x the sensor's `accuracy`, 0 without one. */
  readonly minDeviation?: number | Readonly<Record<string, number>>;
}

/**
 * The rules of {@link qualityCheck}, design document 4.5. Every rule is on with its defaults unless
 * given `false`; an object turns it on with options.
 */
export interface QualityRules {
  /** The sensor inventory: units, ranges, sampling rates and accuracies are the rules' defaults. */
  readonly sensors: SensorRegistry;
  /** Converts readings to the registry's unit with mathjs (`degF` to `degC`); an unknown or foreign unit is rejected, counted `'unit'`. */
  readonly units?: boolean;
  /** Rejects values outside the sensor's range. */
  readonly range?: boolean | RangeRuleOptions;
  /** Puts readings back in time order within a window; rejects older ones. */
  readonly monotonic?: boolean | MonotonicRuleOptions;
  /** Rejects spikes against a running median. */
  readonly spike?: boolean | SpikeRuleOptions;
  /** Fills a few missing samples with the last value, quality `'stale'`. */
  readonly forwardFill?: boolean | ForwardFillRuleOptions;
  /** Marks silent sensors stale and raises `sensor_stale` events. */
  readonly heartbeat?: boolean | HeartbeatRuleOptions;
}

/** The names of the rules, as {@link QualityRules} keys them. */
export type QualityRuleName = 'units' | 'range' | 'monotonic' | 'spike' | 'forwardFill' | 'heartbeat';

/** The reasons a quality check rejects a reading, as `stats().rejected` and the report count them. */
export type QualityRejection = 'unknown_sensor' | 'unit' | 'range' | 'out_of_order' | 'spike';

/** The rule settings in force, defaults filled in (`false`: the rule is off). */
export interface QualitySettings {
  readonly units: boolean;
  readonly range: false | { readonly ranges: Readonly<Record<string, readonly [number, number]>> };
  readonly monotonic: false | { readonly reorderWindowMs: number; readonly idleFlushMs: number | false };
  readonly spike:
    | false
    | {
        readonly window: number;
        readonly k: number;
        readonly minDeviation: Readonly<Record<string, number>>;
      };
  readonly forwardFill: false | { readonly maxSamples: number };
  readonly heartbeat:
    | false
    | { readonly limitMs: number; readonly clock: 'source' | 'wall'; readonly checkEveryMs: number };
}

const API = 'qualityCheck(source, rules)';
const RULE_KEYS = ['sensors', 'units', 'range', 'monotonic', 'spike', 'forwardFill', 'heartbeat'];

function ruleOptions(
  name: string,
  value: unknown,
  known: readonly string[],
): Record<string, unknown> | false {
  if (value === undefined || value === true) return {};
  if (value === false) return false;
  const api = `${API}: rules.${name}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalidArgument(api, 'must be true, false or an options object', value);
  rejectUnknownKeys(api, value, known);
  return value as Record<string, unknown>;
}

function positive(api: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw invalidArgument(api, `${name} must be a finite number > 0`, value);
  return value;
}

function sensorOf(api: string, sensors: SensorRegistry, id: string): Sensor {
  if (sensors.has(id)) return sensors.get(id);
  const ids = sensors.list().map((s) => s.id);
  const near = closestMatch(id, ids);
  throw invalidArgument(
    api,
    'names a sensor that is not in the registry',
    id,
    near !== undefined ? `Did you mean '${near}'?` : `Known sensors: ${ids.join(', ') || 'none'}.`,
  );
}

/** Checks the rules and fills in the defaults; every mistake is a clear error here, at configuration. */
export function resolveRules(rules: QualityRules): QualitySettings {
  if (rules === null || typeof rules !== 'object')
    throw invalidArgument(API, 'rules must be an object with at least { sensors }', rules);
  rejectUnknownKeys(API, rules, RULE_KEYS, '{ sensors }');
  const sensors = rules.sensors;
  if (
    sensors === null ||
    typeof sensors !== 'object' ||
    typeof (sensors as SensorRegistry).list !== 'function' ||
    typeof (sensors as SensorRegistry).has !== 'function'
  )
    throw invalidArgument(
      API,
      'rules.sensors must be a sensor registry',
      sensors,
      'Make one with defineSensors([...]).',
    );

  let units = true;
  if (rules.units !== undefined) {
    if (typeof rules.units !== 'boolean')
      throw invalidArgument(API, 'rules.units must be true or false', rules.units);
    units = rules.units;
  }
  if (units) {
    for (const sensor of sensors.list()) {
      const problem = checkUnit(sensor.unit);
      if (problem)
        throw invalidArgument(
          `${API}: rules.units`,
          `sensor '${sensor.id}' has a unit that mathjs does not know (${problem.detail})`,
          sensor.unit,
          "Give the sensor a mathjs unit ('degC', 'bar', 'A', 'm/s^2', ...) or '1' for a pure number or a count, or turn the rule off with units: false.",
        );
    }
  }

  const rangeOptions = ruleOptions('range', rules.range, ['ranges']);
  let range: QualitySettings['range'] = false;
  if (rangeOptions) {
    const api = `${API}: rules.range.ranges`;
    const given = rangeOptions.ranges ?? {};
    if (given === null || typeof given !== 'object' || Array.isArray(given))
      throw invalidArgument(api, 'must be an object of [low, high] per sensor id', given);
    const ranges: Record<string, readonly [number, number]> = {};
    for (const sensor of sensors.list()) if (sensor.range) ranges[sensor.id] = sensor.range;
    for (const [id, r] of Object.entries(given as Record<string, unknown>)) {
      sensorOf(api, sensors, id);
      if (
        !Array.isArray(r) ||
        r.length !== 2 ||
        !Number.isFinite(r[0]) ||
        !Number.isFinite(r[1]) ||
        !((r[0] as number) < (r[1] as number))
      )
        throw invalidArgument(`${api}['${id}']`, 'must be [low, high] with finite low < high', r);
      ranges[id] = [r[0] as number, r[1] as number];
    }
    range = { ranges };
  }

  const monotonicOptions = ruleOptions('monotonic', rules.monotonic, ['reorderWindowMs', 'idleFlushMs']);
  let monotonic: QualitySettings['monotonic'] = false;
  if (monotonicOptions) {
    const api = `${API}: rules.monotonic`;
    const w = monotonicOptions.reorderWindowMs ?? 1000;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      throw invalidArgument(api, 'reorderWindowMs must be a finite number >= 0', w);
    const idle = monotonicOptions.idleFlushMs;
    const idleFlushMs = idle === false ? false : positive(api, 'idleFlushMs', idle, Math.max(w, 100));
    monotonic = { reorderWindowMs: w, idleFlushMs };
  }

  const spikeOptions = ruleOptions('spike', rules.spike, ['window', 'k', 'minDeviation']);
  let spike: QualitySettings['spike'] = false;
  if (spikeOptions) {
    const api = `${API}: rules.spike`;
    const window = spikeOptions.window ?? 5;
    if (
      typeof window !== 'number' ||
      !Number.isInteger(window) ||
      window < 3 ||
      window > 101 ||
      window % 2 === 0
    )
      throw invalidArgument(api, 'window must be an odd integer from 3 to 101', window);
    const k = positive(api, 'k', spikeOptions.k, 3);
    const given = spikeOptions.minDeviation;
    const minDeviation: Record<string, number> = {};
    const check = (where: string, v: unknown): number => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw invalidArgument(api, `${where} must be a finite number >= 0`, v);
      return v;
    };
    if (given !== undefined && (given === null || (typeof given !== 'number' && typeof given !== 'object')))
      throw invalidArgument(
        api,
        'minDeviation must be a number or an object of numbers per sensor id',
        given,
      );
    for (const sensor of sensors.list()) {
      minDeviation[sensor.id] =
        typeof given === 'number' ? check('minDeviation', given) : 3 * (sensor.accuracy ?? 0);
    }
    if (given !== undefined && typeof given === 'object') {
      for (const [id, v] of Object.entries(given)) {
        sensorOf(`${api}.minDeviation`, sensors, id);
        minDeviation[id] = check(`minDeviation['${id}']`, v);
      }
    }
    spike = { window, k, minDeviation };
  }

  const fillOptions = ruleOptions('forwardFill', rules.forwardFill, ['maxSamples']);
  let forwardFill: QualitySettings['forwardFill'] = false;
  if (fillOptions) {
    const n = fillOptions.maxSamples ?? 3;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
      throw invalidArgument(
        `${API}: rules.forwardFill`,
        'maxSamples must be an integer >= 1',
        n,
        'Turn the rule off with forwardFill: false.',
      );
    forwardFill = { maxSamples: n };
  }

  const heartbeatOptions = ruleOptions('heartbeat', rules.heartbeat, ['limitMs', 'clock', 'checkEveryMs']);
  let heartbeat: QualitySettings['heartbeat'] = false;
  if (heartbeatOptions) {
    const api = `${API}: rules.heartbeat`;
    const limitMs = positive(api, 'limitMs', heartbeatOptions.limitMs, 60_000);
    const clock = heartbeatOptions.clock ?? 'source';
    if (clock !== 'source' && clock !== 'wall')
      throw invalidArgument(api, "clock must be 'source' or 'wall'", clock);
    if (heartbeatOptions.checkEveryMs !== undefined && clock !== 'wall')
      throw invalidArgument(api, "checkEveryMs applies to clock: 'wall' only", heartbeatOptions.checkEveryMs);
    const checkEveryMs = positive(
      api,
      'checkEveryMs',
      heartbeatOptions.checkEveryMs,
      Math.min(1000, limitMs / 4),
    );
    heartbeat = { limitMs, clock, checkEveryMs };
  }

  return { units, range, monotonic, spike, forwardFill, heartbeat };
}
