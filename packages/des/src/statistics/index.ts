export {
  type DesCounters,
  DesStatistics,
  type DesStatisticsSnapshot,
  type DesStatisticsState,
  type LevelSummary,
  type TallySummary,
} from './des-statistics';
