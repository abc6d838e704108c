export type { ContinuousModel } from './continuous';
export type { InputHandler } from './input';
export type { RunOptions, ScheduleOptions, SimulationOptions } from './options';
export type { RealtimeOptions, RealtimeResult } from './realtime';
export { ScheduledCall } from './scheduled-call';
export type { ForkOptions, SimulationSnapshot } from './simulation';
export { Simulation } from './simulation';
export type { StepInfo } from './step-info';
