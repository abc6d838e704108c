/**
 * The twin's work, step by step: run the "physical plant" (hidden truth) and write its telemetry;
 * synchronize a twin with that telemetry (an EKF per machine health); fork the synchronized twin
 * to predict the next days; compare technician counts over many replications.
 */

import {
  type AssimilateFunction,
  createTwin,
  defineSensors,
  fileSource,
  makeEvent,
  type SensorRegistry,
  type TwinContext,
  type TwinScenarioOptions,
  type TwinStats,
} from '@twinkit/adapters';
import { RandomStream, type Simulation, type SimulationSnapshot, TwinkitError } from '@twinkit/core';
import {
  compareScenarios,
  confidenceInterval,
  ExtendedKalmanFilter,
  type ReplicationExecutor,
  type ScenarioComparisonResults,
} from '@twinkit/estimation';
import { invalidArgument } from '../support/invalid-argument';
import {
  type Factory,
  type FactoryKpis,
  factory,
  type PlantReading,
  type TraceEntry,
  type WalkRecord,
} from './model';
import type { FactoryParams, RunSettings } from './params';
import {
  SENSOR_UNITS,
  type SensorKind,
  temperatureOf,
  temperatureSlope,
  vibrationOf,
  vibrationSlope,
} from './sensors';

/** Simulated time 0 as a calendar instant (telemetry timestamps are ISO-8601 from here). */
export const EPOCH = Date.UTC(2026, 0, 5, 6, 0, 0);

/** One line of telemetry, in the design document's schema. */
export interface TelemetryRecord {
  timestamp: string;
  source: string;
  value: number;
  unit: string;
  quality: 'good' | 'uncertain';
  sensor_id: string;
}

/** What the plant run produced. */
export interface PlantRun {
  initialHealth: number[];
  readings: PlantReading[];
  trace: TraceEntry[];
  walks: WalkRecord[];
  kpis: FactoryKpis;
  end: number;
}

/**
 * Draws the plant's initial health: the plant has been running for a long time, so the time since
 * each machine's last repair is spread evenly over a lifetime (the stationary age of a renewal
 * process with nearly deterministic lifetimes is uniform), and health is uniform between the failure
 * threshold and 100.
 */
export function plantInitialHealth(params: FactoryParams, seed: number): number[] {
  const rng = new RandomStream({ seed, name: 'plant/initial-health', replication: 0, forkPath: '' });
  return Array.from({ length: params.machines }, () => rng.uniform(params.failureThreshold + 1, 100));
}

/** Runs the physical plant for `days` days with sensors on. */
export function runPlant(params: FactoryParams, seed: number, days: number): PlantRun {
  const initialHealth = params.initialHealth ?? plantInitialHealth(params, seed);
  const sim = factory.create({
    seed,
    params: { ...params, initialHealth, record: true, failures: 'health' },
  });
  const end = days * 1440;
  sim.run({ until: end });
  const m = sim.model;
  return { initialHealth, readings: m.telemetry, trace: m.trace, walks: m.walks, kpis: m.kpis(), end };
}

const SENSOR_PREFIX: Record<SensorKind, string> = { vibration: 'VIB', temperature: 'TEMP', state: 'PLC' };

/** Converts a plant reading to a telemetry record. */
export function toTelemetry(
  r: Pick<PlantReading, 't' | 'machine' | 'kind' | 'value' | 'quality'>,
): TelemetryRecord {
  return {
    timestamp: new Date(EPOCH + r.t * 60_000).toISOString(),
    source: `factory/line1/machine${r.machine + 1}/${r.kind}`,
    value: r.value,
    unit: SENSOR_UNITS[r.kind],
    quality: r.quality,
    sensor_id: `${SENSOR_PREFIX[r.kind]}-${String(r.machine + 1).padStart(3, '0')}`,
  };
}

/** Serializes readings as JSON Lines. */
export function telemetryJsonl(readings: readonly PlantReading[]): string {
  return readings.map((r) => JSON.stringify(toTelemetry(r))).join('\n') + (readings.length ? '\n' : '');
}

const SOURCE = /^factory\/line1\/machine(\d+)\/(vibration|temperature|state)$/;

