export type { ResultColumn } from './results';
export { SdResults } from './results';
export type { RunOptions } from './run';
export { SdRun, simulate } from './run';
