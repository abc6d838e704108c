import { TwinkitError } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { Matrix } from 'ml-matrix';
import type { MeasurementFunction } from '../extended-kalman-filter/extended-kalman-filter';
import { DEFAULT_SENSOR, readCovariance } from '../gaussian-filter/gaussian-filter';
import { cholesky, logDetFromCholesky, mahalanobisFromCholesky } from '../linear-algebra/dense';
import { readVector, type VectorLike } from '../linear-algebra/matrix-like';

// The `sensors` option of every filter, compiled in one place: the default sensor from the top-level
// options, the named ones checked for unknown keys, the measurement size read from h (or the rows of
// H) and R read against it, and the checks of an update's sensor and reading. Every function takes
// the name of the calling API, which its errors start with.

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Builds the error for an update naming a sensor the filter does not know, listing the known ones.
 *
 * @internal
 */
export function unknownSensor(
  api: string,
  rule: string,
  sensor: string,
  known: Iterable<string>,
): TwinkitError {
  const names = [...known].map((k) => `'${k}'`).join(', ');
  return invalidArgument(api, rule, sensor, `Known sensors: ${names || 'none'}.`);
}

/**
 * Returns the sensor of an update (`options.sensor`, default {@link DEFAULT_SENSOR}), or throws the
 * unknown-sensor error.
 *
 * @internal
 */
export function lookupSensor<C>(api: string, sensors: ReadonlyMap<string, C>, name: string | undefined): C {
  const sensor = sensors.get(name ?? DEFAULT_SENSOR);
  if (sensor === undefined) {
    throw unknownSensor(
      api,
      'the sensor must be defined in the options (h and R, or sensors)',
      name ?? DEFAULT_SENSOR,
      sensors.keys(),
    );
  }
  return sensor;
}

/**
 * The options of a filter that carry its sensors: the default sensor's model (`h`, or `H` for the
 * linear filter) and noise `R` at the top level, further sensors by name in `sensors`.
 *
 * @internal
 */
export interface SensorOptions<S> {
  h?: unknown;
  H?: unknown;
  R?: unknown;
  sensors?: Record<string, S> | undefined;
}

/**
 * How {@link registerSensors} reads a filter's sensors.
 *
 * @internal
 */
export interface SensorSpec<S, C> {
  /** The top-level option that holds the default sensor's model, given with R: `'h'` (default) or `'H'`. */
  model?: 'h' | 'H';
  /** The remedy of the error for a model without R, or R without a model. */
  pairRemedy?: string;
  /** The keys a named sensor may have. */
  keys: readonly string[];
  /** Builds the default sensor from the top-level options (called only when they give one). */
  defaultSensor: () => S;
  /**
   * Compiles one sensor. `label` prefixes the names of its options in errors: `''` for the default
   * sensor, `sensors.<name>.` for a named one.
   */
  compile: (name: string, sensor: S, label: string) => C;
}

/**
 * Refuses a default sensor given by half: its model (`h` or `H`) without R, or R without a model.
 *
 * @internal
 */
export function requireSensorPair(
  api: string,
  options: SensorOptions<unknown>,
  model: 'h' | 'H' = 'h',
  remedy?: string,
): void {
  if ((options[model] === undefined) !== (options.R === undefined)) {
    throw invalidArgument(
      api,
      `${model} and R must be given together`,
      { [model]: options[model], R: options.R },
      remedy,
    );
  }
}

/**
 * Compiles a filter's sensors: the default one from the top-level options (model and R together, or
 * neither) and the named ones of `options.sensors`, each checked to have only `spec.keys`.
 *
 * @internal
 */
export function registerSensors<S, C>(
  api: string,
  options: SensorOptions<S>,
  spec: SensorSpec<S, C>,
): Map<string, C> {
  const model = spec.model ?? 'h';
  requireSensorPair(api, options, model, spec.pairRemedy);
  const sensors = new Map<string, C>();
  if (options[model] !== undefined)
    sensors.set(DEFAULT_SENSOR, spec.compile(DEFAULT_SENSOR, spec.defaultSensor(), ''));
  for (const [name, sensor] of Object.entries(options.sensors ?? {})) {
    checkSensorKeys(api, name, sensor, spec.keys);
    sensors.set(name, spec.compile(name, sensor, `sensors.${name}.`));
  }
  return sensors;
}

/**
 * Refuses a key a sensor of a filter's `sensors` option does not have (`{ h, r }` for `{ h, R }`),
 * naming the sensor: `ExtendedKalmanFilter(options.sensors.gps): unknown option 'r' ...`.
 *
 * @internal
 */
