/**
 * twinkit adapters: readings, sensor registry, data-quality checks, and MQTT, Modbus TCP, file and
 * PostgreSQL sources and sinks that connect a twin to a plant, and the live-twin runtime (`createTwin`).
 *
 * @module @twinkit/adapters
 */

export type { BackoffOptions } from './backoff';
export * from './file';
export * from './quality';
export * from './reading';
export * from './sensors';
export * from './sink';
export * from './source';
export * from './topics';
export * from './twin';
