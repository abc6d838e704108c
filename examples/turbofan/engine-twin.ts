/**
 * An engine's twin as a twinkit model: a simulation whose clock counts the engine's cycles and whose
 * state is the filter's estimate of the engine's local degradation state (h, v, a). It has two modes:
 *
 * - `follow`: the twin follows the engine. A process predicts the state one cycle ahead at every
 *   cycle (the filter's time update, on the simulation's clock); each reading (the cycle's health
 *   indicator) corrects it (`followReading`). This is the synchronized twin.
 * - `forecast`: one possible future of the synchronized twin. Its snapshot is restored with
 *   `mode: 'forecast'` (runReplications' `from` and `params`): the process draws the engine's
 *   present state from the filter's posterior and its failure threshold from the calibrated one
 *   (a random stream keyed by the replication: common random numbers across engines), then
 *   runs the state forward cycle by cycle until the health reaches the threshold, or the horizon.
 *
 * `forecastByForking` runs those futures as Monte Carlo replications on worker threads, so the
 * forecast of the test engines is a fork of each synchronized twin, as a live twin's would be.
 */
import { defineModel, RandomStream, type Simulation, type SimulationSnapshot } from '@twinkit/core';
import { KalmanFilter, type ReplicationWorkers, runReplications } from '@twinkit/estimation';
import { invalidArgument } from '../support/invalid-argument';
import type { DegradationModel, LifeForecast } from './model';
import { quantile, stateSpace, TRANSITION } from './model';

/**
 * The seed of every engine's twin: replication i of every engine's forecast draws the same numbers
 * (common random numbers), so two engines' forecasts differ by their data, not by sampling noise.
 */
export const FORECAST_SEED = 19;

/** What an engine's twin is built from (structured-cloneable: it goes to the worker threads). */
export interface EngineTwinParams {
  /** The calibrated prior, reading noise, process noise and failure threshold. */
  model: Pick<DegradationModel, 'priorMean' | 'priorCov' | 'noiseVar' | 'processVar' | 'threshold'>;
  /** Cycles a forecast runs beyond the present at most (a later failure is reported at the horizon). */
  horizon: number;
  /** `follow` the engine's readings, or run one possible `forecast` from the present. */
  mode: 'follow' | 'forecast';
}

/** The twin's saved state: the cycle, the filter's estimate and the readings' log-likelihood. */
export interface EngineTwinState {
  cycle: number;
  x: number[];
  P: number[][];
  logLikelihood: number;
}

/** The model inside an engine twin's simulation. */
export interface EngineTwinModel {
  /** The filter of the local state (h, v, a) at the present cycle (`sim.now`); null in a forecast. */
  readonly filter: KalmanFilter | null;
  /** The log-likelihood of the readings so far. */
  logLikelihood: number;
  /** In a forecast: the cycle at which the health reached the threshold, or null while it has not. */
  failedAt: number | null;
  /** In a forecast: the remaining life in cycles from the fork (the horizon if no failure by then). */
  remaining: number;
}

function build(sim: Simulation, params: EngineTwinParams, saved: EngineTwinState | null): EngineTwinModel {
  const { model, horizon, mode } = params;
  if (mode === 'follow') {
    const options = stateSpace(model, model.processVar, model.noiseVar);
    const filter = new KalmanFilter(saved === null ? options : { ...options, x0: saved.x, P0: saved.P });
    // Cycle 1 is the prior's cycle; from then on the estimate moves one cycle per time unit (also
    // after a restore at any cycle, cycle 0 included).
    sim.process(function* () {
      for (;;) {
        yield sim.timeout(1);
        if (sim.now > 1) filter.predict(1);
      }
    });
    return { filter, logLikelihood: saved?.logLikelihood ?? 0, failedAt: null, remaining: horizon };
  }
  if (saved === null) {
    throw invalidArgument(
      'engineTwin.create({ params })',
      "mode 'forecast' starts from a synchronized twin's snapshot",
      mode,
      "Create the twin with mode 'follow', then fork it: runReplications(engineTwin, { from: twin.snapshot(), params: { ...params, mode: 'forecast' } }).",
    );
  }
  // A forecast needs only the posterior (saved.x, saved.P): no filter is built for it, since the
  // forecast is run thousands of times per engine.
  const twin: EngineTwinModel = {
    filter: null,
    logLikelihood: saved.logLikelihood,
    failedAt: null,
    remaining: horizon,
  };
  sim.process(function* () {
    const start = sim.now;
    // Common random numbers across engines: the forecast's stream is keyed by the seed and the
    // replication only. sim.rng() would also key it by the fork point (the events before the
    // snapshot), which differs from engine to engine, so replication i of two engines would draw
    // independent numbers. A forecast is never snapshotted, so the stream needs no saving.
    const rng = new RandomStream({
      seed: sim.seed,
      name: 'turbofan/forecast',
      replication: sim.replication,
      forkPath: '',
    });
    const [h0, v0, a0] = drawState(saved.x, saved.P, () => rng.normal(0, 1));
    const threshold = model.threshold.mean + model.threshold.sd * rng.normal(0, 1);
    const sq = Math.sqrt(model.processVar);
    const [f0, f1] = TRANSITION as number[][];
    let h = h0!;
    let v = v0!;
    let a = a0!;
    while (h > threshold && sim.now - start < horizon) {
      yield sim.timeout(1);
      h += f0![1]! * v + f0![2]! * a;
      v += f1![2]! * a;
      if (sq > 0) a += sq * rng.normal(0, 1);
    }
    if (h <= threshold) twin.failedAt = sim.now;
    twin.remaining = sim.now - start;
  });
  return twin;
}