export function checkSensorKeys(api: string, name: string, sensor: unknown, known: readonly string[]): void {
  rejectUnknownKeys(api.replace(/options\)$/, `options.sensors.${name})`), sensor, known);
}

/** `1 value`, `2 values`. */
function count(k: number, noun: string): string {
  return `${k} ${noun}${k === 1 ? '' : 's'}`;
}

/** The rows and columns of a matrix-like value, or null when it is not one (readMatrix says why). */
function squareSize(value: unknown): number | null {
  if (Matrix.isMatrix(value)) return value.rows === value.columns ? value.rows : null;
  if (!Array.isArray(value) || value.length === 0) return null;
  const k = value.length;
  return value.every((row) => Array.isArray(row) && row.length === k) ? k : null;
}

/**
 * Where a sensor's measurement size comes from, for {@link readSensorNoise}: `what` says it
 * (`h(x0) returned 2 values`, `H has 2 rows`), `fix(k)` how to make it k (`make h return 1 value`).
 *
 * @internal
 */
export interface MeasurementSize {
  what: string;
  fix: (k: number) => string;
}

/** Describes a measurement size decided by the output of a measurement function. @internal */
export function sizeFromFunction(call: string, fn: string, m: number): MeasurementSize {
  return {
    what: `${call} returned ${count(m, 'value')}`,
    fix: (k) => `make ${fn} return ${count(k, 'value')}`,
  };
}

/** Describes a measurement size decided by the rows of a measurement matrix. @internal */
export function sizeFromRows(matrix: string, m: number): MeasurementSize {
  return {
    what: `${matrix} has ${count(m, 'row')} (${count(m, 'measured component')})`,
    fix: (k) => `give ${matrix} ${count(k, 'row')}`,
  };
}

/**
 * Reads a sensor's noise covariance R for a measurement of `m` components, the size that `size`
 * (the output of h, the rows of H) decided. A square R of another size is a mismatch between the
 * two rather than a bad R, so the error names both and both ways out: `h(x0) returned 2 values but R
 * is 1x1 (R says the measurement has 1 component); make h return 1 value or give R 2x2`.
 *
 * @internal
 */
export function readSensorNoise(
  api: string,
  rName: string,
  R: unknown,
  m: number,
  size: MeasurementSize,
  out?: Float64Array,
): Float64Array {
  const k = squareSize(R);
  if (k !== null && k !== m) {
    throw new TwinkitError(
      `${api}: ${size.what} but ${rName} is ${k}x${k} (${rName} says the measurement has ${count(k, 'component')}); ${size.fix(k)} or give ${rName} ${m}x${m}.`,
      { code: 'INVALID_ARGUMENT', details: { name: rName, measurementSize: m, rSize: k } },
    );
  }
  return readCovariance(api, rName, R, m, true, out);
}

/**
 * A Gaussian sensor with a measurement function, compiled: its size `m` (the length of h's output
 * at the probe state) and R read against it.
 *
 * @internal
 */
export interface FunctionSensor {
  m: number;
  h: MeasurementFunction;
  R: Float64Array;
}

/**
 * Compiles a sensor `{ h, R }` of a filter with measurement functions (extended, unscented,
 * ensemble): checks h, sizes the measurement by h at `probe` (`call` names that call in errors,
 * `h(x0)` or `h(x)`) and reads R against it.
 *
 * @internal
 */
export function compileFunctionSensor(
  api: string,
  label: string,
  sensor: { h?: unknown; R?: unknown } | undefined,
  probe: Float64Array,
  call = 'h(x0)',
): FunctionSensor {
  if (typeof sensor?.h !== 'function')
    throw invalidArgument(api, `${label}h must be a function x => z`, sensor?.h);
  const h = sensor.h as MeasurementFunction;
  const m = readVector(api, `${label}${call}`, h(probe)).length;
  const size = sizeFromFunction(`${label}${call}`, `${label}h`, m);
  return { m, h, R: readSensorNoise(api, `${label}R`, sensor.R, m, size) };
}

/**
 * A sensor of a particle filter, compiled to a log-likelihood log p(z | x): given as one, or Gaussian
 * (`h` and `R`, then `m` is the measurement size; -1 for a given log-likelihood).
 *
 * @internal
 */
export interface LikelihoodSensor<X> {
  m: number;
  logLikelihood: (z: Float64Array, x: X) => number;
  h: ((x: X) => VectorLike) | null;
  R: Float64Array | null;
}

/**
 * How {@link compileLikelihoodSensor} calls a particle's measurement function.
 *
 * @internal
 */