/** A reading as the twin sees it: time in minutes, no hidden truth. */
export interface TwinReading {
  t: number;
  machine: number;
  kind: SensorKind;
  value: number;
  quality: string;
}

/** Parses telemetry JSON Lines (throws naming the line for anything outside the schema). */
export function parseTelemetry(text: string): TwinReading[] {
  const out: TwinReading[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `telemetry line ${i + 1}`;
    let rec: Partial<TelemetryRecord>;
    try {
      rec = JSON.parse(line) as Partial<TelemetryRecord>;
    } catch (error) {
      throw new TwinkitError(
        `parseTelemetry: ${where} is not JSON (${(error as Error).message}). Write one JSON object per line.`,
        { code: 'PARSE' },
      );
    }
    const match = typeof rec.source === 'string' ? SOURCE.exec(rec.source) : null;
    const time = typeof rec.timestamp === 'string' ? Date.parse(rec.timestamp) : Number.NaN;
    if (match === null) {
      throw new TwinkitError(
        `parseTelemetry: ${where}: source must look like factory/line1/machine<n>/<vibration|temperature|state>, got ${JSON.stringify(rec.source)}.`,
        { code: 'PARSE' },
      );
    }
    if (!Number.isFinite(time))
      throw new TwinkitError(
        `parseTelemetry: ${where}: timestamp must be ISO-8601, got ${JSON.stringify(rec.timestamp)}.`,
        { code: 'PARSE' },
      );
    if (typeof rec.value !== 'number' || !Number.isFinite(rec.value))
      throw new TwinkitError(
        `parseTelemetry: ${where}: value must be a finite number, got ${JSON.stringify(rec.value)}.`,
        { code: 'PARSE' },
      );
    out.push({
      t: (time - EPOCH) / 60_000,
      machine: Number(match[1]) - 1,
      kind: match[2] as SensorKind,
      value: rec.value,
      quality: String(rec.quality),
    });
  });
  return out;
}

/**
 * Variance, per minute of time, of the difference between the plant's and the twin's busy minutes.
 * The twin's wear differs from the plant's because its machines are busy at other moments (its
 * arrivals and processing times are its own draws), by (busy − idle wear rate) × that difference.
 * A pilot run of two independent copies of the model at the default load gave a variance of the
 * difference of 1-hour wear of 6.8e-4 = 60 min × 5.0 min × 0.0015²; rounded up to 6.7 min to leave
 * room for busy periods longer than an hour.
 */
export const BUSY_TIME_VARIANCE_RATE = 6.7;

/** Returns the health filter's process noise per minute for the given wear rates. */
export function healthProcessNoise(params: FactoryParams): number {
  return BUSY_TIME_VARIANCE_RATE * (params.busyWearRate - params.idleWearRate) ** 2;
}

/** One filter step of one machine, for plots and tests. */
export interface EstimatePoint {
  t: number;
  machine: number;
  estimate: number;
  sd: number;
  /** The hidden health when the reading was taken (only when the caller knows it). */
  truth: number;
}

/** What became of every reading given to {@link synchronize}; the fields add up to their number. */
export interface SyncCounts {
  /** Sensor readings the filters used. */
  used: number;
  /** Sensor readings flagged `uncertain` by the plant (taken while a machine was stopped): not used. */
  uncertain: number;
  /** Good sensor readings taken while the twin's machine was down (its health is known: 100 after the repair). */
  whileDown: number;
  /** Stop reports (`state` 0) that failed a running machine of the twin. */
  failureReports: number;
  /** Other state reports: restarts (`state` 1) and stops of a machine the twin already had down. */
  otherStateReports: number;
}

/** The synchronized twin and how it got there. */
export interface SyncResult {
  twin: Simulation<Factory>;
  estimates: EstimatePoint[];
  /** What became of every reading (the fields add up to the number of readings). */
  counts: SyncCounts;
  /** Last estimate (mean, sd) of each machine. */
  final: { estimate: number; sd: number }[];
}

/** The twin's own parameters: machines start at the prior mean health and fail when reported. */
export function twinParams(params: FactoryParams): FactoryParams {
  const priorMean = (params.failureThreshold + 100) / 2;
  return {
    ...params,
    initialHealth: Array(params.machines).fill(priorMean),
    failures: 'reported',
    record: false,
  };
}

