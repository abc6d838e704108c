export type {
  HistoryValidationReport,
  KpiVerdict,
  ValidateAgainstHistoryOptions,
} from './validate-against-history';
export { validateAgainstHistory } from './validate-against-history';
