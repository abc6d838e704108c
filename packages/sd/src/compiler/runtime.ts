/**
 * Helpers the generated model code calls: tables, time functions, fixed delays and random draws.
 * Internal to the package. (Not tagged internal: on a file comment that tag strips the next import.)
 */
import { TwinkitError } from '@twinkit/core';
import type { EquationFunction, GraphicalType } from '../model';

/** A source of uniform numbers in [0, 1), e.g. `RandomStream.random.bind(stream)` from `@twinkit/core`. */
export type UniformSource = () => number;

/** What the generated functions read besides the value array. @internal */
export interface RuntimeContext {
  dt: number;
  start: number;
  stop: number;
  g: ((x: number) => number)[];
  f: EquationFunction[];
  view: Record<string, number>;
  dl: FixedDelay[];
  /** Scratch rates of the generated Euler loop (one per slot). */
  scratch: Float64Array;
  /** Sum of x - x over the values saved by the generated Euler loop: NaN once one was not finite. */
  finite: number;
  rand: UniformSource;
  /** The second Box–Muller deviate kept for the next normal draw, NaN when none (saved with a run). */
  spareNormal(): number;
  /** Replaces the kept Box–Muller deviate (NaN: none), when a run is restored. */
  setSpareNormal(z: number): void;
  mod(a: number, b: number): number;
  safediv(a: number, b: number, alternative: number): number;
  stddev(values: number[]): number;
  step(time: number, height: number, at: number): number;
  invertMatrixElement(row: number, col: number, n: number, values: number[]): number;
  vectorSortOrder(k: number, direction: number, values: number[]): number;
  vectorRank(k: number, direction: number, values: number[]): number;
  vectorPick(index: number, values: number[]): number;
  vectorSelect(missing: number, action: number, error: number, selection: number[], values: number[]): number;
  ramp(time: number, slope: number, start: number, end: number): number;
  pulse(time: number, dt: number, magnitude: number, first: number, interval: number): number;
  uniform(min: number, max: number): number;
  normal(mean: number, sd: number): number;
  lognormal(mean: number, sd: number): number;
  poisson(mean: number): number;
  triangular(min: number, mode: number, max: number): number;
  /**
   * HISTORY(variable, at): the variable's value at the latest step time <= `at`, from `line` (its
   * values pushed at each step) or `current` when `at` is the current time; throws for a time after
   * the current time or before the start time, naming `where`.
   */
  history(line: FixedDelay, at: number, time: number, current: number, where: string): number;
  /**
   * A conveyor's leak fractions at `time`: returns `total` (their sum) when it is in [0, 1]; throws
   * naming `where` otherwise (the normal outflow would get a negative or more than all of what enters).
   */
  leakFractions(total: number, time: number, where: string): number;
}

/** Builds a graphical function over its points: clamped, extrapolated or stepwise. @internal */
export function lookupTable(xs: Float64Array, ys: Float64Array, type: GraphicalType): (x: number) => number {
  const n = xs.length;
  const last = n - 1;
  return (x: number): number => {
    if (Number.isNaN(x)) return Number.NaN;
    if (x <= xs[0]!) {
      if (type === 'extrapolate' && n > 1 && x < xs[0]!) {
        return ys[0]! + ((x - xs[0]!) * (ys[1]! - ys[0]!)) / (xs[1]! - xs[0]!);
      }
      return ys[0]!;
    }
    if (x >= xs[last]!) {
      if (type === 'extrapolate' && n > 1 && x > xs[last]!) {
        return ys[last]! + ((x - xs[last]!) * (ys[last]! - ys[last - 1]!)) / (xs[last]! - xs[last - 1]!);
      }
      return ys[last]!;
    }
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid]! <= x) lo = mid;
      else hi = mid;
    }
    if (type === 'discrete') return ys[lo]!;
    const x0 = xs[lo]!;
    const x1 = xs[hi]!;
    if (x1 === x0) return ys[hi]!;
    return ys[lo]! + ((x - x0) * (ys[hi]! - ys[lo]!)) / (x1 - x0);
  };
}

/** XMILE STEP: `height` from time `at` on. @internal */
export function step(time: number, height: number, at: number): number {
  return time >= at ? height : 0;
}

/** XMILE RAMP: grows with `slope` from `start` until `end`. @internal */
export function ramp(time: number, slope: number, start: number, end: number): number {
  if (time <= start) return 0;
  return slope * (Math.min(time, end) - start);
}

/**
 * XMILE PULSE: moves `magnitude` in one step of `dt` (a rate of magnitude/dt) at `first` and then
 * every `interval` (once when interval <= 0). @internal
 */
export function pulse(time: number, dt: number, magnitude: number, first: number, interval: number): number {
  const eps = dt * 1e-6;
  const since = time - first;
  if (since < -eps) return 0;
  const phase = interval > 0 ? since - interval * Math.floor((since + eps) / interval) : since;
  return phase < dt - eps ? magnitude / dt : 0;
}

/**
 * Element (row, col) of the inverse of the n x n matrix `values` (row by row), by Gauss-Jordan
 * elimination with partial pivoting; NaN when the matrix is singular. @internal
 */