/** The asset id of machine `i` (0-based) in the twin, its state and its service: `M1`, `M2`, ... */
export const assetId = (i: number): string => `M${i + 1}`;

/** The sensor id of a machine's sensor, as the telemetry carries it: `VIB-001`, `TEMP-002`, `PLC-003`. */
export const sensorId = (kind: SensorKind, i: number): string =>
  `${SENSOR_PREFIX[kind]}-${String(i + 1).padStart(3, '0')}`;

const SENSOR_ID = /^(VIB|TEMP|PLC)-(\d{3})$/;
const KIND_OF_PREFIX: Record<string, SensorKind> = { VIB: 'vibration', TEMP: 'temperature', PLC: 'state' };

/** The live plant's topic of a machine's sensor, under the design document's hierarchy (5.2.2). */
export function liveTopic(kind: SensorKind, i: number, root = 'factory'): string {
  const machine = `${root}/production/line1/machine${i + 1}`;
  return kind === 'state' ? `${machine}/status/state` : `${machine}/telemetry/${kind}`;
}

/**
 * The live factory's sensor inventory: per machine a vibration and a temperature sensor and the
 * PLC's run state, on the design document's topics, each on its asset `M<n>`. The units are the
 * telemetry's own (`g` of acceleration, `celsius`, and `running` for the state, which mathjs does
 * not know): check them with `units: false`.
 */
export function factorySensors(params: Pick<FactoryParams, 'machines'>, root = 'factory'): SensorRegistry {
  return defineSensors(
    Array.from({ length: params.machines }, (_, i) =>
      (['vibration', 'temperature', 'state'] as const).map((kind) => ({
        id: sensorId(kind, i),
        source: liveTopic(kind, i, root),
        unit: SENSOR_UNITS[kind],
        range: SENSOR_RANGES[kind],
        asset: assetId(i),
        protocol: 'mqtt',
        description: `${kind === 'state' ? 'PLC run state (1 running, 0 stopped)' : kind} of machine ${i + 1}`,
      })),
    ).flat(),
  );
}

/** Valid ranges of the readings: beyond them a sensor is broken, not the machine. */
const SENSOR_RANGES: Record<SensorKind, readonly [number, number]> = {
  vibration: [0, 20],
  temperature: [-20, 200],
  state: [0, 1],
};

/** The KPIs the live twin publishes: the model's own, since the twin started or since `reset-kpis`. */
export function factoryKpis(sim: Simulation<Factory>): Record<string, number> {
  return { ...sim.model.kpis() };
}

/**
 * How the live twin runs its what-ifs: from a fork of its present whose machines fail from their
 * own health and whose KPI counters restart now; every KPI of the model is an output, total cost
 * the one a target half-width refers to.
 */
export const factoryScenarioOptions: TwinScenarioOptions<Factory> = {
  outputs: (sim) => ({ ...sim.model.kpis() }),
  primary: 'totalCost',
  prepare: (present) => {
    present.input('failure-source', 'health');
    present.input('reset-kpis');
  },
};

/** The factory twin's assimilation: the function `createTwin` calls, and what it counted. */
export interface FactoryAssimilation {
  /** The assimilation function: an EKF per machine health, failures from the PLC's state reports. */
  readonly assimilate: AssimilateFunction<Factory>;
  /** What became of every reading it was given (the fields add up to their number). */
  readonly counts: SyncCounts;
  /** One point per reading the filters used (when `keepEstimates`). */
  readonly estimates: EstimatePoint[];
  /** Brings every running machine of the twin to its latest estimate; returns the last estimates. */
  finish(twin: Simulation<Factory>): { estimate: number; sd: number }[];
}

/**
 * The factory twin's assimilation, for `createTwin({ assimilate })` and {@link synchronize}: each
 * machine's health is estimated by an EKF whose prediction is the twin's own wear since the last
 * correction and whose measurement model is the sensors' physics; each posterior is written back
 * into the twin (`sim.state.set`, journaled, so forks replay it), at most every `writeInterval`
 * minutes. Failures come from the PLC's state reports. `truth(k)` (the hidden health at the k-th
 * reading given) is used only to record the error, never by the filter.
 */
