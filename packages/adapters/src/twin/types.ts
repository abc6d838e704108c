/**
 * The live twin's contract: what `createTwin` takes and what the {@link Twin} it returns offers.
 * The runtime (`create-twin.ts`) implements it; the service (`@twinkit/adapters/http`), the
 * factory example and the benchmarks build on these types only.
 */
import type { ModelDefinition, Simulation } from '@twinkit/core';
import type { UpdateResult } from '@twinkit/estimation';
import type { QualityReport, QualityRules } from '../quality';
import type { Reading, TwinEvent } from '../reading';
import type { Sensor } from '../sensors';
import type { Sink, SinkStats } from '../sink';
import type { Source, SourceStats } from '../source';

/**
 * How the twin's simulated clock follows the world.
 * - `'data'` (default): the simulation advances to each reading's timestamp (`advanceTo`), so a
 *   recorded day replays as fast as its readings come.
 * - `'wall'`: the simulation is paced to the wall clock (`runRealtime`); a reading stamped ahead of
 *   the twin waits until the twin gets there.
 * - `{ mode: 'wall', speed, start }`: wall pacing at `speed` times real time (60: a simulated hour
 *   per wall minute), with the calendar instant `start` (epoch ms) at the moment the twin starts.
 */
export type TwinClock = 'data' | 'wall' | TwinWallClock;

/** Wall-clock pacing with a speed-up, see {@link TwinClock}. */
export interface TwinWallClock {
  readonly mode: 'wall';
  /** Calendar time per wall time (default 1: real time). */
  readonly speed?: number;
  /** The calendar instant (epoch ms) the twin is at when it starts (default: `Date.now()`). */
  readonly start?: number;
  /**
   * Wall milliseconds the twin's clock stays behind `start + elapsed × speed` (default 250 plus the
   * quality check's reorder window, which holds each reading that long; a smaller value is refused): it
   * holds at `start` for this long, then runs at `speed`. A reading stamped at the calendar's
   * present that takes up to this long to arrive is still ahead of the twin, waits, and is
   * assimilated at its own time; later ones are late (see {@link LateReadingPolicy}).
   */
  readonly delayMs?: number;
}

/**
 * How simulated time maps to calendar time: simulated time `t` is the instant
 * `epoch + t × unitMs`. A factory model counted in minutes has `unitMs: 60_000`.
 */
export interface TwinTimeScale {
  /** The calendar instant (epoch ms) of simulated time 0. Default: the first reading's time (data clock) or the wall clock's start. */
  readonly epoch?: number;
  /** Milliseconds of calendar time per unit of simulated time. Default 1000 (the model counts seconds). */
  readonly unitMs?: number;
}

/**
 * What the twin does with a reading stamped before its present (it can only happen with the wall
 * clock, or across sources): `'drop'` (default) counts it under `late` and leaves the state alone;
 * `'apply-now'` counts it under `late` and assimilates it at the twin's present time.
 */
export type LateReadingPolicy = 'drop' | 'apply-now';

/** One sensor of a declarative assimilation: the measurement function and its noise. */
export interface SensorMapping {
  /** Measurement function: the asset's state (in `state` order) to what the sensor reads. */
  readonly h: (x: Float64Array) => readonly number[] | Float64Array;
  /** Its Jacobian (EKF only; estimated by finite differences when omitted). */
  readonly H?: (x: Float64Array) => readonly (readonly number[])[];
  /** Measurement noise covariance, or a standard deviation for a scalar sensor. */
  readonly R: number | readonly (readonly number[])[];
}

/**
 * One asset of a declarative assimilation: a filter over some state-vector variables of the model.
 * The filter's prediction is the model's own: between two readings the simulation moves the
 * variables, and the filter takes that move as its transition (Jacobian 1), adding `Q`.
 */
export interface AssetMapping {
  /** The state-vector variables (names in `sim.state`) the filter estimates, in order. */
  readonly state: readonly string[];
  /** Initial covariance (default: the identity). */
  readonly P0?: readonly (readonly number[])[];
  /** Process noise per unit of simulated time, or a function of the elapsed time `dt`. */
  readonly Q: readonly (readonly number[])[] | ((dt: number) => readonly (readonly number[])[]);
  /** Per sensor id: how its readings relate to the state. */
  readonly sensors: Readonly<Record<string, SensorMapping>>;
}

