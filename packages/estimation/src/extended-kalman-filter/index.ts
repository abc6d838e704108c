export type {
  ExtendedKalmanFilterOptions,
  MeasurementFunction,
  MeasurementJacobian,
  NonlinearSensor,
  TransitionFunction,
  TransitionJacobian,
} from './extended-kalman-filter';
export { ExtendedKalmanFilter } from './extended-kalman-filter';
