/**
 * `npm run turbofan`: the remaining-life twin of NASA's C-MAPSS FD001 engines end to end.
 *
 * 1. reads the training engines (run to failure) and the test engines (cut off before failure);
 * 2. calibrates the degradation twin on the training engines (health indicator, population of
 *    degradation trends, reading noise, failure threshold: `calibrate`);
 * 3. writes the test engines' telemetry in the design document's schema (out/telemetry.jsonl),
 *    replays it through `fileSource`, keeps each engine's twin (a twinkit model with a Kalman
 *    filter on its clock) in step with its readings, and forecasts its failure by forking the
 *    synchronized twin: Monte Carlo replications from its snapshot on worker threads, with common
 *    random numbers: out/rul.csv;
 * 4. cross-validates the whole procedure on the training engines (5 folds by engine);
 * 5. prints the accuracy and writes out/summary.json and out/report.html.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startReplicationWorkers } from '@twinkit/estimation';
import { type Accuracy, accuracy, crossValidate, type Prediction } from './cv';
import { type Engine, INFORMATIVE_SENSORS, loadCmapss, replayTelemetry, writeTelemetry } from './data';
import { engineTwin, FORECAST_SEED, followEngine, followReading, forecastByForking } from './engine-twin';
import {
  calibrateTwin,
  DEFAULT_SETTINGS,
  type DegradationModel,
  healthOfValues,
  type LifeForecast,
  type TwinSettings,
} from './model';
import { renderReport } from './report';

/** The cap of the piecewise-linear convention (true and predicted RUL capped for the capped metrics). */
export const RUL_CAP = 125;

/** The forecast of one test engine. */
export interface TestForecast extends LifeForecast {
  unit: number;
  /** Cycles observed (the present). */
  observed: number;
  /** The HI of each observed cycle. */
  health: number[];
}

/** The accuracy of one cross-validation, three ways. */
export interface CvAccuracy {
  /** Against the true RUL, nothing capped. */
  raw: Accuracy;
  /** Truth and predictions capped at RUL_CAP (the published figures' convention). */
  capped: Accuracy;
  /** Only the cuts whose true RUL is at most RUL_CAP, nothing capped. */
  near: Accuracy;
}

function cvAccuracy(predictions: readonly Prediction[]): CvAccuracy {
  return {
    raw: accuracy(predictions),
    capped: accuracy(predictions, RUL_CAP),
    near: accuracy(predictions.filter((p) => p.truth <= RUL_CAP)),
  };
}

/** Everything a run produces. */
export interface TurbofanRun {
  model: DegradationModel;
  train: Engine[];
  forecasts: TestForecast[];
  cv: { uniform: Prediction[]; testLike: Prediction[] };
  accuracy: { uniform: CvAccuracy; testLike: CvAccuracy };
  telemetry: { lines: number; received: number; rejected: Record<string, number> };
  timings: Record<string, number>;
}

/** Runs the study; writes telemetry.jsonl into `outDir`. */
export async function runTurbofan(
  outDir: string,
  settings: TwinSettings = DEFAULT_SETTINGS,
  options: { workers: number } = { workers: 2 },
): Promise<TurbofanRun> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - t) / 1000;
    t = now;
  };
  const train = loadCmapss('train_FD001.txt');
  const test = loadCmapss('test_FD001.txt');
  lap('read');
  const model = calibrateTwin(train, settings);
  lap('calibrate');
  // The test engines' telemetry in the design document's schema, replayed through fileSource.
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'telemetry.jsonl');
  const lines = writeTelemetry(path, test, INFORMATIVE_SENSORS);
  const replayed = await replayTelemetry(path, INFORMATIVE_SENSORS);
  lap('telemetry');
  // Each test engine's twin follows its replayed readings (the filter on the twin's clock), then is
  // forked: `samples` possible futures from its snapshot, on worker threads (runReplications' `from`).
  const followed = [...replayed.units]
    .sort((a, b) => a[0] - b[0])
    .map(([unit, { values }]) => {
      const twin = followEngine(model, { seed: FORECAST_SEED, horizon: settings.horizon });
      const health: number[] = [];
      for (const row of values) {
        const h = row.some((v) => Number.isNaN(v)) ? null : healthOfValues(model.hi, row);
        followReading(twin, h);
        health.push(h ?? Number.NaN);
      }
      return { unit, observed: values.length, health, twin };
    });
  lap('synchronize');
  const pool = startReplicationWorkers(engineTwin, { workers: options.workers });
  let forecasts: TestForecast[];
  try {
    forecasts = await Promise.all(
      followed.map(async ({ twin, ...engine }) => ({
        ...engine,
        ...(await forecastByForking(twin, { samples: settings.samples, horizon: settings.horizon, pool })),
      })),
    );
  } finally {
    await pool.close();
  }
  lap('forecast');
  const cvSettings = { ...settings, samples: Math.min(settings.samples, 1000) };
  const uniform = crossValidate(train, { settings: cvSettings });
  lap('crossValidateUniform');
  const testLike = crossValidate(train, {
    settings: cvSettings,
    seed: 20,
    observedLengths: test.map((e) => e.cycles.length),
  });
  lap('crossValidateTestLike');
  return {
    model,
    train,
    forecasts,
    cv: { uniform, testLike },
    accuracy: {
      uniform: cvAccuracy(uniform),
      testLike: cvAccuracy(testLike),
    },
    telemetry: { lines, received: replayed.received, rejected: replayed.rejected },
    timings,
  };
}

