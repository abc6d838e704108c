/**
 * twinkit estimation: Kalman (KF/EKF/UKF), particle and ensemble filters, Monte Carlo experiments
 * with confidence intervals.
 *
 * @module @twinkit/estimation
 */
export * from './batch-means';
export * from './confidence-interval';
export * from './consistency-monitor';
export * from './distributions';
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
export * from './warm-up';