/** The declarative form of `assimilate`: a KF, EKF or UKF per asset, built by the twin. */
export interface AssimilationMapping {
  /** Which filter each asset gets (default `'ekf'`; `'kf'` needs linear `h`, given by `H`). */
  readonly filter?: 'kf' | 'ekf' | 'ukf';
  /** Per asset id. */
  readonly assets: Readonly<Record<string, AssetMapping>>;
  /**
   * Drift monitor: NIS window and band confidence (defaults 20 and 0.99); `false` turns it off.
   * `model_drift` is raised when the window's NIS average rises above the band.
   */
  readonly drift?: false | { readonly window?: number; readonly confidence?: number };
}

/** One variable's estimate: mean and standard deviation. */
export interface Estimate {
  readonly mean: number;
  readonly sd: number;
}

/**
 * What an assimilation function is given: the twin's simulation and the means to report what it
 * did, so that `state()`, the published state, the drift monitor and the counters see it.
 */
export interface TwinContext<M> {
  /** The twin's simulation, already advanced to the reading's time. */
  readonly sim: Simulation<M>;
  /**
   * Records an asset's estimate (what `state()` returns and `state/sync` publishes). With
   * `varianceGrowth` (per variable, variance added per unit of simulated time), the reported sd
   * grows from this estimate to the twin's present: `sd² + growth × (now − then)`, as a filter's
   * prediction does while no reading comes (a sensor gone stale).
   */
  setEstimate(
    asset: string,
    variables: Readonly<Record<string, Estimate>>,
    options?: { readonly varianceGrowth?: Readonly<Record<string, number>> },
  ): void;
  /** Feeds a filter update to the asset's NIS drift monitor (raises `model_drift` when out of band). */
  observe(asset: string, update: UpdateResult): void;
  /** Raises an event: published on the asset's status topic and delivered to `twin.events`. */
  emit(event: TwinEvent): void;
  /** Counts the reading as not assimilated, for `reason` (`'uncertain'`, `'while_down'`, ...). */
  skip(reason: string): void;
}

/** The function form of `assimilate`, for anything the mapping cannot say. */
export type AssimilateFunction<M> = (twin: TwinContext<M>, reading: Reading) => void;

/** What the twin publishes, where and how often. */
export interface TwinPublishOptions {
  /** Seconds of twin (calendar) time between state publications on the state topic (default 10). */
  readonly stateEveryS?: number;
  /** Seconds of twin time between KPI publications (default 60). */
  readonly kpisEveryS?: number;
  /** The topics' root (default `'factory'`): state on `<root>/simulation/state/sync`. */
  readonly root?: string;
  /** Forward every accepted reading to the sinks too (default false). */
  readonly readings?: boolean;
}

/** An asset of the plant, as the twin and its service list it. */
export interface TwinAsset {
  /** The asset id (`'M1'`). */
  readonly id: string;
  /** A name for people (`'Machine 1'`). */
  readonly name?: string;
  /** What kind of asset it is (`'machine'`). */
  readonly type?: string;
  /** The asset's topic prefix (`'factory/production/line1/machine1'`): status and command topics hang below it. */
  readonly topic?: string;
  /** The sensors of the asset. */
  readonly sensors: readonly Sensor[];
}

/** Options of the scenarios a twin runs (`createTwin({ scenarios })`). */
export interface TwinScenarioOptions<M> {
  /** Maps a finished fork to named numbers (self-contained: it is sent to worker threads as source). */
  readonly outputs: (sim: Simulation<M>) => Record<string, number>;
  /** The output `targetHalfWidth` refers to. */
  readonly primary?: string;
  /** Prepares the present before forking (`(fork) => fork.input('reset-kpis')`), on the twin's thread. */
  readonly prepare?: (present: Simulation<M>) => void;
  /** Worker threads (default: the cores less one, at least 1; scenarios never run on the twin's thread). */
  readonly workers?: number;
}

/** What `twin.scenario(request)` is asked. */
export interface ScenarioRequest<P> {
  /** One what-if, compared with the twin's own parameters (the baseline). */
  readonly params?: Partial<P>;
  /** Several named what-ifs, each compared with the others and the baseline. */
  readonly scenarios?: Readonly<Record<string, Partial<P>>>;
  /** How far ahead, in hours of calendar time. */
  readonly horizonH: number;
  /** Replications per scenario (the cap when `targetHalfWidth` is given). */
  readonly replications: number;
  /** Sequential stopping: add replications until the primary output's 95% half-width is at most this. */
  readonly targetHalfWidth?: number;
}

/** A 95% interval of one output. */
export interface IntervalSummary {
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
  readonly halfWidth: number;
}

