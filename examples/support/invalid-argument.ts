import { TwinkitError } from '@twinkit/core';

/** Renders a value for an error message: numbers as written, strings quoted, the rest as short JSON. */
function formatValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  try {
    const json = JSON.stringify(value, (_k, v) =>
      typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    );
    if (json === undefined) return Object.prototype.toString.call(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The examples' "bad argument" error, in twinkit's own style: a {@link TwinkitError} with code
 * INVALID_ARGUMENT and the message `api: rule, got value. remedy`. (The library's validators are
 * internal to the @twinkit packages; an application builds its errors from the public TwinkitError.)
 */
export function invalidArgument(api: string, rule: string, value: unknown, remedy?: string): TwinkitError {
  return new TwinkitError(`${api}: ${rule}, got ${formatValue(value)}.${remedy ? ` ${remedy}` : ''}`, {
    code: 'INVALID_ARGUMENT',
    details: { value },
  });
}
