export type { JulierOptions, MerweScaledOptions, SigmaPointScheme, SigmaWeights } from './sigma-points';
export { JulierSigmaPoints, MerweScaledSigmaPoints } from './sigma-points';
export type { UnscentedKalmanFilterOptions, UnscentedSensor } from './unscented-kalman-filter';
export { UnscentedKalmanFilter } from './unscented-kalman-filter';
