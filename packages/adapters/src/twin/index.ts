export { createTwin } from './create-twin';
export type * from './types';
