export type { ContinuousModel } from './continuous';
export type { RealtimeOptions, RealtimeResult } from './realtime';
export type {
  ForkOptions,
  InputHandler,
  RunOptions,
  ScheduleOptions,
  SimulationOptions,
  SimulationSnapshot,
  StepInfo,
} from './simulation';
export { ScheduledCall, Simulation } from './simulation';
