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
      'calibrate',
      'compareScenarios',
      'confidenceInterval',
      'crnVarianceReduction',
      'effectiveSampleSize',
      'formatInterval',
      'pairedComparison',
      'pairwiseComparisons',
      'resample',
      'rtsSmooth',
      'runReplications',
      'startReplicationWorkers',
      'validateAgainstHistory',
      'welchComparison',
      'welchWarmup',
    ]);
  });

  it('exports the numeric helpers from @twinkit/estimation/stats, and only there', async () => {
    const stats = await import('./stats');
    expect(Object.keys(stats).sort()).toEqual([
      'chiSquareBand',
      'chiSquareQuantile',
      'lag1Autocorrelation',
      'tCdf',
      'tQuantile',
    ]);
  });
});