export function factoryAssimilation(
  params: FactoryParams,
  options: { writeInterval?: number; truth?: (index: number) => number; keepEstimates?: boolean } = {},
): FactoryAssimilation {
  const writeInterval = options.writeInterval ?? 60;
  const keep = options.keepEstimates ?? true;
  const threshold = params.failureThreshold;
  const priorMean = (threshold + 100) / 2;
  const priorVariance = (100 - threshold) ** 2 / 12; // the spread of the plant's uniform start
  const q = healthProcessNoise(params);
  const estimates: EstimatePoint[] = [];
  const counts: SyncCounts = { used: 0, uncertain: 0, whileDown: 0, failureReports: 0, otherStateReports: 0 };
  let index = -1;
  let wired: ReturnType<typeof wire> | undefined;

  function wire(twin: Simulation<Factory>) {
    const m = twin.model;
    // The twin's own wear since the last correction, per machine: the EKF's transition is
    // x' = x − wear (its Jacobian is 1), so the twin's simulated load drives the prediction.
    const pendingWear = m.machines.map(() => 0);
    const makeFilter = (i: number, x: number, variance: number) =>
      new ExtendedKalmanFilter({
        x0: [x],
        P0: [[variance]],
        f: (h) => [h[0]! - pendingWear[i]!],
        F: [[1]],
        Q: (dt) => [[q * dt]],
        sensors: {
          vibration: {
            h: (h) => [vibrationOf(h[0]!)],
            H: (h) => [[vibrationSlope(h[0]!)]],
            R: [[params.vibrationNoise ** 2]],
          },
          temperature: {
            h: (h) => [temperatureOf(h[0]!)],
            H: (h) => [[temperatureSlope(h[0]!)]],
            R: [[params.temperatureNoise ** 2]],
          },
        },
      });
    return {
      pendingWear,
      filters: m.machines.map((_, i) => makeFilter(i, priorMean, priorVariance)),
      lastTime: m.machines.map(() => 0),
      lastSeen: m.machines.map(() => priorMean), // the twin's health after the previous step
      lastWrite: m.machines.map(() => Number.NEGATIVE_INFINITY),
      repairsSeen: m.machines.map(() => 0),
    };
  }

  const assimilate: AssimilateFunction<Factory> = (ctx, reading) => {
    index++;
    const twin = ctx.sim;
    wired ??= wire(twin);
    const { pendingWear, filters, lastTime, lastSeen, lastWrite, repairsSeen } = wired;
    const m = twin.model;
    const id = SENSOR_ID.exec(reading.sensor_id);
    const i = id === null ? -1 : Number(id[2]) - 1;
    const machine = m.machines[i];
    if (id === null || machine === undefined)
      throw invalidArgument(
        'factoryAssimilation: reading.sensor_id',
        `must be VIB-, TEMP- or PLC- and a machine number 001..${String(m.machines.length).padStart(3, '0')}`,
        reading.sensor_id,
        'Run the twin with as many machines as the plant (--machines).',
      );
    const kind = KIND_OF_PREFIX[id[1]!]!;
    const asset = assetId(i);
    if (kind === 'state') {
      // The plant's controller reports a stop: the twin's machine fails now and the twin's own
      // technicians repair it, so a restart report needs nothing (it is counted).
      if (reading.value === 0 && !machine.down) {
        twin.input('failure', { machine: i });
        counts.failureReports++;
        ctx.emit(
          makeEvent('machine_failure', 'critical', asset, reading.time, { reportedBy: reading.sensor_id }),
        );
      } else {
        counts.otherStateReports++;
        ctx.skip('state_report');
      }
      return;
    }
    if (reading.quality !== 'good') {
      counts.uncertain++;
      ctx.skip('uncertain');
      return;
    }
    if (machine.down) {
      counts.whileDown++;
      ctx.skip('while_down');
      return;
    }
    const filter = filters[i]!;
    const repairs = machine.failures;
    if (repairs !== repairsSeen[i]) {
      // The twin repaired the machine since the last reading: health is 100 again, exactly.
      repairsSeen[i] = repairs;
      filter.reset([machine.health], [[0.01]]);
      lastSeen[i] = machine.health;
      lastTime[i] = twin.now;
    }
    pendingWear[i] = lastSeen[i]! - machine.health;
    filter.predict(Math.max(twin.now - lastTime[i]!, 1e-9));
    const update = filter.update([reading.value], { sensor: kind });
    const x = filter.x[0]!;
    // The correction reaches the model at most every `writeInterval` minutes: every write is
    // journaled and replayed by each fork, so fewer writes make forks cheaper; the filter itself
    // runs on every reading (it needs only the twin's wear, not its level).
    if (twin.now - lastWrite[i]! >= writeInterval) {
      twin.state.set(machine.healthName, x);
      lastWrite[i] = twin.now;
    }
    lastSeen[i] = machine.health;
    lastTime[i] = twin.now;
    counts.used++;
    const sd = Math.sqrt(filter.P[0]![0]!);
    ctx.setEstimate(asset, { health: { mean: x, sd } }, { varianceGrowth: { health: q } });
    ctx.observe(asset, update);
    if (keep)
      estimates.push({
        t: twin.now,
        machine: i,
        estimate: x,
        sd,
        truth: options.truth?.(index) ?? Number.NaN,
      });
  };

  return {
    assimilate,
    counts,
    estimates,
    finish(twin) {
      const m = twin.model;
      if (wired === undefined)
        return m.machines.map(() => ({ estimate: priorMean, sd: Math.sqrt(priorVariance) }));
      const { filters, lastWrite } = wired;
      // Bring every running machine of the twin to its latest estimate before it is forked.
      m.machines.forEach((machine, i) => {
        if (!machine.down && lastWrite[i]! < twin.now && Number.isFinite(lastWrite[i]!)) {
          twin.state.set(machine.healthName, filters[i]!.x[0]!);
        }
      });
      return filters.map((f, i) =>
        m.machines[i]!.down
          ? { estimate: m.machines[i]!.health, sd: 0 }
          : { estimate: f.x[0]!, sd: Math.sqrt(f.P[0]![0]!) },
      );
    },
  };
}

