/**
 * The error family of twinkit. Every package throws `TwinkitError` (or a subclass) for misuse,
 * with a message that names the API, the rule that was broken, the offending value and the remedy.
 */

/** Machine-readable category of a {@link TwinkitError}. */
export type TwinkitErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_STATE'
  | 'NOT_FOUND'
  | 'DUPLICATE'
  | 'READ_ONLY'
  | 'UNHANDLED_FAILURE'
  | 'FORK'
  | 'NOT_IMPLEMENTED'
  | 'NUMERIC'
  | 'PARSE'
  | 'UNSUPPORTED'
  | 'IO';

/** Options accepted by the {@link TwinkitError} constructor. */
export interface TwinkitErrorOptions {
  /** Machine-readable category; defaults to `'INVALID_ARGUMENT'`. */
  code?: TwinkitErrorCode;
  /** The underlying error, if this one wraps another. */
  cause?: unknown;
  /** Structured details for programmatic handling (the offending value, names, shapes, ...). */
  details?: Record<string, unknown>;
}

/**
 * Signals misuse of a twinkit API or an impossible request, with a message that says what to do.
 *
 * @example
 * ```ts
 * try { sim.timeout(-3); } catch (e) { if (e instanceof TwinkitError) console.log(e.code, e.message); }
 * ```
 */
export class TwinkitError extends Error {
  /** Machine-readable category. */
  readonly code: TwinkitErrorCode;
  /** Structured details for programmatic handling. */
  readonly details: Record<string, unknown>;

  /** Creates an error with a complete, human-readable message. */
  constructor(message: string, options: TwinkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // A literal for twinkit's own class: a bundler or minifier may rename it (`_TwinkitError`, `e`).
    this.name = new.target === TwinkitError ? 'TwinkitError' : new.target.name;
    this.code = options.code ?? 'INVALID_ARGUMENT';
    this.details = options.details ?? {};
  }
}

/**
 * Renders a value for an error message: numbers as written (NaN, Infinity, -0 included), strings
 * quoted, arrays and objects as short JSON.
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return '-0';
    return String(value);
  }
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'symbol') return value.toString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
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
 * Builds the standard "bad argument" error: `api: rule, got value. remedy`.
 *
 * @param api - The API that was called, e.g. `'Simulation.timeout(delay)'`.
 * @param rule - What the argument must satisfy, e.g. `'delay must be a finite number >= 0'`.
 * @param value - The offending value.
 * @param remedy - What to do instead.
 */
export function invalidArgument(
  api: string,
  rule: string,
  value: unknown,
  remedy?: string,
  options: Omit<TwinkitErrorOptions, 'code'> = {},
): TwinkitError {
  const message = `${api}: ${rule}, got ${formatValue(value)}.${remedy ? ` ${remedy}` : ''}`;
  return new TwinkitError(message, {
    ...options,
    code: 'INVALID_ARGUMENT',
    details: { value, ...options.details },
  });
}

/** Throws {@link invalidArgument} unless `value` is a finite number. */
export function requireFinite(api: string, name: string, value: unknown, remedy?: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidArgument(api, `${name} must be a finite number`, value, remedy);
  }
  return value;
}

/** Throws {@link invalidArgument} unless `value` is a finite number >= 0. */
export function requireNonNegative(api: string, name: string, value: unknown, remedy?: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument(api, `${name} must be a finite number >= 0`, value, remedy);
  }
  return value;
}

/** Throws {@link invalidArgument} unless `value` is a finite number > 0. */
export function requirePositive(api: string, name: string, value: unknown, remedy?: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(api, `${name} must be a finite number > 0`, value, remedy);
  }
  return value;
}

/** Throws {@link invalidArgument} unless `value` is an integer >= `min` (default 0). */
export function requireInteger(api: string, name: string, value: unknown, min = 0, remedy?: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidArgument(api, `${name} must be an integer >= ${min}`, value, remedy);
  }
  return value;
}
