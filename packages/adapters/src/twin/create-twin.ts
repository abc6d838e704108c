/**
 * The live-twin runtime: sources (checked by the quality rules) feed readings; the simulation
 * advances to each reading's time (data clock) or with the wall clock; the assimilation corrects
 * the state; the corrected state, KPIs, events and predictions go to the sinks and subscribers.
 */

import { availableParallelism } from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type Simulation, TwinkitError } from '@twinkit/core';
import { closestMatch, formatValue, invalidArgument, rejectUnknownKeys } from '@twinkit/core/internal';
import { type QualitySource, qualityCheck } from '../quality';
import { makeEvent, type Reading, type TwinEvent } from '../reading';
import type { Sink, SinkMessage } from '../sink';
import type { Source } from '../source';
import { DeclarativeAssimilation, DriftMonitor, driftOptions } from './assimilation';
import { LatencyWindow, Ring } from './latency';
import { API, checkOptions, resolveAssets } from './options';
import { checkRequest, lazyPool, runScenario } from './scenario-runner';
import type {
  AssimilateFunction,
  AssimilationMapping,
  CreateTwinOptions,
  Estimate,
  ScenarioJob,
  ScenarioRequest,
  ScenarioResult,
  Twin,
  TwinAsset,
  TwinContext,
  TwinState,
  TwinStats,
  TwinUpdate,
} from './types';

/** Writes a sink may have in flight before the twin drops further messages to it (counted). */
const MAX_PENDING_WRITES = 10_000;
/** Longest wall wait of the wall-clock loop between looks at the clock and the waiting readings. */
const SLICE_MS = 10;
/** KPI publications kept for `kpiHistory()`. */
const KPI_HISTORY = 1000;

/**
 * Creates a live twin: the model runs in step with the readings of its sources, each reading
 * corrects its state through `assimilate`, and the synchronized state, KPIs, events and scenario
 * results go to the sinks with the design document's topics (`<root>/simulation/state/sync`,
 * `<root>/simulation/kpis`, `<asset topic>/status/events`, `<root>/simulation/predictions/scenarios`).
 *
 * Nothing a source delivers is lost uncounted: `stats().readings` adds up (see {@link TwinStats}).
 * A source that fails, a sink that is down and an assimilation that throws are counted and
 * reported; none of them stops the simulation.
 *
 * @example
 * ```ts fragment
 * const twin = createTwin({
 *   model: tank, params: { inflow: 2 }, seed: 1,
 *   sources: [fileSource({ path: 'level.jsonl', format: 'jsonl' })],
 *   assimilate: { assets: { T1: { state: ['tank.level'], Q: [[0.01]], sensors: { 'LVL-001': { h: (x) => [x[0]], R: 0.5 } } } } },
 *   time: { unitMs: 1000 },
 * });
 * await twin.start();
 * await twin.drained();
 * console.log(twin.state().assets.T1?.variables['tank.level']);
 * await twin.stop();
 * ```
 */
