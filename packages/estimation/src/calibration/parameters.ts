import { invalidArgument } from '@twinkit/core/internal';

/**
 * The search range of one calibrated parameter: `[low, high]`, or `{ initial, low, high }` (each
 * part optional; a bound may be infinite). The optimizer works on an unbounded transform of the
 * parameter (logit between two finite bounds, log beyond one bound, none without bounds), so every
 * trial value stays strictly inside the range.
 *
 * @example
 * ```ts
 * const params = {
 *   rate: [0, 5],                            // between 0 and 5, starts at 2.5
 *   level: { initial: 10, low: 0 },          // positive, starts at 10
 *   offset: { initial: 0 },                  // unbounded
 * } satisfies Record<string, ParameterSpec>;
 * ```
 */
export type ParameterSpec =
  | readonly [low: number, high: number]
  | {
      /** Starting value, strictly inside the bounds; default the midpoint (finite bounds) or one unit inside the bound. */
      readonly initial?: number;
      /** Lower bound (exclusive); default −∞. */
      readonly low?: number;
      /** Upper bound (exclusive); default +∞. */
      readonly high?: number;
    };

/** A parameter with its bounds and transform. @internal */
export interface Parameter {
  readonly name: string;
  readonly low: number;
  readonly high: number;
  readonly initial: number;
  /** Unbounded value to parameter value. */
  toValue(u: number): number;
  /** Parameter value (strictly inside the bounds) to unbounded value. */
  toFree(value: number): number;
}

const EXAMPLE = 'Pass e.g. params: { rate: [0, 5] } or { rate: { initial: 1, low: 0 } }.';

function sigmoid(u: number): number {
  return u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
}

/** Reads the `params` option of calibrate. @internal */
export function readParameters(api: string, params: unknown): Parameter[] {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw invalidArgument(api, 'params must be an object of parameter ranges', params, EXAMPLE);
  }
  const entries = Object.entries(params as Record<string, unknown>);
  if (entries.length === 0)
    throw invalidArgument(api, 'params must name at least one parameter', params, EXAMPLE);
  return entries.map(([name, spec]) => readParameter(api, name, spec));
}

function readParameter(api: string, name: string, spec: unknown): Parameter {
  const label = `params.${name}`;
  let low: unknown;
  let high: unknown;
  let initial: unknown;
  if (Array.isArray(spec)) {
    if (spec.length !== 2)
      throw invalidArgument(api, `${label} must be [low, high] (two numbers)`, spec, EXAMPLE);
    [low, high] = spec;
  } else if (spec !== null && typeof spec === 'object') {
    const unknownKey = Object.keys(spec).find((k) => !['initial', 'low', 'high'].includes(k));
    if (unknownKey !== undefined)
      throw invalidArgument(
        api,
        `${label} has an unknown key '${unknownKey}' (known keys: initial, low, high)`,
        spec,
        EXAMPLE,
      );
    ({ low = -Infinity, high = Infinity, initial } = spec as Record<string, unknown>);
  } else {
    throw invalidArgument(api, `${label} must be [low, high] or { initial, low, high }`, spec, EXAMPLE);
  }
  for (const [part, value] of [
    ['low', low],
    ['high', high],
  ] as const) {
    if (typeof value !== 'number' || Number.isNaN(value))
      throw invalidArgument(
        api,
        `${label}: ${part} must be a number (±Infinity for no bound)`,
        value,
        EXAMPLE,
      );
  }
  const lo = low as number;
  const hi = high as number;
  if (!(lo < hi)) throw invalidArgument(api, `${label}: low must be below high`, [lo, hi], EXAMPLE);
  let start: number;
  if (initial === undefined) {
    if (Number.isFinite(lo) && Number.isFinite(hi)) start = (lo + hi) / 2;
    else if (Number.isFinite(lo)) start = lo + Math.max(1, Math.abs(lo));
    else if (Number.isFinite(hi)) start = hi - Math.max(1, Math.abs(hi));
    else
      throw invalidArgument(
        api,
        `${label} needs an initial value or two finite bounds`,
        spec,
        `Pass e.g. { initial: 1 } or [${Number.isFinite(lo) ? lo : -10}, 10].`,
      );
  } else {
    if (typeof initial !== 'number' || !Number.isFinite(initial))
      throw invalidArgument(api, `${label}: initial must be a finite number`, initial, EXAMPLE);
    if (!(initial > lo && initial < hi))
      throw invalidArgument(
        api,
        `${label}: initial must lie strictly inside (${lo}, ${hi}) (the bounds are transformed away)`,
        initial,
        'Move the initial value inside the bounds, or widen them.',
      );
    start = initial;
  }
  let toValue: (u: number) => number;
  let toFree: (value: number) => number;
  if (Number.isFinite(lo) && Number.isFinite(hi)) {
    const width = hi - lo;
    toValue = (u) => lo + width * sigmoid(u);
    toFree = (v) => {
      const p = (v - lo) / width;
      return Math.log(p / (1 - p));
    };
  } else if (Number.isFinite(lo)) {
    toValue = (u) => lo + Math.exp(u);
    toFree = (v) => Math.log(v - lo);
  } else if (Number.isFinite(hi)) {
    toValue = (u) => hi - Math.exp(u);
    toFree = (v) => Math.log(hi - v);
  } else {
    toValue = (u) => u;
    toFree = (v) => v;
  }
  return { name, low: lo, high: hi, initial: start, toValue, toFree };
}

/** Names and values as a record. @internal */
export function toRecord(
  parameters: readonly Parameter[],
  values: ArrayLike<number>,
): Record<string, number> {
  const record: Record<string, number> = {};
  parameters.forEach((p, i) => {
    record[p.name] = values[i]!;
  });
  return record;
}
