export type {
  ContinuousModel,
  ForkOptions,
  InputHandler,
  JournalEntry,
  RealtimeOptions,
  RealtimeResult,
  RunOptions,
  ScheduleOptions,
  SimulationOptions,
  SimulationSnapshot,
  StepInfo,
} from './simulation';
export { ScheduledCall, Simulation } from './simulation';
