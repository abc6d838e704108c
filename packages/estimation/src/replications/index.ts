export type {
  CompareScenariosOptions,
  OutputComparison,
  ScenarioComparisonResults,
} from './compare-scenarios';
export { compareScenarios } from './compare-scenarios';
export type { OutputFunction } from './replication-task';
export type {
  OutputSummary,
  ReplicationProgress,
  ReplicationResults,
  ReplicationWorkers,
  RunReplicationsOptions,
  StoppingRule,
} from './run-replications';
export { runReplications, startReplicationWorkers } from './run-replications';