/**
 * Runs the twin over telemetry held in memory (the notebooks' path): the twin's clock follows the
 * readings and {@link factoryAssimilation} corrects it. `truth` (aligned with `readings`) is used
 * only to record the error. {@link synchronizeFile} does the same through `createTwin` and a file.
 */
export function synchronize(
  params: FactoryParams,
  readings: readonly TwinReading[],
  options: {
    seed: number;
    truth?: readonly number[];
    onProgress?: (fraction: number) => void;
    writeInterval?: number;
  },
): SyncResult {
  if (options.truth !== undefined && options.truth.length !== readings.length) {
    throw invalidArgument(
      'synchronize(params, readings, { truth })',
      `truth must hold one value per reading (${readings.length})`,
      options.truth.length,
    );
  }
  const twin = factory.create({ seed: options.seed, params: twinParams(params) });
  const truth = options.truth;
  const sync = factoryAssimilation(params, {
    ...(options.writeInterval !== undefined ? { writeInterval: options.writeInterval } : {}),
    ...(truth !== undefined ? { truth: (k: number) => truth[k]! } : {}),
  });
  const ctx: TwinContext<Factory> = {
    sim: twin,
    setEstimate: () => {},
    observe: () => {},
    emit: () => {},
    skip: () => {},
  };
  let lastReport = 0;
  readings.forEach((r, index) => {
    if (r.t > twin.now) twin.advanceTo(r.t);
    if (r.machine < 0 || r.machine >= params.machines)
      throw invalidArgument(
        'synchronize(params, readings)',
        `readings must come from machines 1..${params.machines}`,
        r.machine + 1,
        'Run the twin with as many machines as the plant (--machines).',
      );
    const time = EPOCH + r.t * 60_000;
    sync.assimilate(ctx, {
      timestamp: new Date(time).toISOString(),
      time,
      source: '',
      value: r.value,
      unit: SENSOR_UNITS[r.kind],
      quality: r.quality === 'good' ? 'good' : 'uncertain',
      sensor_id: sensorId(r.kind, r.machine),
      receivedAt: 0,
    });
    if (options.onProgress && index - lastReport >= 2000) {
      lastReport = index;
      options.onProgress(index / readings.length);
    }
  });
  const final = sync.finish(twin);
  return { twin, estimates: sync.estimates, counts: sync.counts, final };
}

