export type { SequentialStep, SequentialStoppingOptions } from './sequential-stopping';
export { SequentialStopper } from './sequential-stopping';
