export type { BatchMeans, BatchMeansOptions } from './batch-means';
export { batchMeans, lag1Autocorrelation } from './batch-means';