export interface LikelihoodSensorSpec<X> {
  /** The API of the filter's update, which errors of h during an update name. */
  updateApi: string;
  /** What h takes, as errors name its call: `'x'` (a state) or `'sim'` (a simulation). */
  argument: string;
  /** The particle whose h sizes the measurement. */
  probe: X;
  /** The time a particle is at, for errors. */
  time: (x: X) => number;
  /** Whether every output of h is checked to be numbers (otherwise only its length). */
  checkOutput: boolean;
}

/**
 * Compiles a particle-filter sensor: `{ logLikelihood }` as given, `{ h, R }` to the Gaussian
 * log-likelihood log N(z − h(x); 0, R), sized by h at the probe particle.
 *
 * @internal
 */
export function compileLikelihoodSensor<X>(
  api: string,
  name: string,
  label: string,
  sensor: { h: (x: X) => VectorLike; R: unknown } | { logLikelihood: (z: Float64Array, x: X) => number },
  spec: LikelihoodSensorSpec<X>,
): LikelihoodSensor<X> {
  if ('logLikelihood' in sensor && typeof sensor.logLikelihood === 'function') {
    return { m: -1, logLikelihood: sensor.logLikelihood, h: null, R: null };
  }
  if (!('h' in sensor) || typeof sensor.h !== 'function') {
    throw invalidArgument(api, `sensor '${name}' must have h and R, or logLikelihood`, sensor);
  }
  const h = sensor.h;
  const call = `h(${spec.argument}) of sensor '${name}'`;
  const m = readVector(api, call, h(spec.probe)).length;
  const R = readSensorNoise(api, `${label}R`, sensor.R, m, sizeFromFunction(call, 'h', m));
  const L = new Float64Array(m * m);
  cholesky(R, m, L);
  const constant = -0.5 * (m * LOG_2PI + logDetFromCholesky(L, m));
  const y = new Float64Array(m);
  const work = new Float64Array(m);
  const { updateApi, time, checkOutput } = spec;
  const logLikelihood = (z: Float64Array, x: X): number => {
    const out = h(x);
    if (out?.length !== m) {
      throw outputLengthChanged(updateApi, `h(${spec.argument})`, out, m, name, time(x));
    }
    const hx = checkOutput ? readVector(updateApi, call, out, m) : out;
    for (let i = 0; i < m; i++) y[i] = z[i]! - (hx[i] as number);
    return constant - 0.5 * mahalanobisFromCholesky(L, m, y, work);
  };
  return { m, logLikelihood, h, R };
}

/**
 * Builds the error for a measurement function whose output changed length after the filter was made
 * (the sensor's size, and R, were fixed then).
 *
 * @internal
 */
export function outputLengthChanged(
  api: string,
  call: string,
  got: unknown,
  m: number,
  sensor: string,
  time: number,
): TwinkitError {
  const length = (got as { length?: unknown } | null)?.length;
  return new TwinkitError(
    `${api}: ${call} of sensor '${sensor}' returned ${typeof length === 'number' ? count(length, 'value') : formatted(got)} at time ${time}, but the sensor measures ${count(m, 'component')} (its R is ${m}x${m}, sized by h's output when the filter was made); make h return ${count(m, 'value')} for every state.`,
    { code: 'INVALID_ARGUMENT', details: { sensor, time, expected: m, actual: length } },
  );
}

function formatted(value: unknown): string {
  return `a ${value === null ? 'null' : typeof value} instead of an array`;
}

/**
 * Reads the measurement of an update of a sampling filter (particle, ensemble): an array of `m`
 * finite numbers (any length when `m` is -1, a sensor given by its log-likelihood). `remedy`, when
 * given, ends the error for an array of the wrong kind or length.
 *
 * @internal
 */
export function readSampledMeasurement(
  api: string,
  z: VectorLike,
  m: number,
  sensor: string,
  time: number,
  remedy: string | undefined,
): Float64Array {
  if (!(Array.isArray(z) || z instanceof Float64Array) || (m >= 0 && z.length !== m)) {
    throw invalidArgument(
      api,
      `z must be an array of ${m >= 0 ? m : "the sensor's"} numbers (sensor '${sensor}', time ${time})`,
      z,
      remedy,
    );
  }
  for (let i = 0; i < z.length; i++) {
    if (!Number.isFinite(z[i])) {
      throw new TwinkitError(
        `${api}: measurement z[${i}] from sensor '${sensor}' at time ${time} must be a finite number, got ${formatValue(z[i])}. Pass null for a missing reading.`,
        { code: 'INVALID_ARGUMENT', details: { sensor, time, index: i } },
      );
    }
  }
  return Float64Array.from(z);
}
