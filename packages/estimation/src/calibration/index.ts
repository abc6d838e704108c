export type {
  CalibrateOptions,
  CalibrationDiagnostics,
  CalibrationMethod,
  CalibrationObjective,
  CalibrationResult,
  CalibrationUncertainty,
  EstimateInterval,
  LeastSquaresOptions,
  LikelihoodOptions,
  SimulatedOptions,
} from './calibrate';
export { calibrate } from './calibrate';
export type { ParameterSpec } from './parameters';
