export type {
  ChiSquareBand,
  ConsistencyMonitorOptions,
  ConsistencyState,
  ConsistencyStatus,
} from './consistency-monitor';
export { ConsistencyMonitor, chiSquareBand } from './consistency-monitor';
