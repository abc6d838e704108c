export type {
  CovarianceUpdateForm,
  KalmanFilterOptions,
  KalmanUpdateOptions,
  LinearSensor,
} from './kalman-filter';
export { KalmanFilter } from './kalman-filter';
