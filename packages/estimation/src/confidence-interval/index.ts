export type { ConfidenceInterval } from './confidence-interval';
export { confidenceInterval, formatInterval } from './confidence-interval';
