export type {
  CompareScenariosOptions,
  OutputComparison,
  ScenarioComparisonResults,
} from './compare-scenarios';
export { compareScenarios } from './compare-scenarios';
export type { OutputFunction, ReplicationRecord, ReplicationTask } from './replication-task';
export type {
  OutputSummary,
  ReplicationExecutor,
  ReplicationProgress,
  ReplicationResults,
  ReplicationWorkers,
  RunReplicationsOptions,
  StoppingRule,
} from './run-replications';
export { runReplications, startReplicationWorkers } from './run-replications';
