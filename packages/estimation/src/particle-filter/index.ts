export type {
  ParticleFilterOptions,
  ParticleMeasurementUpdate,
  ParticleSensor,
  ParticleTransition,
  ParticleUpdateResult,
} from './particle-filter';
export { ParticleFilter } from './particle-filter';
export type { ResamplingScheme, UniformDraws } from './resampling';
export { effectiveSampleSize, RESAMPLING_SCHEMES, resample } from './resampling';