/**
 * Runs the twin over a telemetry file through the live-twin runtime: `createTwin` with a
 * `fileSource` and the data clock (the simulation advances to each reading's time, as fast as the
 * file is read), {@link factoryAssimilation} as its assimilation. The same runtime, fed by MQTT and
 * Modbus and paced by the wall clock, is the live twin (`npm run factory -- --live`).
 */
export async function synchronizeFile(
  params: FactoryParams,
  path: string,
  options: { seed: number; truth?: readonly number[]; writeInterval?: number },
): Promise<SyncResult & { stats: TwinStats }> {
  const truth = options.truth;
  const sync = factoryAssimilation(params, {
    ...(options.writeInterval !== undefined ? { writeInterval: options.writeInterval } : {}),
    ...(truth !== undefined ? { truth: (k: number) => truth[k]! } : {}),
  });
  const twin = createTwin({
    model: factory,
    params: twinParams(params),
    seed: options.seed,
    sources: [fileSource({ path, format: 'jsonl' })],
    assimilate: sync.assimilate,
    time: { epoch: EPOCH, unitMs: 60_000 },
    assets: Array.from({ length: params.machines }, (_, i) => ({ id: assetId(i), sensors: [] })),
  });
  await twin.start();
  await twin.drained();
  const stats = twin.stats();
  await twin.stop();
  const { received, late, duplicate } = stats.readings;
  if (late + duplicate > 0 || (truth !== undefined && received !== truth.length))
    throw new TwinkitError(
      `synchronizeFile: ${path} holds readings out of time order or repeated (${late} late, ${duplicate} duplicate of ${received}); the truth cannot be aligned with them. Write the telemetry in time order (telemetryJsonl does).`,
      { code: 'INVALID_ARGUMENT' },
    );
  const final = sync.finish(twin.sim);
  return { twin: twin.sim, estimates: sync.estimates, counts: sync.counts, final, stats };
}

/** The prediction of the next days for one machine. */
export interface MachineForecast {
  machine: number;
  /** Mean failures over the forks with a 95% t interval. */
  failures: { mean: number; lower: number; upper: number };
  /** Fraction of forks in which the machine fails at least once. */
  probability: number;
  /** 5%, 50%, 95% quantiles of the first failure time (hours from now) among forks where it fails. */
  firstFailureHours: [number, number, number] | null;
}

/**
 * Forks the synchronized twin `forks` times (replications 1..forks: the futures differ), switches
 * each fork to failures from its own health, runs it `horizonDays` ahead and counts failures. It
 * yields to the event loop between forks, so worker threads started meanwhile stay fed.
 */
export async function predict(
  twin: Simulation<Factory>,
  options: { forks: number; horizonDays: number; onProgress?: (done: number) => void },
): Promise<{ forecasts: MachineForecast[]; forkMs: number }> {
  const n = twin.model.machines.length;
  const failures: number[][] = Array.from({ length: n }, () => []);
  const first: number[][] = Array.from({ length: n }, () => []);
  const start = twin.now;
  let forkMs = 0;
  for (let k = 1; k <= options.forks; k++) {
    const t0 = performance.now();
    const fork = twin.fork({ replication: k });
    forkMs += performance.now() - t0;
    fork.input('failure-source', 'health');
    const before = fork.model.machines.map((m) => m.failures);
    fork.run({ until: start + options.horizonDays * 1440 });
    fork.model.machines.forEach((m, i) => {
      failures[i]!.push(m.failures - before[i]!);
      const next = m.failureTimes[before[i]!];
      if (next !== undefined) first[i]!.push((next - start) / 60);
    });
    options.onProgress?.(k);
    await new Promise<void>((done) => setImmediate(done));
  }
  const forecasts = failures.map((values, i): MachineForecast => {
    const ci = confidenceInterval(values);
    const times = [...first[i]!].sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
    return {
      machine: i,
      failures: { mean: ci.mean, lower: ci.lower, upper: ci.upper },
      probability: times.length / values.length,
      firstFailureHours: times.length ? [q(0.05), q(0.5), q(0.95)] : null,
    };
  });
  return { forecasts, forkMs: forkMs / options.forks };
}

