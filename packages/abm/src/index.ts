/**
 * twinkit agent-based modelling: agents, grid/continuous/network spaces, A*, data collection, on
 * the shared clock.
 *
 * @module @twinkit/abm
 */
export * from './activation';
export * from './agent-model';
export * from './agent-set';
export * from './continuous-space';
export * from './data-collector';
export * from './grid-space';
export type { Locatable } from './internal/id-index';
export type { RandomSource } from './internal/random-source';
export * from './network-space';
export * from './pathfinding';
