import type { Simulation, StepInfo } from '@twinkit/core';
import { formatValue, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { type DesContext, desContext } from '../context';

/** What happened, in a {@link TraceRecord}. */
export type TraceKind =
  /** A request or get/put was made and has to wait. */
  | 'request'
  /** A request, get or put was granted. */
  | 'grant'
  /** A unit of a Resource was released. */
  | 'release'
  /** A waiting request was withdrawn (`cancel()` before it was granted). */
  | 'renege'
  /** A request was refused because the waiting line was full. */
  | 'balk'
  /** A user of a PreemptiveResource lost its unit to a more urgent request. */
  | 'preempt'
  /** A FilterStore filter threw; the get request failed. */
  | 'error'
  /** A Container level or a Resource capacity was set (through the state vector, `setLevel` or `setCapacity`). */
  | 'set'
  /**
   * Any calendar event (a timeout, a process starting or ending, a scheduled call, a state event);
   * recorded only when the trace is started with `steps: true`. `operation` says which.
   */
  | 'step';

/** Every {@link TraceKind}, in a stable order. */
export const TRACE_KINDS: readonly TraceKind[] = [
  'request',
  'grant',
  'release',
  'renege',
  'balk',
  'preempt',
  'error',
  'set',
  'step',
];

/** One structured trace line: when, what, which process, which resource, and details. */
export interface TraceRecord {
  /** Simulated time. */
  time: number;
  /** What happened. */
  kind: TraceKind;
  /** Name of the process concerned (the requester, for grants), or null outside processes. */
  process: string | null;
  /** Name of the resource, container or store ('' for `step` records). */
  resource: string;
  /** The operation: `request`, `put` or `get`; for `step` records, the kind of calendar event. */
  operation: 'request' | 'put' | 'get' | StepInfo['kind'];
  /** Amount (Container), priority (PriorityResource), waiting time (grants), level or count after the event. */
  detail: Readonly<Record<string, number | string | boolean>>;
}

/** Receives trace records as they happen. */
export type TraceSink = (record: TraceRecord) => void;

/** Options of {@link startTrace}. */
export interface TraceOptions {
  /** Keep only records for which this returns true. */
  filter?: (record: TraceRecord) => boolean;
  /** Keep only these kinds. */
  kinds?: readonly TraceKind[];
  /** Keep only records of resources with these names. */
  resources?: readonly string[];
  /** Sends each kept record here as it happens (for example `fileTraceSink` from `@twinkit/des/node`, or a printer). */
  sink?: TraceSink;
  /** Whether to keep records in memory in {@link Trace.records} (default: true without a sink, false with one). */
  keep?: boolean;
  /**
   * Also record every calendar event of the simulation (timeouts, process starts and ends, scheduled
   * calls, state events) as `step` records (default false).
   */
  steps?: boolean;
}

const TRACE_OPTION_KEYS: readonly string[] = ['filter', 'kinds', 'resources', 'sink', 'keep', 'steps'];

/**
 * Records what the resources, containers and stores of one simulation do, as structured records that
 * can be filtered, kept in memory, printed or streamed to a file. Start one with {@link startTrace};
 * tracing is off until then and costs one field check per event.
 *
 * @example
 * ```ts
 * const trace = startTrace(sim, { kinds: ['grant', 'renege'] });
 * sim.run({ until: 60 });
 * trace.stop();
 * for (const line of trace.lines()) process.stdout.write(`${line}\n`);
 * ```
 */
export class Trace {
  /** The records kept so far (empty when `keep` is false). */
  readonly records: TraceRecord[] = [];
  private readonly ctx: DesContext;
  private readonly filter: ((record: TraceRecord) => boolean) | undefined;
  private readonly kinds: ReadonlySet<TraceKind> | null;
  private readonly resources: ReadonlySet<string> | null;
  private readonly sink: TraceSink | undefined;
  private readonly keep: boolean;
  private active = true;
  private readonly unsubscribeSteps: (() => void) | null;

  /** @internal Use {@link startTrace}. */
  constructor(ctx: DesContext, options: TraceOptions, sim: Simulation) {
    this.ctx = ctx;
    this.unsubscribeSteps =
      options.steps === true
        ? sim.onStep((info) =>
            this._record({
              time: info.time,
              kind: 'step',
              process: info.process,
              resource: '',
              operation: info.kind,
              detail: { event: info.description },
            }),
          )
        : null;
    this.filter = options.filter;
    this.kinds = options.kinds === undefined ? null : new Set(options.kinds);
    this.resources = options.resources === undefined ? null : new Set(options.resources);
    this.sink = options.sink;
    this.keep = options.keep ?? options.sink === undefined;
  }

  /** Whether the trace is still recording. */
  get recording(): boolean {
    return this.active;
  }

  /** Stops recording; the records kept so far stay available. */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.unsubscribeSteps?.();
    const traces = this.ctx.traces;
    if (traces === null) return;
    const rest = traces.filter((t) => t !== this);
    this.ctx.traces = rest.length === 0 ? null : rest;
  }

  /** Returns the kept records formatted one per line (see {@link formatTraceRecord}). */
  lines(): string[] {
    return this.records.map(formatTraceRecord);
  }

  /** @internal */
  _record(record: TraceRecord): void {
    if (this.kinds !== null && !this.kinds.has(record.kind)) return;
    if (this.resources !== null && record.kind !== 'step' && !this.resources.has(record.resource)) return;
    if (this.filter !== undefined && !this.filter(record)) return;
    if (this.keep) this.records.push(record);
    this.sink?.(record);
  }
}

/**
 * Starts tracing every resource, container and store of `sim` (those created before and after).
 * Several traces can run at once, each with its own filter and sink.
 *
 * @throws TwinkitError for options of the wrong type or an unknown kind.
 */
export function startTrace(sim: Simulation, options: TraceOptions = {}): Trace {
  const api = 'startTrace(sim, options)';
  rejectUnknownKeys(api, options, TRACE_OPTION_KEYS, "{ kinds: ['grant', 'renege'] }");
  if (options.filter !== undefined && typeof options.filter !== 'function') {
    throw invalidArgument(api, 'filter must be a function (record) => boolean', options.filter);
  }
  if (options.sink !== undefined && typeof options.sink !== 'function') {
    throw invalidArgument(
      api,
      'sink must be a function (record) => void',
      options.sink,
      "Use fileTraceSink(path) from '@twinkit/des/node' to write to a file.",
    );
  }
  for (const kind of options.kinds ?? []) {
    if (!TRACE_KINDS.includes(kind)) {
      throw invalidArgument(api, `every kind must be one of ${TRACE_KINDS.join(', ')}`, kind);
    }
  }
  const ctx = desContext(sim);
  if (options.steps !== undefined && typeof options.steps !== 'boolean') {
    throw invalidArgument(api, 'steps must be true or false', options.steps);
  }
  const trace = new Trace(ctx, options, sim);
  ctx.traces = ctx.traces === null ? [trace] : [...ctx.traces, trace];
  return trace;
}

/** Formats a record as one line: `t=12.500 grant counter [customer-3] request wait=1.2`. */
export function formatTraceRecord(record: TraceRecord): string {
  const details = Object.entries(record.detail)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : formatValue(v)}`)
    .join(' ');
  const who = record.process === null ? '-' : record.process;
  if (record.kind === 'step') {
    return `t=${formatNumber(record.time)} step [${who}] ${record.operation}${details ? ` ${details}` : ''}`;
  }
  return `t=${formatNumber(record.time)} ${record.kind} ${record.resource} [${who}] ${record.operation}${details ? ` ${details}` : ''}`;
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4);
}
