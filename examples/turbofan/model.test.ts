import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFORMATIVE_SENSORS, loadCmapss, replayTelemetry, writeTelemetry } from './data';
import { FORECAST_SEED, followEngine, followReading, forecastByForking } from './engine-twin';
import { rulCsv, type TestForecast } from './main';
import { calibrateTwin, DEFAULT_SETTINGS, healthOfValues, healthSeries } from './model';

const settings = { ...DEFAULT_SETTINGS, samples: 400 };
const train = loadCmapss('train_FD001.txt');
const model = calibrateTwin(train, settings);

describe('the degradation twin', () => {
  it('has a health indicator that decreases on average, from near 1 to near the threshold', () => {
    let first = 0;
    let last = 0;
    let falling = 0;
    for (const e of train) {
      const h = healthSeries(model.hi, e);
      const head = h.slice(0, 20).reduce((s, v) => s + v, 0) / 20;
      const tail = h.slice(-20).reduce((s, v) => s + v, 0) / 20;
      first += head / train.length;
      last += tail / train.length;
      if (tail < head) falling++;
    }
    expect(first).toBeGreaterThan(0.85);
    expect(last).toBeLessThan(0.25);
    expect(falling).toBe(train.length);
    // The population's trend falls: negative acceleration, and it reaches the threshold.
    expect(model.priorMean[2]).toBeLessThan(0);
    expect(model.threshold.mean).toBeLessThan(0.3);
    expect(model.noiseVar).toBeGreaterThan(model.whiteNoiseVar);
  });

  it('writes rul.csv with one row per test engine and lo90 <= rul <= hi90', async () => {
    const test = loadCmapss('test_FD001.txt');
    const dir = mkdtempSync(join(tmpdir(), 'turbofan-'));
    const path = join(dir, 'telemetry.jsonl');
    writeTelemetry(path, test);
    const replayed = await replayTelemetry(path);
    const forecasts: TestForecast[] = [];
    for (const [unit, { values }] of replayed.units) {
      // As npm run turbofan does: the twin follows the replayed readings, then is forked.
      const twin = followEngine(model, { seed: FORECAST_SEED, horizon: settings.horizon });
      const health = values.map((row) => healthOfValues(model.hi, row));
      for (const h of health) followReading(twin, h);
      const forecast = await forecastByForking(twin, { samples: 100, horizon: settings.horizon });
      forecasts.push({ unit, observed: values.length, health, ...forecast });
    }
    writeFileSync(join(dir, 'rul.csv'), rulCsv(forecasts));
    const rows = readFileSync(join(dir, 'rul.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('unit,rul,lo90,hi90');
    expect(rows).toHaveLength(101);
    for (const row of rows.slice(1)) {
      const [unit, rul, lo, hi] = row.split(',').map(Number) as [number, number, number, number];
      expect(Number.isInteger(unit)).toBe(true);
      expect(lo).toBeLessThanOrEqual(rul);
      expect(rul).toBeLessThanOrEqual(hi);
      expect(lo).toBeGreaterThanOrEqual(0);
    }
    expect(INFORMATIVE_SENSORS).toHaveLength(10);
  }, 30_000);
});
