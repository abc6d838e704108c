/**
 * The service's Prometheus metrics, in a registry of its own (never prom-client's global one, so
 * two services in one process do not mix): the twin's counters read from `twin.stats()` at each
 * scrape, and the service's own HTTP and WebSocket counters.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LatencySummary, TwinStats } from '../twin/types';

/** A counter that mirrors a count kept elsewhere: set to the count at each scrape. */
class MirroredCounter<L extends string> {
  private readonly counter: Counter<L>;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly L[] = []) {
    this.counter = new Counter({ name, help, labelNames, registers: [registry] });
  }

  begin(): void {
    this.counter.reset();
  }

  set(value: number, labels?: Partial<Record<L, string>>): void {
    if (!Number.isFinite(value) || value < 0) return;
    if (labels === undefined) this.counter.inc(value);
    else this.counter.inc(labels as Partial<Record<L, string>>, value);
  }
}

/** The service's metrics. */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly mirrored: MirroredCounter<string>[] = [];
  private readonly gauges: Gauge<string>[] = [];

  private readonly readings = this.counter(
    'twinkit_readings_total',
    'Readings by what the twin did with them (received, assimilated, late, late_applied, duplicate).',
    ['outcome'],
  );
  private readonly skipped = this.counter(
    'twinkit_readings_skipped_total',
    'Readings not assimilated, by reason.',
    ['reason'],
  );
  private readonly waiting = this.gauge(
    'twinkit_readings_waiting',
    'Readings stamped ahead of the wall clock, waiting.',
  );
  private readonly sourceReceived = this.counter(
    'twinkit_source_received_total',
    'Inputs that arrived at each source.',
    ['source'],
  );
  private readonly sourceAccepted = this.counter(
    'twinkit_source_accepted_total',
    'Readings each source handed to the twin.',
    ['source'],
  );
  private readonly sourceRejected = this.counter(
    'twinkit_source_rejected_total',
    'Inputs each source refused, by rule or reason (range, out_of_order, malformed_json, ...).',
    ['source', 'reason'],
  );
  private readonly sourceDropped = this.counter(
    'twinkit_source_dropped_total',
    'Valid readings each source lost, by reason.',
    ['source', 'reason'],
  );
  private readonly sourceFilled = this.counter(
    'twinkit_source_filled_total',
    'Readings each source filled in itself (forward fill).',
    ['source'],
  );
  private readonly sourceReconnects = this.counter(
    'twinkit_source_reconnects_total',
    'Times each source re-established its connection.',
    ['source'],
  );
  private readonly sourcePending = this.gauge(
    'twinkit_source_pending',
    'Readings held by each source, not yet handed on.',
    ['source'],
  );
  private readonly sinkWritten = this.counter('twinkit_sink_written_total', 'Messages given to each sink.', [
    'sink',
  ]);
  private readonly sinkDelivered = this.counter(
    'twinkit_sink_delivered_total',
    'Messages each sink delivered.',
    ['sink'],
  );
  private readonly sinkFailed = this.counter(
    'twinkit_sink_failed_total',
    'Messages each sink could not deliver.',
    ['sink'],
  );
  private readonly sinkDropped = this.counter(
    'twinkit_sink_dropped_total',
    'Messages each sink let go by policy, by reason.',
    ['sink', 'reason'],
  );
  private readonly sinkBuffered = this.gauge('twinkit_sink_buffered', 'Messages each sink holds, waiting.', [
    'sink',
  ]);
  private readonly published = this.counter(
    'twinkit_published_total',
    'Messages the twin published, by kind.',
    ['kind'],
  );
  private readonly publishFailed = this.counter(
    'twinkit_publish_failed_total',
    'Sink writes of the twin that failed.',
  );
  private readonly publishDropped = this.counter(
    'twinkit_publish_dropped_total',
    'Messages the twin did not write because a sink was blocked.',
  );
  private readonly latency = this.gauge(
    'twinkit_latency_seconds',
    'Latencies over the last 4096 samples: state (reading received to state published), step (advance and assimilation of one reading), sink_write.',
    ['path', 'quantile'],
  );
  private readonly errors = this.counter(
    'twinkit_errors_total',
    'Assimilation functions that threw and sources that failed.',
  );
  private readonly simTime = this.gauge('twinkit_simulation_time', 'The twin simulation time (model units).');
  private readonly simEvents = this.counter(
    'twinkit_simulation_events_total',
    'Events the simulation processed.',
  );
  private readonly longestPause = this.gauge(
    'twinkit_ingestion_longest_pause_seconds',
    'The longest pause of ingestion seen.',
  );
  private readonly scenariosRunning = this.gauge('twinkit_scenarios_running', 'Scenario requests running.');
  private readonly scenarios = this.counter(
    'twinkit_scenarios_total',
    'Scenario requests finished, by status.',
    ['status'],
  );

  /** HTTP requests answered, by method, route and status (counted live). */
  readonly httpRequests = new Counter({
    name: 'twinkit_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  /** HTTP response times. */
  readonly httpDuration = new Histogram({
    name: 'twinkit_http_request_duration_seconds',
    help: 'HTTP response time, by method and route.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  /** WebSocket clients connected now. */
  readonly liveClients = new Gauge({
    name: 'twinkit_live_clients',
    help: 'WebSocket clients connected to /v1/live.',
    registers: [this.registry],
  });
  /** WebSocket messages sent. */
  readonly liveSent = new Counter({
    name: 'twinkit_live_messages_sent_total',
    help: 'Messages sent to WebSocket clients.',
    registers: [this.registry],
  });
  /** WebSocket messages dropped for slow clients. */
  readonly liveDropped = new Counter({
    name: 'twinkit_live_messages_dropped_total',
    help: 'Messages not sent to a WebSocket client whose send buffer was full (a slow client).',
    registers: [this.registry],
  });

  /** The exposition text, with the twin's counters as `stats` has them. */
  async scrape(stats: TwinStats): Promise<string> {
    this.update(stats);
    return this.registry.metrics();
  }

  /** The exposition format's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private update(s: TwinStats): void {
    for (const c of this.mirrored) c.begin();
    for (const g of this.gauges) g.reset();
    const r = s.readings;
    this.readings.set(r.received, { outcome: 'received' });
    this.readings.set(r.assimilated, { outcome: 'assimilated' });
    this.readings.set(r.late, { outcome: 'late' });
    this.readings.set(r.lateApplied ?? 0, { outcome: 'late_applied' });
    this.readings.set(r.duplicate, { outcome: 'duplicate' });
    for (const [reason, n] of Object.entries(r.skipped)) this.skipped.set(n, { reason });
    this.waiting.set(r.waiting);
    for (const [source, { stats }] of Object.entries(s.sources)) {
      this.sourceReceived.set(stats.received, { source });
      this.sourceAccepted.set(stats.accepted, { source });
      for (const [reason, n] of Object.entries(stats.rejected))
        this.sourceRejected.set(n, { source, reason });
      for (const [reason, n] of Object.entries(stats.dropped)) this.sourceDropped.set(n, { source, reason });
      this.sourceFilled.set(stats.filled, { source });
      this.sourceReconnects.set(stats.reconnects, { source });
      this.sourcePending.set({ source }, stats.pending);
    }
    for (const [sink, stats] of Object.entries(s.sinks)) {
      this.sinkWritten.set(stats.written, { sink });
      this.sinkDelivered.set(stats.delivered, { sink });
      this.sinkFailed.set(stats.failed, { sink });
      for (const [reason, n] of Object.entries(stats.dropped)) this.sinkDropped.set(n, { sink, reason });
      this.sinkBuffered.set({ sink }, stats.buffered);
    }
    const p = s.published;
    for (const kind of ['state', 'kpis', 'events', 'scenarios', 'commands'] as const)
      this.published.set(p[kind] ?? 0, { kind });
    this.publishFailed.set(p.failed ?? 0);
    this.publishDropped.set(p.dropped ?? 0);
    const lat = (path: string, l: LatencySummary | undefined) => {
      if (l === undefined || l.count === 0) return;
      this.latency.set({ path, quantile: '0.5' }, l.p50 / 1000);
      this.latency.set({ path, quantile: '0.99' }, l.p99 / 1000);
      this.latency.set({ path, quantile: '1' }, l.max / 1000);
    };
    lat('state', s.latency?.state);
    lat('step', s.latency?.step);
    lat('sink_write', s.latency?.sinkWrite);
    this.errors.set(s.errors?.count ?? 0);
    this.simTime.set(s.simulation.time);
    this.simEvents.set(s.simulation.events);
    this.longestPause.set(s.simulation.longestPauseMs / 1000);
    this.scenariosRunning.set(s.scenarios.running);
    this.scenarios.set(s.scenarios.completed, { status: 'completed' });
    this.scenarios.set(s.scenarios.failed, { status: 'failed' });
  }

  private counter(name: string, help: string, labelNames: readonly string[] = []): MirroredCounter<string> {
    const c = new MirroredCounter(this.registry, name, help, labelNames);
    this.mirrored.push(c);
    return c;
  }

  private gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge<string> {
    const g = new Gauge({ name, help, labelNames: [...labelNames], registers: [this.registry] });
    this.gauges.push(g);
    return g;
  }
}
