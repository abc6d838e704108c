import { invalidArgument, rejectUnknownKeys, requireInteger } from '@twinkit/core/internal';

/** Options of {@link welchWarmup}. */
export interface WelchWarmupOptions {
  /** Half-width w of the moving average (2w + 1 points); default max(1, ⌊m/20⌋) for series of length m. */
  window?: number;
  /**
   * Relative band around the steady-state level that the smoothed curve must reach at the deletion
   * point; default 0.02 (±2%).
   */
  tolerance?: number;
}

/** Welch's graphical warm-up data and a suggested deletion point. */
export interface WelchWarmup {
  /** Mean over replications at each observation index. */
  averaged: number[];
  /** The averaged series smoothed by Welch's moving average (shorter by `window` at the end). */
  smoothed: number[];
  /** The moving-average half-width used. */
  window: number;
  /** Steady-state level: the mean of the second half of the smoothed curve. */
  level: number;
  /** The first index at which the smoothed curve comes within ±tolerance·|level| of the level; delete observations before it. */
  deletionPoint: number;
}

/**
 * Computes the data of Welch's graphical method for the warm-up period: average the replications
 * index by index, smooth with a centred moving average, and suggest as deletion point the first
 * index at which the curve comes within a band around its steady level. Plot `smoothed` to
 * confirm the suggestion: Welch's method is graphical and the band rule is only a heuristic.
 *
 * @param replications - One series per replication (e.g. the wait of each successive customer), all
 *   of the same length m (or longer: the common prefix is used).
 */
export function welchWarmup(
  replications: readonly (readonly number[])[],
  options: WelchWarmupOptions = {},
): WelchWarmup {
  const api = 'welchWarmup(replications, options)';
  rejectUnknownKeys(api, options, ['window', 'tolerance'], '{ window: 5 }');
  if (!Array.isArray(replications) || replications.length === 0) {
    throw invalidArgument(
      api,
      'replications must be a non-empty array of series',
      replications,
      'Pass one series per replication.',
    );
  }
  const m = Math.min(...replications.map((r) => (Array.isArray(r) ? r.length : 0)));
  if (m < 3) throw invalidArgument(api, 'every series must hold at least 3 observations', m);
  const averaged = new Array<number>(m).fill(0);
  replications.forEach((series, r) => {
    for (let i = 0; i < m; i++) {
      const v = series[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw invalidArgument(api, `replications[${r}][${i}] must be a finite number`, v);
      }
      averaged[i] = averaged[i]! + v / replications.length;
    }
  });
  const window = requireInteger(api, 'window', options.window ?? Math.max(1, Math.floor(m / 20)), 1);
  if (window > Math.floor((m - 1) / 2)) {
    throw invalidArgument(
      api,
      `window must be <= ${Math.floor((m - 1) / 2)} for series of length ${m}`,
      window,
      'Use a smaller window (Welch suggests w <= m/4).',
    );
  }
  const tolerance = options.tolerance ?? 0.02;
  if (!(tolerance > 0)) throw invalidArgument(api, 'tolerance must be > 0', tolerance);
  // Welch's moving average: a centred window of 2w + 1 points, shrinking to 2i + 1 points near the start.
  const prefix = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) prefix[i + 1] = prefix[i]! + averaged[i]!;
  const smoothed: number[] = [];
  for (let i = 0; i < m - window; i++) {
    const half = Math.min(i, window);
    smoothed.push((prefix[i + half + 1]! - prefix[i - half]!) / (2 * half + 1));
  }
  const start = Math.floor(smoothed.length / 2);
  const level = smoothed.slice(start).reduce((a, b) => a + b, 0) / (smoothed.length - start);
  const band = tolerance * Math.abs(level);
  // The first index where the smoothed curve comes within the band of its level. (Requiring it to
  // stay there until the end fails on long noisy runs, where the tail wanders out of a tight band.)
  let deletionPoint = smoothed.findIndex((v) => Math.abs(v - level) <= band);
  if (deletionPoint < 0) deletionPoint = smoothed.length;
  return { averaged, smoothed, window, level, deletionPoint };
}
