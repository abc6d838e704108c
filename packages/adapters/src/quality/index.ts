export * from './quality-check';
export type {
  ForwardFillRuleOptions,
  HeartbeatRuleOptions,
  MonotonicRuleOptions,
  QualityRejection,
  QualityRuleName,
  QualityRules,
  QualitySettings,
  RangeRuleOptions,
  SpikeRuleOptions,
} from './rules';
export { PURE_NUMBER_UNIT } from './units';