export function invertMatrixElement(row: number, col: number, n: number, values: number[]): number {
  const a = values.slice();
  const inv = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]!) > Math.abs(a[p * n + k]!)) p = i;
    const pivot = a[p * n + k]!;
    if (pivot === 0 || !Number.isFinite(pivot)) return Number.NaN;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        [a[k * n + j], a[p * n + j]] = [a[p * n + j]!, a[k * n + j]!];
        [inv[k * n + j], inv[p * n + j]] = [inv[p * n + j]!, inv[k * n + j]!];
      }
    }
    for (let j = 0; j < n; j++) {
      a[k * n + j]! /= pivot;
      inv[k * n + j]! /= pivot;
    }
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const f = a[i * n + k]!;
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        a[i * n + j]! -= f * a[k * n + j]!;
        inv[i * n + j]! -= f * inv[k * n + j]!;
      }
    }
  }
  return inv[row * n + col]!;
}

/**
 * Vensim's VECTOR SELECT over paired selections and values: the values whose selection is not
 * zero, combined by `action` (0 sum, 1 product, 2 min, 3 max, 4 mean, each of selection * value;
 * 5 product of value ^ selection; 6 to 10 sum, product, min, max, mean of the values), `missing`
 * when every selection is zero. `error` 1 (none selected), 2 (more than one) or 3 (either) gives
 * NaN in those cases, as Vensim reports a floating-point error. @internal
 */
export function vectorSelect(
  missing: number,
  action: number,
  error: number,
  selection: number[],
  values: number[],
): number {
  let count = 0;
  for (const s of selection) if (s !== 0) count++;
  if ((count === 0 && (error === 1 || error === 3)) || (count > 1 && (error === 2 || error === 3)))
    return Number.NaN;
  if (count === 0) return missing;
  const picked: number[] = [];
  selection.forEach((s, i) => {
    if (s === 0) return;
    const v = values[i]!;
    picked.push(action <= 4 ? s * v : action === 5 ? v ** s : v);
  });
  switch (action) {
    case 0:
    case 6:
      return picked.reduce((x, y) => x + y, 0);
    case 1:
    case 5:
    case 7:
      return picked.reduce((x, y) => x * y, 1);
    case 2:
    case 8:
      return Math.min(...picked);
    case 3:
    case 9:
      return Math.max(...picked);
    case 4:
    case 10:
      return picked.reduce((x, y) => x + y, 0) / picked.length;
    default:
      return Number.NaN;
  }
}

/** The indices of `values` sorted ascending (ties keep their order), or reversed when `direction` <= 0. */
function sortOrder(direction: number, values: number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  return direction > 0 ? order : order.reverse();
}

/**
 * Vensim's VECTOR SORT ORDER, element `k`: the 0-based index of the value that comes k-th when
 * `values` are sorted ascending (`direction` > 0) or descending. @internal
 */
export function vectorSortOrder(k: number, direction: number, values: number[]): number {
  if (values.some((v) => Number.isNaN(v))) return Number.NaN;
  return sortOrder(direction, values)[k]!;
}

/** Vensim's VECTOR RANK, element `k`: its 1-based place in that order. @internal */
export function vectorRank(k: number, direction: number, values: number[]): number {
  if (values.some((v) => Number.isNaN(v))) return Number.NaN;
  return sortOrder(direction, values).indexOf(k) + 1;
}

/** Vensim's VECTOR REORDER, one element: `values[index]`; NaN when the index is not one of them. @internal */
export function vectorPick(index: number, values: number[]): number {
  return Number.isInteger(index) && index >= 0 && index < values.length ? values[index]! : Number.NaN;
}

/**
 * A fixed (pipeline) delay: remembers its input at each step and returns the input of
 * `time - delay`, or the initial value before the first recorded time. @internal
 */
export class FixedDelay {
  private times = new Float64Array(64);
  private values = new Float64Array(64);
  private count = 0;

  /** Records the input at a step time (times must not decrease; a repeated time overwrites). */
  push(time: number, value: number): void {
    if (this.count > 0 && time <= this.times[this.count - 1]!) {
      // Rewinding (a partial step then a realigned step): drop what lies at or after `time`.
      while (this.count > 0 && this.times[this.count - 1]! >= time) this.count--;
    }
    if (this.count === this.times.length) {
      const t = new Float64Array(this.count * 2);
      t.set(this.times);
      this.times = t;
      const v = new Float64Array(this.count * 2);
      v.set(this.values);
      this.values = v;
    }
    this.times[this.count] = time;
    this.values[this.count] = value;
    this.count++;
  }