/** rul.csv: `unit,rul,lo90,hi90`, one row per test engine. */
export function rulCsv(forecasts: readonly TestForecast[]): string {
  const rows = forecasts.map(
    (f) => `${f.unit},${f.rul.toFixed(1)},${f.lo90.toFixed(1)},${f.hi90.toFixed(1)}`,
  );
  return `unit,rul,lo90,hi90\n${rows.join('\n')}\n`;
}

function line(name: string, a: Accuracy): string {
  return `  ${name.padEnd(28)} RMSE ${a.rmse.toFixed(1).padStart(5)}  score ${a.score.toExponential(2).padStart(9)} (${a.meanScore.toFixed(2)} per engine)  coverage ${(100 * a.coverage).toFixed(1)}%  width ${a.width.toFixed(1)}  bias ${a.bias.toFixed(1)}`;
}

/** Runs the example and writes out/rul.csv, out/summary.json and out/report.html. */
export async function main(
  outDir: string,
  out: { write(text: string): unknown } = process.stdout,
): Promise<TurbofanRun> {
  const started = performance.now();
  const run = await runTurbofan(outDir);
  const { model, accuracy: acc } = run;
  writeFileSync(join(outDir, 'rul.csv'), rulCsv(run.forecasts));
  const wall = (performance.now() - started) / 1000;
  const summary = {
    model: {
      sensors: model.hi.sensors,
      hiWeights: model.hi.weights,
      hiBias: model.hi.bias,
      priorMean: model.priorMean,
      priorCov: model.priorCov,
      readingVariance: model.noiseVar,
      whiteNoiseVariance: model.whiteNoiseVar,
      autocorrelationTime: model.autocorrelationTime,
      threshold: model.threshold,
    },
    crossValidation: {
      folds: 5,
      cutsPerEngine: 5,
      cap: RUL_CAP,
      uniform: acc.uniform,
      testLike: acc.testLike,
    },
    test: {
      engines: run.forecasts.length,
      meanRul: run.forecasts.reduce((s, f) => s + f.rul, 0) / run.forecasts.length,
      meanWidth: run.forecasts.reduce((s, f) => s + f.hi90 - f.lo90, 0) / run.forecasts.length,
    },
    telemetry: run.telemetry,
    timings: { ...run.timings, total: Math.round(wall * 1000) / 1000 },
  };
  writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(outDir, 'report.html'), renderReport(run, RUL_CAP));
  out.write(
    [
      `C-MAPSS FD001: ${run.train.length} training engines, ${run.forecasts.length} test engines (${run.telemetry.received} readings replayed through fileSource)`,
      `Twin: HI from sensors ${model.hi.sensors.join(', ')}; trend prior h0 ${model.priorMean[0]!.toFixed(3)}, v ${model.priorMean[1]!.toFixed(3)}, a ${model.priorMean[2]!.toFixed(3)}; reading variance ${model.noiseVar.toExponential(2)} (ML ${model.whiteNoiseVar.toExponential(2)} x autocorrelation time ${model.autocorrelationTime.toFixed(1)}); threshold ${model.threshold.mean.toFixed(3)} +- ${model.threshold.sd.toFixed(3)}`,
      'Cross-validation (5 folds by engine, 5 cuts per held-out engine):',
      line('cuts uniform, true RUL', acc.uniform.raw),
      line(`cuts uniform, capped ${RUL_CAP}`, acc.uniform.capped),
      line(`cuts uniform, true RUL <= ${RUL_CAP}`, acc.uniform.near),
      line('cuts test-like, true RUL', acc.testLike.raw),
      line(`cuts test-like, capped ${RUL_CAP}`, acc.testLike.capped),
      line(`cuts test-like, true <= ${RUL_CAP}`, acc.testLike.near),
      `Test engines: mean predicted RUL ${summary.test.meanRul.toFixed(1)}, mean 90% width ${summary.test.meanWidth.toFixed(1)}`,
      `Wrote ${join(outDir, 'rul.csv')}, summary.json, report.html, telemetry.jsonl in ${wall.toFixed(1)} s`,
      '',
    ].join('\n'),
  );
  return run;
}

/** The example's out/ folder. */
export const OUT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'out');

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(OUT_DIR);
}
