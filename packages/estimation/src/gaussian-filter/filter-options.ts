import { invalidArgument, type RandomStream, type TwinkitError } from '@twinkit/core';
import { DEFAULT_SENSOR } from './gaussian-filter';

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
 * neither) and the named ones of `options.sensors`, each compiled by `compile`.
 *
 * @internal
 */
export function registerSensors<S, C>(
  api: string,
  options: { h?: unknown; R?: unknown; sensors?: Record<string, S> | undefined },
  defaultSensor: () => S,
  compile: (name: string, sensor: S) => C,
  into: Map<string, C>,
): void {
  if ((options.h === undefined) !== (options.R === undefined)) {
    throw invalidArgument(api, 'h and R must be given together', { h: options.h, R: options.R });
  }
  if (options.h !== undefined) into.set(DEFAULT_SENSOR, compile(DEFAULT_SENSOR, defaultSensor()));
  for (const [name, sensor] of Object.entries(options.sensors ?? {})) into.set(name, compile(name, sensor));
}
