export type {
  GaussianEstimate,
  MeasurementUpdate,
  MissingUpdate,
  UpdateOptions,
  UpdateResult,
} from './gaussian-filter';
export { GaussianFilter } from './gaussian-filter';
