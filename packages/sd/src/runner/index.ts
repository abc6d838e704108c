export type { ResultColumn } from './results';
export { SdResults } from './results';
export type { RunOptions, SdVariableHandle } from './run';
export { SdRun, simulate } from './run';
