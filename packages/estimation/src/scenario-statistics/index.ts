export type {
  PairedComparison,
  ScenarioComparison,
  VarianceReduction,
  WelchComparison,
} from './scenario-statistics';
export {
  bonferroniConfidence,
  crnVarianceReduction,
  pairedComparison,
  pairwiseComparisons,
  welchComparison,
} from './scenario-statistics';
