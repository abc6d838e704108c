export type { ResultColumn } from './results';
export { SdResults } from './results';
export type { RunOptions, SdRunOptions, SdVariableHandle } from './run';
export { SdRun, simulate } from './run';
