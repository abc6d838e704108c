export type { StateVariableInfo, StateVariableOptions } from './state-vector';
export { StateSelection, StateVector } from './state-vector';
