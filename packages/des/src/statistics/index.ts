export {
  DesStatistics,
  type DesStatisticsSnapshot,
  type LevelSummary,
  type TallySummary,
} from './des-statistics';
