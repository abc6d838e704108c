export { SdResults } from './results';
export type { ResultColumn } from './results';
export { SdRun, simulate } from './run';
export type { RunOptions } from './run';
