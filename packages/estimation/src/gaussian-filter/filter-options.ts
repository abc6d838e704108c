import { type RandomStream, TwinkitError } from '@twinkit/core';
import { invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { Matrix } from 'ml-matrix';
import { DEFAULT_SENSOR, readCovariance } from './gaussian-filter';

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
 * Checks that `rng` is a RandomStream of @twinkit/core (sampling filters draw from one) and returns it.
 *
 * @internal
 */
export function requireRandomStream(api: string, rng: unknown, example: string): RandomStream {
  const candidate = rng as Partial<RandomStream> | undefined;
  if (typeof candidate?.next !== 'function' || typeof candidate?.normal !== 'function') {
    throw invalidArgument(api, 'rng must be a RandomStream of @twinkit/core', rng, `Pass ${example}.`);
  }
  return rng as RandomStream;
}

/**
 * Registers a filter's sensors: the default one from the top-level options (`h` and `R` together, or
 * neither) and the named ones of `options.sensors`, each checked to have only `sensorKeys` and
 * compiled by `compile`.
 *
 * @internal
 */
export function registerSensors<S, C>(
  api: string,
  options: { h?: unknown; R?: unknown; sensors?: Record<string, S> | undefined },
  defaultSensor: () => S,
  compile: (name: string, sensor: S) => C,
  into: Map<string, C>,
  sensorKeys: readonly string[],
): void {
  if ((options.h === undefined) !== (options.R === undefined)) {
    throw invalidArgument(api, 'h and R must be given together', { h: options.h, R: options.R });
  }
  if (options.h !== undefined) into.set(DEFAULT_SENSOR, compile(DEFAULT_SENSOR, defaultSensor()));
  for (const [name, sensor] of Object.entries(options.sensors ?? {})) {
    checkSensorKeys(api, name, sensor, sensorKeys);
    into.set(name, compile(name, sensor));
  }
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
 * Refuses a key a sensor of a filter's `sensors` option does not have (`{ h, r }` for `{ h, R }`),
 * naming the sensor: `ExtendedKalmanFilter(options.sensors.gps): unknown option 'r' ...`.
 *
 * @internal
 */
export function checkSensorKeys(api: string, name: string, sensor: unknown, known: readonly string[]): void {
  rejectUnknownKeys(api.replace(/options\)$/, `options.sensors.${name})`), sensor, known);
}
