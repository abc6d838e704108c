export type { EnsembleKalmanFilterOptions, EnsembleSensor } from './ensemble-kalman-filter';
export { EnsembleKalmanFilter } from './ensemble-kalman-filter';
