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
  RunReplicationsOptions,
  StoppingRule,
} from './run-replications';
export { runReplications } from './run-replications';
