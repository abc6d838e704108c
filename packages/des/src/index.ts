/**
 * twinkit discrete-event simulation: resources, containers, stores with built-in statistics, on the
 * shared clock.
 *
 * @module @twinkit/des
 */
export * from './base-resource';
export * from './container';
export * from './resource';
export * from './statistics';
export * from './store';
export {
  type FileTraceSink,
  fileTraceSink,
  formatTraceRecord,
  startTrace,
  TRACE_KINDS,
  Trace,
  type TraceKind,
  type TraceOptions,
  type TraceRecord,
  type TraceSink,
} from './trace';
