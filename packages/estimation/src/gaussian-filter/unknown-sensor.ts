import { invalidArgument, type TwinkitError } from '@twinkit/core';

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
