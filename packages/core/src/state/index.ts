export type { StateVariableInfo, StateVariableOptions, StateWriteObserver } from './state-vector';
export { StateSelection, StateVector } from './state-vector';