/** What a scenario request produced. */
export interface ScenarioResult {
  readonly id: string;
  /** Twin time (ISO-8601) the forks started from. */
  readonly from: string;
  readonly horizonH: number;
  readonly replications: number;
  /** Why the replications stopped. */
  readonly stoppedBy: 'replications' | 'precision' | 'cap';
  /** Per scenario (`'baseline'` first), per output: the 95% interval. */
  readonly scenarios: Readonly<Record<string, Readonly<Record<string, IntervalSummary>>>>;
  /** Per scenario other than the baseline, per output: the paired (CRN) interval of scenario − baseline. */
  readonly differences: Readonly<Record<string, Readonly<Record<string, IntervalSummary>>>>;
  /** Wall milliseconds the request took. */
  readonly elapsedMs: number;
}

/** A scenario request in flight or done. */
export interface ScenarioJob {
  readonly id: string;
  readonly status: 'running' | 'completed' | 'failed';
  /** When it was asked, ISO-8601 wall time. */
  readonly requestedAt: string;
  /** Resolves with the result (also published on `<root>/simulation/predictions/scenarios`). */
  readonly result: Promise<ScenarioResult>;
  /** The error message when it failed. */
  readonly error?: string;
}

/** The twin's present: per asset, the estimate of each variable and how fresh it is. */
export interface TwinState {
  /** Simulated time. */
  readonly time: number;
  /** The same instant on the calendar, ISO-8601. */
  readonly timestamp: string;
  readonly assets: Readonly<
    Record<
      string,
      {
        readonly variables: Readonly<Record<string, Estimate>>;
        /** Calendar time (ISO-8601) of the last reading assimilated; null before the first. */
        readonly lastUpdate: string | null;
        /** Whether any of its sensors is stale (its source went quiet). */
        readonly stale: boolean;
      }
    >
  >;
}

/** What the twin pushes to its subscribers (the service's WebSocket, tests, dashboards). */
export type TwinUpdate =
  | { readonly type: 'telemetry'; readonly reading: Reading }
  | { readonly type: 'state'; readonly state: TwinState }
  | { readonly type: 'kpis'; readonly time: string; readonly kpis: Readonly<Record<string, number>> }
  | { readonly type: 'event'; readonly event: TwinEvent }
  | { readonly type: 'scenario'; readonly result: ScenarioResult };

/** Subscription to a twin's updates. */
export interface TwinUpdates {
  /** Calls `listener` with every update; returns the function that removes it. A throwing listener does not stop the twin. */
  subscribe(listener: (update: TwinUpdate) => void): () => void;
}

