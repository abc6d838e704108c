/**
 * twinkit estimation: Kalman (KF/EKF/UKF), particle and ensemble filters, Monte Carlo experiments
 * with confidence intervals, calibration of parameters to data and validation against history.
 *
 * The numeric helpers (t and chi-square quantiles, the chi-square band, lag-1 autocorrelation) are
 * in `@twinkit/estimation/stats`.
 *
 * @module @twinkit/estimation
 */
export { type BatchMeans, type BatchMeansOptions, batchMeans } from './batch-means';
export * from './calibration';
export * from './confidence-interval';
export {
  ConsistencyMonitor,
  type ConsistencyMonitorOptions,
  type ConsistencyState,
  type ConsistencyStatus,
} from './consistency-monitor';
export * from './ensemble-kalman-filter';
export * from './extended-kalman-filter';
export * from './gaussian-filter';
export * from './kalman-filter';
export * from './linear-algebra';
export * from './particle-filter';
export * from './replications';
export * from './rts-smoother';
export * from './scenario-statistics';
export * from './sequential-stopping';
export * from './simulation-filter';
export * from './unscented-kalman-filter';
export * from './validation';
export * from './warm-up';
