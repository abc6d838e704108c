/**
 * `@twinkit/estimation/stats`: the numeric helpers behind the filters and the output analysis:
 * Student-t and chi-square quantiles and CDF, the chi-square band of a consistency test (NEES/NIS),
 * the lag-1 autocorrelation of a series. For your own tests and checks; the filters and
 * experiments of `@twinkit/estimation` use them already.
 *
 * @example
 * ```ts
 * import { tQuantile } from '@twinkit/estimation/stats';
 * const t = tQuantile(0.975, 9); // 2.262...: the 95% two-sided t for 10 replications
 * ```
 *
 * @module @twinkit/estimation/stats
 */
export { lag1Autocorrelation } from '../batch-means/batch-means';
export { type ChiSquareBand, chiSquareBand } from '../consistency-monitor/consistency-monitor';
export { chiSquareQuantile, tCdf, tQuantile } from '../distributions/quantiles';
