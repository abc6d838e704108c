export { Tally, type TallyState } from './tally';
export type { TimeSeriesOptions } from './time-series';
export { TimeSeries } from './time-series';
export type { Clock, TimeWeightedState } from './time-weighted';
export { TimeWeighted } from './time-weighted';
