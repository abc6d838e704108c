export type {
  ContinuousModel,
  ForkOptions,
  InputHandler,
  RealtimeOptions,
  RealtimeResult,
  RunOptions,
  ScheduleOptions,
  SimulationOptions,
  SimulationSnapshot,
  StepInfo,
} from './simulation';
export { ScheduledCall, Simulation } from './simulation';