export function createTwin<P, M>(options: CreateTwinOptions<P, M>): Twin<P, M> {
  const {
    model,
    sinks,
    clock,
    unitMs,
    latePolicy,
    stateEveryMs,
    kpisEveryMs,
    root,
    forwardReadings,
    historySize,
    scenarioOptions,
  } = checkOptions(options);
  const sim = model.create({
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.params !== undefined ? { params: options.params } : {}),
  }) as Simulation<M>;

  // ---------------------------------------------------------------- assimilation and assets
  const assimilate = options.assimilate;
  let declarative: DeclarativeAssimilation | undefined;
  let assimilateFn: AssimilateFunction<M> | undefined;
  let functionDrift: false | { window?: number; confidence?: number } = {};
  if (typeof assimilate === 'function') assimilateFn = assimilate;
  else if (assimilate !== undefined)
    declarative = new DeclarativeAssimilation(assimilate as AssimilationMapping, sim as Simulation<unknown>);
  if (declarative === undefined) functionDrift = driftOptions(undefined);
  const driftSettings = declarative?.drift ?? functionDrift;

  const assets = resolveAssets(options.assets, options.quality);
  const assetById = new Map(assets.map((a) => [a.id, a]));
  for (const id of declarative?.assets.keys() ?? []) {
    if (!assetById.has(id)) {
      const asset: TwinAsset = { id, sensors: [] };
      assets.push(asset);
      assetById.set(id, asset);
    }
  }
  const assetOfSensor = new Map<string, string>();
  for (const a of assets) for (const s of a.sensors) assetOfSensor.set(s.id, a.id);
  for (const [sensor, asset] of declarative?.assetOfSensor ?? [])
    if (!assetOfSensor.has(sensor)) assetOfSensor.set(sensor, asset);

  // ---------------------------------------------------------------- sources
  // A source that is checked already (qualityCheck(source, itsRules)) is taken as it is; the
  // others are checked against `quality`.
  const isChecked = (s: Source) => typeof (s as Partial<QualitySource>).qualityReport === 'function';
  const sources: Source[] = options.sources.map((s) =>
    options.quality && !isChecked(s) ? qualityCheck(s, options.quality) : s,
  );
  const wrapped = sources.filter((s, i) => s !== options.sources[i]) as QualitySource[];
  if (wrapped.length > 1) {
    // Silence is per source: each check would find the other sources' sensors silent.
    const settings = wrapped[0]!.qualityReport().settings;
    const silent = (['heartbeat', 'forwardFill'] as const).filter((rule) => settings[rule] !== false);
    if (silent.length > 0)
      throw invalidArgument(
        `${API}: quality`,
        `the ${silent.join(' and ')} rule${silent.length > 1 ? 's' : ''} would check each of the ${wrapped.length} sources against every sensor of the registry, and find the sensors of the others silent`,
        silent,
        'Check each source against its own sensors: sources: [qualityCheck(mqtt, { sensors: mqttSensors, heartbeat: true }), qualityCheck(modbus, { sensors: modbusSensors, heartbeat: true })], and keep quality for the registry of assets ({ sensors, heartbeat: false }) or leave it out.',
      );
  }
  if (clock.mode === 'wall') {
    // The quality check's monotonic rule holds each reading up to its reorder window: the wall
    // clock must stay that far behind, or every reading would arrive late.
    let reorder = 0;
    for (const s of sources) {
      const q = s as Partial<QualitySource>;
      const m = typeof q.qualityReport === 'function' ? q.qualityReport().settings.monotonic : false;
      if (m !== false) reorder = Math.max(reorder, m.reorderWindowMs);
    }
    if (clock.delayMs === undefined) clock.delayMs = reorder + 250;
    else if (clock.delayMs < reorder)
      throw invalidArgument(
        `${API}: clock`,
        `delayMs must cover the quality check's reorder window (${reorder} ms): readings are held that long, and would all arrive late`,
        clock.delayMs,
        `Pass delayMs >= ${reorder} (or leave it out: ${reorder + 250}), or narrow quality.monotonic.reorderWindowMs.`,
      );
  }
  const names = new Set<string>();
  const sourceNames = sources.map((s, i) => {
    let name = s.name;
    if (names.has(name)) name = `${name} #${i + 1}`;
    names.add(name);
    return name;
  });

  // ---------------------------------------------------------------- counters
  let epoch = options.time?.epoch;
  let received = 0;
  let assimilated = 0;
  const skipped = new Map<string, number>();
  let late = 0;
  let lateApplied = 0;
  let duplicate = 0;
  const published = { state: 0, kpis: 0, events: 0, scenarios: 0, commands: 0, failed: 0, dropped: 0 };
  const errors = { count: 0, last: null as string | null };
  const stateLatency = new LatencyWindow();
  const sourceLatency = new LatencyWindow();
  const stepLatency = new LatencyWindow();
  const sinkLatency = new LatencyWindow();
  const lastTimeOfSensor = new Map<string, number>();
  const history = new Map<string, Ring<Reading>>();
  const kpiLog = new Ring<{ time: string; kpis: Record<string, number> }>(KPI_HISTORY);
  const lastUpdateOfAsset = new Map<string, number>();
  const estimates = new Map<
    string,
    { variables: Record<string, Estimate>; at: number; growth: Readonly<Record<string, number>> | undefined }
  >();
  const driftMonitors = new Map<string, DriftMonitor>();
  const listeners = new Set<(update: TwinUpdate) => void>();
  const pendingWrites = new Map<Sink, number>();
  const jobs = new Map<string, ScenarioJob & { status: ScenarioJob['status']; error?: string }>();
  let jobCounter = 0;
  const scenarioCounts = { running: 0, completed: 0, failed: 0 };
  /** Readings stamped ahead of the wall clock, ordered by time. */
  const waiting: Reading[] = [];
  let nextStateAt = Number.NaN;
  let nextKpisAt = Number.NaN;
  let loopDelay: IntervalHistogram | undefined;
  let started = false;
  let stopped = false;
  /** With the wall clock: the calendar instant of the start. */
  let wallStart: number | undefined;
  const abort = new AbortController();
  let loops: Promise<void>[] = [];
  let pacer: Promise<void> | undefined;
  let waitingDrained: (() => void) | undefined;
  const workers = scenarioOptions?.workers ?? Math.max(1, availableParallelism() - 1);
  const pool = lazyPool(model, workers);

  const toSim = (ms: number) => (ms - (epoch as number)) / unitMs;
  const toCalendar = (t: number) => (epoch as number) + t * unitMs;
  const iso = (ms: number) => new Date(ms).toISOString();

  // ---------------------------------------------------------------- publishing
  const tell = (update: TwinUpdate) => {
    for (const listener of listeners) {
      try {
        listener(update);
      } catch {
        // A subscriber's error is its own: it does not stop the twin (see TwinUpdates.subscribe).
      }
    }
  };

  const send = (message: SinkMessage): Promise<void>[] => {
    const writes: Promise<void>[] = [];
    for (const sink of sinks) {
      if (sink.kinds !== undefined && !sink.kinds.includes(message.kind)) continue;
      const pending = pendingWrites.get(sink) ?? 0;
      if (pending >= MAX_PENDING_WRITES) {
        published.dropped += 1;
        continue;
      }
      pendingWrites.set(sink, pending + 1);
      const t0 = performance.now();
      let write: Promise<void>;
      try {
        write = Promise.resolve(sink.write(message));
      } catch (error) {
        write = Promise.reject(error);
      }
      writes.push(
        write.then(
          () => {
            sinkLatency.add(performance.now() - t0);
            pendingWrites.set(sink, (pendingWrites.get(sink) ?? 1) - 1);
          },
          (error: unknown) => {
            published.failed += 1;
            errors.count += 1;
            errors.last = `${sink.name}: ${(error as Error)?.message ?? String(error)}`;
            pendingWrites.set(sink, (pendingWrites.get(sink) ?? 1) - 1);
            throw error;
          },
        ),
      );
    }
    // Publishing never waits for a sink: a failure is counted above; this catch keeps it handled.
    for (const w of writes) w.catch(() => {});
    return writes;
  };

  const eventTopic = (event: TwinEvent): string => {
    const asset = assetById.get(event.source) ?? assetById.get(assetOfSensor.get(event.source) ?? '');
    if (asset === undefined) return `${root}/simulation/events`;
    return `${asset.topic ?? `${root}/${asset.id}`}/status/events`;
  };

  const raise = (event: TwinEvent) => {
    published.events += 1;
    send({ kind: 'event', event, topic: eventTopic(event) });
    tell({ type: 'event', event });
  };

  const assetState = (id: string) => {
    let variables: Record<string, Estimate> = {};
    const filter = declarative?.assets.get(id);
    if (filter !== undefined) variables = filter.estimate(sim as Simulation<unknown>);
    else {
      const e = estimates.get(id);
      if (e !== undefined) {
        const dt = Math.max(0, sim.now - e.at);
        variables = {};
        for (const [name, v] of Object.entries(e.variables)) {
          const g = e.growth?.[name] ?? 0;
          variables[name] = { mean: v.mean, sd: g > 0 ? Math.sqrt(v.sd * v.sd + g * dt) : v.sd };
        }
      }
    }
    const last = lastUpdateOfAsset.get(id);
    return { variables, lastUpdate: last === undefined ? null : iso(last), stale: isStale(id) };
  };

  const staleSensors = (): Set<string> => {
    const out = new Set<string>();
    for (const s of sources) {
      const q = s as Partial<QualitySource>;
      if (typeof q.staleSensors === 'function') for (const id of q.staleSensors()) out.add(id);
    }
    return out;
  };

  const isStale = (asset: string, stale = staleSensors()): boolean => {
    for (const id of stale) if (assetOfSensor.get(id) === asset) return true;
    return false;
  };

  const state = (): TwinState => {
    const time = sim.now;
    const ids = new Set<string>([...assets.map((a) => a.id), ...estimates.keys()]);
    const out: TwinState['assets'] = {};
    for (const id of ids) (out as Record<string, unknown>)[id] = assetState(id);
    return { time, timestamp: epoch === undefined ? iso(Date.now()) : iso(toCalendar(time)), assets: out };
  };

  const kpis = (): Record<string, number> => (options.kpis ? options.kpis(sim) : {});

  const publishState = () => {
    const s = state();
    published.state += 1;
    send({ kind: 'state', topic: `${root}/simulation/state/sync`, payload: s, time: toCalendar(s.time) });
    tell({ type: 'state', state: s });
  };

  const publishKpis = () => {
    if (options.kpis === undefined) return;
    const values = kpis();
    const time = iso(toCalendar(sim.now));
    published.kpis += 1;
    kpiLog.push({ time, kpis: values });
    send({
      kind: 'kpi',
      topic: `${root}/simulation/kpis`,
      payload: { timestamp: time, kpis: values },
      time: toCalendar(sim.now),
    });
    tell({ type: 'kpis', time, kpis: values });
  };

  /** Publishes the state and KPIs whose period has come (once per call, however many periods passed). */
  const maybePublish = () => {
    if (epoch === undefined) return;
    const now = toCalendar(sim.now);
    // On the calendar's grid of each period (every 10 s: at :00, :10, :20, ...), once per crossing.
    if (Number.isNaN(nextStateAt)) nextStateAt = (Math.floor(now / stateEveryMs) + 1) * stateEveryMs;
    if (Number.isNaN(nextKpisAt)) nextKpisAt = (Math.floor(now / kpisEveryMs) + 1) * kpisEveryMs;
    if (now >= nextStateAt) {
      publishState();
      nextStateAt = (Math.floor(now / stateEveryMs) + 1) * stateEveryMs;
    }
    if (now >= nextKpisAt) {
      publishKpis();
      nextKpisAt = (Math.floor(now / kpisEveryMs) + 1) * kpisEveryMs;
    }
  };

  // ---------------------------------------------------------------- assimilation of one reading
  const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);

  const monitorOf = (asset: string): DriftMonitor | undefined => {
    if (driftSettings === false) return undefined;
    let m = driftMonitors.get(asset);
    if (m === undefined) {
      m = new DriftMonitor(driftSettings);
      driftMonitors.set(asset, m);
    }
    return m;
  };

  const observe = (asset: string, update: Parameters<TwinContext<M>['observe']>[1]) => {
    const excursion = monitorOf(asset)?.observe(update);
    if (excursion === undefined) return;
    raise(
      makeEvent('model_drift', 'warning', asset, toCalendar(sim.now), {
        averageNis: excursion.averageNis,
        lower: excursion.lower,
        upper: excursion.upper,
        state: excursion.state,
        window: excursion.samples,
      }),
    );
  };

  let skipReason: string | undefined;
  const context: TwinContext<M> = {
    sim,
    setEstimate: (asset, variables, opts) => {
      if (typeof asset !== 'string' || asset === '')
        throw invalidArgument(
          'twin.setEstimate(asset, variables)',
          'asset must be a non-empty string',
          asset,
        );
      for (const [name, v] of Object.entries(variables)) {
        if (!(Number.isFinite(v?.mean) && Number.isFinite(v?.sd) && v.sd >= 0))
          throw invalidArgument(
            'twin.setEstimate(asset, variables)',
            `variables['${name}'] must be { mean, sd } with finite numbers and sd >= 0`,
            v,
          );
      }
      estimates.set(asset, { variables: { ...variables }, at: sim.now, growth: opts?.varianceGrowth });
    },
    observe,
    emit: raise,
    skip: (reason) => {
      skipReason = String(reason);
    },
  };

  /** Corrects the state with one reading at the twin's present; returns whether it was assimilated. */
  const apply = (r: Reading): boolean => {
    if (r.quality === 'bad') {
      skip('bad');
      return false;
    }
    if (declarative !== undefined) {
      if (r.quality !== 'good') {
        skip(r.quality);
        return false;
      }
      const target = declarative.filterOf(r.sensor_id);
      if (target === undefined) {
        skip('unmapped');
        return false;
      }
      let update: ReturnType<typeof target.filter.assimilate>;
      try {
        update = target.filter.assimilate(sim as Simulation<unknown>, r);
      } catch (error) {
        failed(error, `assimilating ${r.sensor_id}`);
        skip('error');
        return false;
      }
      lastUpdateOfAsset.set(target.asset, r.time);
      observe(target.asset, update);
      return true;
    }
    if (assimilateFn === undefined) {
      skip('unmapped');
      return false;
    }
    skipReason = undefined;
    try {
      assimilateFn(context, r);
    } catch (error) {
      failed(error, `assimilate(twin, reading) on ${r.sensor_id}`);
      skip('error');
      return false;
    }
    if (skipReason !== undefined) {
      skip(skipReason);
      return false;
    }
    const asset = assetOfSensor.get(r.sensor_id);
    if (asset !== undefined) lastUpdateOfAsset.set(asset, r.time);
    return true;
  };

  const failed = (error: unknown, where: string) => {
    errors.count += 1;
    errors.last = `${where}: ${(error as Error)?.message ?? String(error)}`;
  };

  /** Advances to `t` (when ahead) and applies the reading, timing both. */
  const step = (r: Reading, t: number) => {
    const t0 = performance.now();
    if (t > sim.now) sim.advanceTo(t, 'createTwin: advancing to a reading');
    const ok = apply(r);
    stepLatency.add(performance.now() - t0);
    if (ok) {
      assimilated += 1;
      const now = Date.now();
      stateLatency.add(Math.max(0, now - r.receivedAt));
      sourceLatency.add(now - r.time);
    }
    maybePublish();
  };

  const insertWaiting = (r: Reading) => {
    let lo = 0;
    let hi = waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((waiting[mid] as Reading).time <= r.time) lo = mid + 1;
      else hi = mid;
    }
    waiting.splice(lo, 0, r);
  };

  /** What the twin does with each reading a source hands it. */
  const handle = (r: Reading) => {
    received += 1;
    let ring = history.get(r.sensor_id);
    if (ring === undefined) {
      ring = new Ring<Reading>(historySize);
      history.set(r.sensor_id, ring);
    }
    ring.push(r);
    tell({ type: 'telemetry', reading: r });
    if (forwardReadings) send({ kind: 'reading', reading: r });
    if (epoch === undefined) epoch = r.time;
    const last = lastTimeOfSensor.get(r.sensor_id);
    if (last === r.time) {
      duplicate += 1;
      return;
    }
    if (last === undefined || r.time > last) lastTimeOfSensor.set(r.sensor_id, r.time);
    const t = toSim(r.time);
    if (t < sim.now) {
      late += 1;
      if (latePolicy === 'drop') return;
      lateApplied += 1;
      step(r, sim.now);
      return;
    }
    if (clock.mode === 'wall') {
      insertWaiting(r);
      return;
    }
    step(r, t);
  };

  // ---------------------------------------------------------------- loops
  const ingest = async (source: Source) => {
    try {
      for await (const r of source) {
        if (stopped) break;
        try {
          handle(r);
        } catch (error) {
          // advanceTo refusing, a model event throwing: counted, and the twin goes on.
          failed(error, `handling ${r.sensor_id}`);
          skip('error');
        }
      }
    } catch (error) {
      if (!stopped) {
        failed(error, source.name);
        raise(
          makeEvent('source_failed', 'critical', source.name, Date.now(), {
            message: (error as Error)?.message ?? String(error),
          }),
        );
      }
    }
  };

  const pace = async () => {
    const wall0 = performance.now();
    const start = wallStart as number;
    const delay = clock.delayMs ?? 0;
    const calendarNow = () => start + Math.max(0, performance.now() - wall0 - delay) * clock.speed;
    while (!stopped) {
      const target = toSim(calendarNow());
      while (waiting.length > 0 && toSim((waiting[0] as Reading).time) <= target) {
        const r = waiting.shift() as Reading;
        try {
          step(r, Math.max(sim.now, toSim(r.time)));
        } catch (error) {
          failed(error, `handling ${r.sensor_id}`);
          skip('error');
        }
      }
      if (waiting.length === 0) waitingDrained?.();
      if (target > sim.now) {
        try {
          sim.advanceTo(target, 'createTwin: wall clock');
        } catch (error) {
          failed(error, 'advancing with the wall clock');
        }
        maybePublish();
      }
      const next = waiting.length > 0 ? (waiting[0] as Reading).time : Number.POSITIVE_INFINITY;
      const wallNext = wall0 + delay + (next - start) / clock.speed;
      const sleep = Math.min(SLICE_MS, Math.max(0, wallNext - performance.now()));
      await new Promise<void>((resolve) => {
        // One listener per sleep, removed when the sleep ends: the loop sleeps every 10 ms.
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          abort.signal.removeEventListener('abort', wake);
          resolve();
        }, sleep);
        abort.signal.addEventListener('abort', wake, { once: true });
      });
    }
  };

  // ---------------------------------------------------------------- scenarios
  const scenario = (request: ScenarioRequest<P>): ScenarioJob => {
    if (scenarioOptions === undefined)
      throw invalidArgument(
        'twin.scenario(request)',
        'the twin was created without scenario options',
        undefined,
        'Pass createTwin({ scenarios: { outputs: (sim) => ({ ... }) } }).',
      );
    const named = checkRequest(request);
    if (options.params !== undefined && typeof options.params === 'object') {
      const known = Object.keys(options.params as object);
      for (const [name, p] of Object.entries(named))
        for (const key of Object.keys(p as object))
          if (!known.includes(key)) {
            const near = closestMatch(key, known);
            throw invalidArgument(
              'twin.scenario(request)',
              `${name === 'scenario' ? 'params' : `scenarios['${name}']`} names a parameter the model does not have`,
              key,
              near !== undefined ? `Did you mean '${near}'?` : `The parameters are: ${known.join(', ')}.`,
            );
          }
    }
    // The present, on the twin's thread: a fork prepared for the what-if, or the twin itself.
    let snapshot: ReturnType<Simulation<M>['snapshot']>;
    if (scenarioOptions.prepare) {
      const present = sim.fork();
      scenarioOptions.prepare(present);
      snapshot = present.snapshot();
    } else snapshot = sim.snapshot();
    jobCounter += 1;
    const at = new Date();
    const id = `scen_${at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_')}_${String(jobCounter).padStart(3, '0')}`;
    const from = epoch === undefined ? at.toISOString() : iso(toCalendar(snapshot.time));
    scenarioCounts.running += 1;
    const result = runScenario(
      { model, options: scenarioOptions, params: options.params, snapshot, from, unitMs, pool: pool.get },
      request,
      named,
      id,
    );
    const job = {
      id,
      status: 'running' as ScenarioJob['status'],
      requestedAt: at.toISOString(),
      result,
    } as ScenarioJob & { status: ScenarioJob['status']; error?: string };
    jobs.set(id, job);
    result.then(
      (res: ScenarioResult) => {
        job.status = 'completed';
        scenarioCounts.running -= 1;
        scenarioCounts.completed += 1;
        published.scenarios += 1;
        send({
          kind: 'prediction',
          topic: `${root}/simulation/predictions/scenarios`,
          payload: res,
          time: Date.now(),
        });
        tell({ type: 'scenario', result: res });
      },
      (error: unknown) => {
        job.status = 'failed';
        job.error = (error as Error)?.message ?? String(error);
        scenarioCounts.running -= 1;
        scenarioCounts.failed += 1;
        failed(error, `scenario ${id}`);
      },
    );
    return job;
  };

  // ---------------------------------------------------------------- the twin
  const twin: Twin<P, M> = {
    sim,
    async start() {
      if (started)
        throw new TwinkitError('twin.start(): the twin is started already; a twin starts once.', {
          code: 'INVALID_STATE',
        });
      if (clock.mode === 'wall') {
        // The calendar instant the twin is at when it starts; simulated time 0 is `epoch`.
        wallStart = clock.start ?? Date.now();
        epoch ??= wallStart;
        if (wallStart < epoch)
          throw invalidArgument(
            'twin.start()',
            `clock.start (${iso(wallStart)}) must not be before time.epoch (${iso(epoch)}): simulated time would start below 0`,
            wallStart,
            'Leave clock.start out (the twin starts at the wall clock) or give an epoch at or before it.',
          );
      }
      started = true;
      loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      sources.forEach((s) => {
        s.onEvent((event) => raise(event));
      });
      await Promise.all(sources.map((s) => s.start()));
      loops = sources.map((s) => ingest(s));
      if (clock.mode === 'wall') {
        if (epoch !== undefined && sim.now === 0 && options.time?.epoch === undefined) {
          // The wall clock's start is simulated time 0.
        }
        pacer = pace();
      }
    },
    async stop() {
      if (!started || stopped) return;
      stopped = true;
      abort.abort();
      await Promise.allSettled(sources.map((s) => s.close()));
      await Promise.allSettled(loops);
      await pacer;
      // Readings still waiting for the wall clock are not assimilated: counted as skipped.
      if (waiting.length > 0) {
        skipped.set('stopped', (skipped.get('stopped') ?? 0) + waiting.length);
        waiting.length = 0;
      }
      if (epoch !== undefined) publishState();
      await Promise.allSettled(sinks.map((s) => s.flush()));
      await Promise.allSettled(sinks.map((s) => s.close()));
      await Promise.allSettled([...jobs.values()].map((j) => j.result));
      await pool.close();
      loopDelay?.disable();
    },
    async drained() {
      if (!started)
        throw new TwinkitError('twin.drained(): start the twin first (await twin.start()).', {
          code: 'INVALID_STATE',
        });
      await Promise.allSettled(loops);
      if (waiting.length > 0 && !stopped) await new Promise<void>((resolve) => (waitingDrained = resolve));
      waitingDrained = undefined;
    },
    state,
    kpis,
    kpiHistory: () => kpiLog.toArray(),
    readings(filter = {}) {
      const api = 'twin.readings(filter)';
      rejectUnknownKeys(api, filter, ['asset', 'sensor', 'since', 'limit'], "{ asset: 'M1', limit: 100 }");
      let ids: string[];
      if (filter.sensor !== undefined) ids = [filter.sensor];
      else if (filter.asset !== undefined) {
        const asset = assetById.get(filter.asset);
        if (asset === undefined) throw unknownAsset(api, filter.asset);
        ids = [...assetOfSensor].filter(([, a]) => a === filter.asset).map(([s]) => s);
      } else ids = [...history.keys()];
      const since = filter.since ?? Number.NEGATIVE_INFINITY;
      const out = ids.flatMap((id) => history.get(id)?.toArray() ?? []).filter((r) => r.time >= since);
      out.sort((a, b) => a.time - b.time);
      const limit = filter.limit;
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
        throw invalidArgument(api, 'limit must be an integer >= 1', limit);
      return limit !== undefined && out.length > limit ? out.slice(out.length - limit) : out;
    },
    assets: () => assets,
    scenario,
    scenarioJob: (id) => jobs.get(id),
    async command(asset, action, payload) {
      const api = 'twin.command(asset, action, payload)';
      const a = assetById.get(asset);
      if (a === undefined) throw unknownAsset(api, asset);
      if (typeof action !== 'string' || !/^[A-Za-z0-9_-]+$/.test(action))
        throw invalidArgument(
          api,
          'action must be one topic level of letters, digits, _ or - (maintenance)',
          action,
        );
      if (payload === null || typeof payload !== 'object')
        throw invalidArgument(api, 'payload must be an object', payload);
      const topic = `${a.topic ?? `${root}/${a.id}`}/command/${action}`;
      const now = Date.now();
      const writes = send({
        kind: 'command',
        topic,
        payload: { ...payload, action, asset, timestamp: iso(now) },
        time: now,
      });
      if (writes.length === 0)
        throw new TwinkitError(
          `${api}: no sink takes commands (${formatValue(sinks.map((s) => s.name))}). Give the twin an MQTT sink: createTwin({ sinks: [mqttSink(...)] }).`,
          { code: 'INVALID_STATE' },
        );
      published.commands += 1;
      await Promise.all(writes);
    },
    events: {
      subscribe(listener) {
        if (typeof listener !== 'function')
          throw invalidArgument('twin.events.subscribe(listener)', 'listener must be a function', listener);
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
        };
      },
    },
    stats(): TwinStats {
      const sourceStats: Record<string, TwinStats['sources'][string]> = {};
      sources.forEach((s, i) => {
        const q = s as Partial<QualitySource>;
        sourceStats[sourceNames[i] as string] = {
          stats: s.stats(),
          ...(typeof q.qualityReport === 'function' ? { quality: q.qualityReport() } : {}),
        };
      });
      const sinkStats: Record<string, TwinStats['sinks'][string]> = {};
      for (const s of sinks) sinkStats[s.name] = s.stats();
      return {
        status: stopped ? 'stopped' : started ? 'running' : 'created',
        readings: {
          received,
          assimilated,
          skipped: Object.fromEntries(skipped),
          late,
          lateApplied,
          duplicate,
          waiting: waiting.length,
        },
        sources: sourceStats,
        sinks: sinkStats,
        published: { ...published },
        latency: {
          state: stateLatency.summary(),
          source: sourceLatency.summary(),
          step: stepLatency.summary(),
          sinkWrite: sinkLatency.summary(),
        },
        errors: { ...errors },
        simulation: {
          time: sim.now,
          events: sim.eventsProcessed,
          longestPauseMs: loopDelay === undefined ? 0 : loopDelay.max / 1e6,
        },
        scenarios: { ...scenarioCounts },
      };
    },
  };

  const unknownAsset = (api: string, id: string) => {
    const known = assets.map((a) => a.id);
    const near = closestMatch(String(id), known);
    return invalidArgument(
      api,
      'names an asset the twin does not have',
      id,
      near !== undefined ? `Did you mean '${near}'?` : `The assets are: ${known.join(', ') || 'none'}.`,
    );
  };

  return twin;
}
