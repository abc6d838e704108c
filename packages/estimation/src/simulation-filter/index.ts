export type {
  SimulationParticleFilterOptions,
  SimulationSensor,
} from './simulation-particle-filter';
export { SimulationParticleFilter } from './simulation-particle-filter';
export type { SimulationStateSpaceOptions } from './simulation-state-space';
export { SimulationStateSpace } from './simulation-state-space';