/** p50, p99 and the maximum of a latency over a sliding window (milliseconds). */
export interface LatencySummary {
  /** Samples in the window (at most 4096, the most recent). */
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * A twin's counters. For readings they add up:
 * `received = assimilated + Σ skipped + (late − lateApplied) + duplicate + waiting`.
 */
export interface TwinStats {
  /** `'created'` before `start()`, `'running'` from then, `'stopped'` once `stop()` began. */
  readonly status: 'created' | 'running' | 'stopped';
  readonly readings: {
    /** Readings handed to the twin by its (checked) sources. */
    readonly received: number;
    /** Readings that corrected the state. */
    readonly assimilated: number;
    /** Readings not assimilated, by reason (`'bad'`, `'stale'`, `'uncertain'`, `'unmapped'`, ...). */
    readonly skipped: Readonly<Record<string, number>>;
    /** Readings stamped before the twin's present (see {@link LateReadingPolicy}). */
    readonly late: number;
    /** Of the late readings, those assimilated at the twin's present (`late: 'apply-now'`); they are counted under `assimilated` or `skipped` too. */
    readonly lateApplied: number;
    /** Readings of a sensor repeating its last timestamp. */
    readonly duplicate: number;
    /** Readings stamped ahead of the wall clock, waiting. */
    readonly waiting: number;
  };
  /** Per source name: the source's own counters, and its quality report when checked. */
  readonly sources: Readonly<
    Record<string, { readonly stats: SourceStats; readonly quality?: QualityReport }>
  >;
  /** Per sink name. */
  readonly sinks: Readonly<Record<string, SinkStats>>;
  /** Messages published, by kind. */
  readonly published: {
    readonly state: number;
    readonly kpis: number;
    readonly events: number;
    readonly scenarios: number;
    readonly commands: number;
    /** Sink writes that failed (the sink refused or reported an error); the twin went on. */
    readonly failed: number;
    /** Messages not written because a sink already had 10,000 writes waiting (a sink that blocks). */
    readonly dropped: number;
  };
  /**
   * Latencies over the last 4096 samples, wall milliseconds: `state`, from a reading's `receivedAt`
   * (this process got it) to the moment the twin's state includes it; `source`, from the reading's
   * own timestamp (the sensor measured it) to that moment, the end-to-end latency, meaningful when
   * the source's clock is synchronized with this machine's (design document 2.5); `step`, the
   * simulation's advance plus the assimilation of one reading; `sinkWrite`, from `sink.write` to
   * its acceptance.
   */
  readonly latency: {
    readonly state: LatencySummary;
    readonly source: LatencySummary;
    readonly step: LatencySummary;
    readonly sinkWrite: LatencySummary;
  };
  /** Assimilation functions that threw and sources that failed: how many, and the last message. */
  readonly errors: { readonly count: number; readonly last: string | null };
  /**
   * Simulated time, events processed, and the longest pause of ingestion seen: the longest wall
   * time a received reading waited while the twin was not handling another one (ms).
   */
  readonly simulation: { readonly time: number; readonly events: number; readonly longestPauseMs: number };
  /** Scenario requests by status. */
  readonly scenarios: { readonly running: number; readonly completed: number; readonly failed: number };
}

/** Options of `createTwin`. */
export interface CreateTwinOptions<P, M> {
  /** The model the twin runs. */
  readonly model: ModelDefinition<P, M>;
  /** Its parameters. */
  readonly params?: P;
  /** Its seed. */
  readonly seed?: number | string;
  /** Where readings come from. */
  readonly sources: readonly Source[];
  /** Data-quality rules applied to every source (`qualityCheck`); their sensor registry also names the assets. */
  readonly quality?: QualityRules;
  /** How readings correct the state. */
  readonly assimilate?: AssimilationMapping | AssimilateFunction<M>;
  /** Where state, KPIs, events and predictions go. */
  readonly sinks?: readonly Sink[];
  /** How the clock follows the world (default `'data'`). */
  readonly clock?: TwinClock;
  /** Simulated time to calendar time. */
  readonly time?: TwinTimeScale;
  /** Readings older than the twin's present (default `'drop'`). */
  readonly late?: LateReadingPolicy;
  /** What is published and how often. */
  readonly publish?: TwinPublishOptions;
  /** The twin's KPIs, computed from its simulation. */
  readonly kpis?: (sim: Simulation<M>) => Record<string, number>;
  /** The assets (default: from the quality rules' sensor registry, grouped by `sensor.asset`). */
  readonly assets?: readonly TwinAsset[];
  /** How scenarios run (needed for `twin.scenario`). */
  readonly scenarios?: TwinScenarioOptions<M>;
  /** Readings kept per sensor for `twin.readings()` (default 1000). */
  readonly history?: number;
}

/**
 * A live twin: readings arrive, the model advances to their time, the assimilation corrects its
 * state, the corrected state and predictions go out.
 */
export interface Twin<P, M> {
  /** Starts the sources and the ingestion loop; resolves when readings can flow. */
  start(): Promise<void>;
  /** Stops the sources, publishes the last state, flushes and closes the sinks. */
  stop(): Promise<void>;
  /** Resolves when every source has ended (a file read to its end) and each reading was handled. */
  drained(): Promise<void>;
  /** The twin's present. */
  state(): TwinState;
  /** The KPIs now. */
  kpis(): Record<string, number>;
  /** The KPIs published so far (bounded), oldest first. */
  kpiHistory(): readonly { readonly time: string; readonly kpis: Readonly<Record<string, number>> }[];
  /** Recent readings, newest last, of an asset or a sensor. */
  readings(filter?: { asset?: string; sensor?: string; since?: number; limit?: number }): readonly Reading[];
  /** The assets. */
  assets(): readonly TwinAsset[];
  /** Asks a what-if from the present; ingestion goes on meanwhile. */
  scenario(request: ScenarioRequest<P>): ScenarioJob;
  /** A scenario job by id. */
  scenarioJob(id: string): ScenarioJob | undefined;
  /** Sends a command to an asset on `<asset topic>/command/<action>` (QoS 2 on MQTT sinks). */
  command(asset: string, action: string, payload: Readonly<Record<string, unknown>>): Promise<void>;
  /** The twin's updates. */
  readonly events: TwinUpdates;
  /** The counters. */
  stats(): TwinStats;
  /** The twin's simulation (read it; change it only through the model's inputs). */
  readonly sim: Simulation<M>;
}
