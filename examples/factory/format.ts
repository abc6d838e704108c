/**
 * Numbers a person reads, for the console and the report alike: plain decimals (never exponent
 * notation), percentages, hours, money in the run's currency, calendar dates of simulated time and
 * intervals (a degenerate one written as its value and a marker, never as `[x, x]`).
 */
import { EPOCH } from './twin';

/** Most decimals {@link plain} writes: anything smaller rounds to 0. */
const MAX_DECIMALS = 6;

/**
 * A number in plain decimals with thousands separators, never in exponent notation: `digits`
 * significant digits, but the whole part is always written in full (`plain(1234.5, 3)` is
 * `"1,235"`, `plain(0.012345, 3)` is `"0.0123"`); values below a millionth are `"0"`.
 */
export function plain(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'n/a' : v > 0 ? '∞' : '−∞';
  const magnitude = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.min(MAX_DECIMALS, Math.max(0, digits - 1 - magnitude));
  const text = new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals }).format(v);
  // A value that rounds to zero is written without a sign.
  return /^-?[0.,]+$/.test(text) ? '0' : text;
}

/** A fraction as a percentage with 3 significant digits: `percent(0.0017)` is `"0.17%"`. */
export function percent(fraction: number, digits = 3): string {
  return `${plain(100 * fraction, digits)}%`;
}

/**
 * A difference of two fractions in percentage points: `percentPoints(0.012)` is `"1.2 pp"`
 * (a percentage of a difference would read as relative).
 */
export function percentPoints(fraction: number, digits = 3): string {
  return `${plain(100 * fraction, digits)} pp`;
}

/** A duration in hours (the one unit of durations in the console and the report): `"12.5 h"`. */
export function hours(v: number, digits = 3): string {
  return `${plain(v, digits)} h`;
}

/**
 * An amount of money in `currency` (an ISO 4217 code), whole units: `money(129600, 'EUR')` is
 * `"€129,600"`.
 */
export function money(v: number, currency: string): string {
  // Math.round(-0.2) is -0, which Intl writes as "-€0".
  const whole = Math.round(v) || 0;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(
    whole,
  );
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Milliseconds since 1970 (UTC) of simulated minute `minutes` (minutes from `EPOCH`). */
export function instantOf(minutes: number): number {
  return EPOCH + minutes * 60_000;
}

/** The calendar date and time of simulated minute `minutes`, UTC: `"Mon 19 Jan 2026 14:00 UTC"`. */
export function dateOf(minutes: number): string {
  // Rounded to the minute (a 59.9999 would otherwise show as the hour before).
  const d = new Date(Math.round(instantOf(minutes) / 60_000) * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

/**
 * The marker {@link interval} puts after a degenerate interval's value; explain it once where it
 * is used ({@link SAME_NOTE}).
 */
export const SAME_MARKER = '†';

/** The explanation of {@link SAME_MARKER}. */
export const SAME_NOTE =
  '† the same in every replication (with common random numbers it does not depend on chance, so its interval has no width)';

/**
 * A mean with its interval, `"12.3 [10.1, 14.5]"`, each number written by `f`. A degenerate
 * interval (`degenerate`, or one whose ends look the same when written) is just the value and
 * `marker` (default {@link SAME_MARKER}): never `[x, x]`.
 */
export function interval(
  mean: number,
  lower: number,
  upper: number,
  f: (v: number) => string = (v) => plain(v),
  options: { degenerate?: boolean; marker?: string } = {},
): string {
  const lo = f(lower);
  const hi = f(upper);
  if (options.degenerate === true || lo === hi) return `${f(mean)}${options.marker ?? SAME_MARKER}`;
  return `${f(mean)} [${lo}, ${hi}]`;
}
