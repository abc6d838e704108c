import { describe, expect, it } from 'vitest';
import * as estimation from './index';

describe('@twinkit/estimation exports', () => {
  it('exports exactly the public API (update this list when the API changes on purpose)', () => {
    expect(Object.keys(estimation).sort()).toEqual([
      'ConsistencyMonitor',
      'EnsembleKalmanFilter',
      'ExtendedKalmanFilter',
      'GaussianFilter',
      'JulierSigmaPoints',
      'KalmanFilter',
      'MerweScaledSigmaPoints',
      'ParticleFilter',
      'RESAMPLING_SCHEMES',
      'SequentialStopper',
      'SimulationParticleFilter',
      'SimulationStateSpace',
      'UnscentedKalmanFilter',
      'batchMeans',
      'bonferroniConfidence',
      'chiSquareBand',
      'chiSquareQuantile',
      'compareScenarios',
      'confidenceInterval',
      'crnVarianceReduction',
      'effectiveSampleSize',
      'formatInterval',
      'lag1Autocorrelation',
      'pairedComparison',
      'pairwiseComparisons',
      'resample',
      'rtsSmooth',
      'runReplications',
      'startReplicationWorkers',
      'tCdf',
      'tQuantile',
      'welchComparison',
      'welchWarmup',
    ]);
  });
});
