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