/** A draw of (h, v, a) from N(x, P) through P's Cholesky factor. */
function drawState(x: readonly number[], P: readonly (readonly number[])[], normal: () => number): number[] {
  const L = cholesky3(P);
  const z0 = normal();
  const z1 = normal();
  const z2 = normal();
  return [x[0]! + L[0]! * z0, x[1]! + L[1]! * z0 + L[2]! * z1, x[2]! + L[3]! * z0 + L[4]! * z1 + L[5]! * z2];
}

/** The lower Cholesky factor of a 3x3 covariance, row by row: [l00, l10, l11, l20, l21, l22]. */
function cholesky3(P: readonly (readonly number[])[]): number[] {
  // A tiny fixed-size factor in the forecast's hot path: a matrix library's allocation per draw
  // would cost more than the draw.
  const l00 = Math.sqrt(Math.max(P[0]![0]!, 1e-18));
  const l10 = P[1]![0]! / l00;
  const l11 = Math.sqrt(Math.max(P[1]![1]! - l10 * l10, 1e-18));
  const l20 = P[2]![0]! / l00;
  const l21 = (P[2]![1]! - l20 * l10) / l11;
  const l22 = Math.sqrt(Math.max(P[2]![2]! - l20 * l20 - l21 * l21, 1e-18));
  return [l00, l10, l11, l20, l21, l22];
}

/** The engine twin's definition (exported under its name so worker threads can load it). */
export const engineTwin = defineModel<EngineTwinParams, EngineTwinModel, EngineTwinState>(
  (sim, params) => build(sim, params, null),
  {
    name: 'engineTwin',
    module: import.meta.url,
    snapshot: {
      saveState: (m, sim) => ({
        cycle: sim.now,
        x: followed(m, 'saveState').x,
        P: followed(m, 'saveState').P,
        logLikelihood: m.logLikelihood,
      }),
      restoreState: (sim, params, saved) => build(sim, params, saved),
    },
  },
);

/** The filter of a following twin, or a clear error for a forecast's. */
function followed(model: EngineTwinModel, api: string): KalmanFilter {
  if (model.filter === null) {
    throw invalidArgument(
      api,
      "the twin must follow an engine (mode 'follow')",
      'forecast',
      'Pass the twin made by followEngine.',
    );
  }
  return model.filter;
}

/** Starts a twin that follows an engine: at cycle 0, before its first reading. */
export function followEngine(
  model: EngineTwinParams['model'],
  options: { seed: number; horizon: number },
): Simulation<EngineTwinModel> {
  // Only what the twin reads: the params are copied into every snapshot and every fork.
  const { priorMean, priorCov, noiseVar, processVar, threshold } = model;
  return engineTwin.create({
    seed: options.seed,
    params: {
      model: { priorMean, priorCov, noiseVar, processVar, threshold },
      horizon: options.horizon,
      mode: 'follow',
    },
  });
}

/**
 * Feeds the next cycle's health reading to a following twin: runs its clock to that cycle (the
 * filter's prediction) and corrects the estimate with the reading (`null`: a missing cycle, the
 * estimate only widens).
 */
export function followReading(twin: Simulation<EngineTwinModel>, health: number | null): void {
  if (health !== null && !Number.isFinite(health)) {
    throw invalidArgument(
      'followReading(twin, health)',
      'health must be a finite number or null for a missing cycle',
      health,
      'Pass null for a cycle whose sensors are missing.',
    );
  }
  twin.run({ until: twin.now + 1 });
  const result = followed(twin.model, 'followReading(twin, health)').update(
    health === null ? null : [health],
  );
  if (result.kind === 'measurement') twin.model.logLikelihood += result.logLikelihood;
}

/** A forecast made by forking a twin: also each replication's remaining life, in replication order. */
export interface ForkedForecast extends LifeForecast {
  byReplication: Float64Array;
}

/**
 * Forecasts an engine's failure by forking its synchronized twin: `samples` replications from its
 * snapshot, each restored as a `forecast` (one possible present state and threshold, run forward to
 * failure), on the worker threads of `pool` (or this thread). Replication i of every engine draws
 * from the same substream (common random numbers).
 */
export async function forecastByForking(
  twin: Simulation<EngineTwinModel>,
  options: { samples: number; horizon: number; pool?: ReplicationWorkers },
): Promise<ForkedForecast> {
  const from: SimulationSnapshot = twin.snapshot();
  const params: EngineTwinParams = {
    ...(from.params as EngineTwinParams),
    horizon: options.horizon,
    mode: 'forecast',
  };
  const results = await runReplications(engineTwin, {
    from,
    params,
    replications: options.samples,
    until: from.time + options.horizon,
    outputs: (sim) => ({ rul: sim.model.remaining }),
    ...(options.pool === undefined ? {} : { pool: options.pool }),
  });
  const byReplication = Float64Array.from(results.outputs.rul!.values);
  const samples = byReplication.slice().sort();
  return {
    byReplication,
    rul: quantile(samples, 0.5),
    lo90: quantile(samples, 0.05),
    hi90: quantile(samples, 0.95),
    samples,
    mean: followed(twin.model, 'forecastByForking(twin)').x,
    cov: followed(twin.model, 'forecastByForking(twin)').P,
  };
}