/**
 * Returns the synchronized twin's present as a snapshot to run what-ifs from: a fork of the twin
 * (the twin itself is left alone) whose machines fail from their own health from now on, with its
 * KPI counters restarted now.
 */
export function presentState(twin: Simulation<Factory>): SimulationSnapshot {
  const now = twin.fork();
  now.input('failure-source', 'health');
  now.input('reset-kpis');
  return now.snapshot();
}

/**
 * Compares technician counts with `compareScenarios`: common random numbers (replication i of every
 * scenario sees the same arrivals, processing and repair times), worker threads, and every pair of
 * scenarios compared on every KPI by paired-t intervals (Bonferroni-adjusted).
 *
 * With `from` (see {@link presentState}) every scenario starts from the twin's present state,
 * restored with its crew (`restore(from, { params })`: machines down stay down, technicians carry on
 * with their jobs, parts stay in the buffers), and runs `whatIfDays` from there. Without it, every
 * scenario starts a new factory whose machines have `params.initialHealth`. With `executor` (a
 * `bullmqExecutor`) the replications run on queue workers instead of threads, with the same results.
 */
export async function whatIf(
  params: FactoryParams,
  settings: Pick<RunSettings, 'scenarios' | 'replications' | 'whatIfDays' | 'workers' | 'seed'>,
  onProgress?: (done: number, total: number) => void,
  from?: SimulationSnapshot,
  executor?: ReplicationExecutor,
): Promise<ScenarioComparisonResults> {
  const total = settings.scenarios.length * settings.replications;
  const scenarios: Record<string, FactoryParams> = {};
  for (const n of settings.scenarios) {
    scenarios[`${n} technician${n === 1 ? '' : 's'}`] = {
      ...params,
      technicians: n,
      record: false,
      failures: 'health',
    };
  }
  const names = Object.keys(scenarios);
  return compareScenarios(factory, {
    scenarios,
    replications: settings.replications,
    ...(from === undefined ? { seed: settings.seed } : { from }),
    until: (from?.time ?? 0) + settings.whatIfDays * 1440,
    ...(executor === undefined ? { workers: settings.workers } : { executor }),
    outputs: (sim) => ({ ...sim.model.kpis() }),
    onProgress: (p) => onProgress?.(names.indexOf(p.scenario) * settings.replications + p.completed, total),
  });
}

/** The cheapest scenario of a what-if study and how sure the study is of it. */
export interface Recommendation {
  /** The scenario with the lowest mean total cost. */
  scenario: string;
  /** Its mean total cost over the study's days. */
  totalCost: number;
  /**
   * Per other scenario: the paired interval of (other − recommended) total cost and whether it
   * excludes zero (the recommended scenario is then cheaper with the study's family confidence).
   */
  against: { scenario: string; difference: number; lower: number; upper: number; significant: boolean }[];
}

/** Picks the scenario with the lowest mean total cost (labour + downtime) from a what-if study. */
export function recommend(study: ScenarioComparisonResults): Recommendation {
  const entries = Object.entries(study.scenarios).map(
    ([name, run]) => [name, run.outputs.totalCost!.mean] as const,
  );
  const [scenario, totalCost] = entries.reduce((best, e) => (e[1] < best[1] ? e : best));
  const against = study.outputs.totalCost!.comparisons.flatMap((c) => {
    if (c.first !== scenario && c.second !== scenario) return [];
    // Intervals are of first − second; turn them into other − recommended.
    const [other, lower, upper] =
      c.first === scenario ? [c.second, -c.upper, -c.lower] : [c.first, c.lower, c.upper];
    const difference = study.scenarios[other]!.outputs.totalCost!.mean - totalCost;
    return [{ scenario: other, difference, lower, upper, significant: lower > 0 || upper < 0 }];
  });
  return { scenario, totalCost, against };
}