  /** Returns the input recorded at the latest time <= `time`, or `initial` before the first. */
  get(time: number, initial: number): number {
    const n = this.count;
    if (n === 0) return initial;
    const eps = 1e-9 * Math.max(1, Math.abs(time));
    if (time < this.times[0]! - eps) return initial;
    let lo = 0;
    let hi = n - 1;
    if (this.times[hi]! <= time + eps) return this.values[hi]!;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= time + eps) lo = mid;
      else hi = mid;
    }
    return this.values[lo]!;
  }

  /**
   * The sum of the inputs recorded at `time - dt`, ..., `time - n * dt` (`initial` for a time
   * before the first record): a conveyor's leakage, what entered during the last n steps.
   */
  sumBack(time: number, dt: number, n: number, initial: number): number {
    let sum = 0;
    for (let j = 1; j <= n; j++) sum += this.get(time - j * dt, initial);
    return sum;
  }

  /** The first recorded time, NaN when nothing is recorded. */
  firstTime(): number {
    return this.count > 0 ? this.times[0]! : Number.NaN;
  }

  /** Forgets every recorded input. */
  clear(): void {
    this.count = 0;
  }

  /** Returns views of the recorded times and inputs (valid until the next push): for saving a run. */
  history(): { times: Float64Array; values: Float64Array } {
    return { times: this.times.subarray(0, this.count), values: this.values.subarray(0, this.count) };
  }

  /** Replaces the recorded inputs by a saved history (times not decreasing, as {@link history} gives them). */
  load(times: ArrayLike<number>, values: ArrayLike<number>): void {
    const n = times.length;
    const capacity = Math.max(64, n);
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.times.set(times);
    this.values.set(values);
    this.count = n;
  }
}

/** The check of a conveyor's leak fractions (see {@link RuntimeContext.leakFractions}). @internal */
export function leakFractions(total: number, time: number, where: string): number {
  if (total >= 0 && total <= 1) return total;
  throw new TwinkitError(
    `${where}: the conveyor's leak fractions add up to ${total} at time ${time}; they must add up to a number from 0 to 1 ` +
      "(what enters leaks that part of itself: more than all of it, or less than none, cannot leak). Fix the leak flows' equations.",
    { code: 'INVALID_ARGUMENT', details: { where, time, total } },
  );
}

/** HISTORY's lookup (see {@link RuntimeContext.history}). @internal */
export function history(line: FixedDelay, at: number, time: number, current: number, where: string): number {
  const eps = 1e-9 * Math.max(1, Math.abs(time));
  if (at >= time - eps && at <= time + eps) return current;
  if (at > time || Number.isNaN(at)) {
    throw new TwinkitError(
      `${where}: asks for the value at time ${at}, after the current time ${time}; HISTORY reads only the past ` +
        '(a time <= TIME)',
      { code: 'INVALID_ARGUMENT', details: { where, time, at } },
    );
  }
  const first = line.firstTime();
  if (Number.isNaN(first) || at < first - 1e-9 * Math.max(1, Math.abs(first))) {
    throw new TwinkitError(
      `${where}: asks for the value at time ${at}, before the start of the run (${Number.isNaN(first) ? time : first}); ` +
        'HISTORY has no value before the start time',
      { code: 'INVALID_ARGUMENT', details: { where, time, at } },
    );
  }
  return line.get(at, Number.NaN);
}

/** Builds the runtime context of one run. @internal */
export function createContext(
  specs: { dt: number; start: number; stop: number },
  graphicals: ((x: number) => number)[],
  functions: EquationFunction[],
  delayCount: number,
  rand: UniformSource,
  slotCount: number,
): RuntimeContext {
  let spareNormal = Number.NaN;
  const normal01 = (): number => {
    if (!Number.isNaN(spareNormal)) {
      const z = spareNormal;
      spareNormal = Number.NaN;
      return z;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    dt: specs.dt,
    start: specs.start,
    stop: specs.stop,
    g: graphicals,
    f: functions,
    view: {},
    dl: Array.from({ length: delayCount }, () => new FixedDelay()),
    scratch: new Float64Array(slotCount),
    finite: 0,
    rand,
    spareNormal: () => spareNormal,
    setSpareNormal: (z) => {
      spareNormal = z;
    },
    // The suite's canonical output (test_rounding) takes the sign of the dividend, like JS `%`.
    mod: (a, b) => a % b,
    safediv: (a, b, alternative) => (b === 0 ? alternative : a / b),
    stddev: (values) => {
      const n = values.length;
      const mean = values.reduce((s, x) => s + x, 0) / n;
      return Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
    },
    step,
    invertMatrixElement,
    vectorSortOrder,
    vectorRank,
    vectorPick,
    vectorSelect,
    ramp,
    pulse,
    uniform: (min, max) => min + (max - min) * rand(),
    normal: (mean, sd) => mean + sd * normal01(),
    lognormal: (mean, sd) => Math.exp(mean + sd * normal01()),
    poisson: (mean) => {
      // Knuth's product method for small means, normal approximation beyond 500.
      if (mean > 500) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal01()));
      const limit = Math.exp(-mean);
      let k = 0;
      let p = rand();
      while (p > limit) {
        k++;
        p *= rand();
      }
      return k;
    },
    history,
    leakFractions,
    triangular: (min, mode, max) => {
      const u = rand();
      const f = (mode - min) / (max - min);
      return u < f
        ? min + Math.sqrt(u * (max - min) * (mode - min))
        : max - Math.sqrt((1 - u) * (max - min) * (max - mode));
    },
  };
}
