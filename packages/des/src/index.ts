/**
 * twinkit discrete-event simulation: resources, containers, stores with built-in statistics, on the
 * shared clock.
 *
 * This entry point imports no `node:` module, so it bundles for a browser. What writes files lives
 * in `@twinkit/des/node`: `fileTraceSink` (and its type `FileTraceSink`) moved there.
 *
 * @module @twinkit/des
 */
export * from './base-resource';
export * from './container';
export * from './resource';
export * from './statistics';
export * from './store';
export {
  formatTraceRecord,
  startTrace,
  TRACE_KINDS,
  Trace,
  type TraceKind,
  type TraceOptions,
  type TraceRecord,
  type TraceSink,
} from './trace';
