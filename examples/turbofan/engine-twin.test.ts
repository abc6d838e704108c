import { startReplicationWorkers } from '@twinkit/estimation';
import { describe, expect, it } from 'vitest';
import { loadCmapss } from './data';
import { engineTwin, FORECAST_SEED, followEngine, followReading, forecastByForking } from './engine-twin';
import { calibrateTwin, DEFAULT_SETTINGS, EngineTwin, forecastTwin, healthSeries } from './model';

const train = loadCmapss('train_FD001.txt');
const test = loadCmapss('test_FD001.txt');
const model = calibrateTwin(train);
const horizon = DEFAULT_SETTINGS.horizon;

/** A twin that has followed a test engine's readings, and the same readings through a bare filter. */
function synchronized(index: number) {
  const health = healthSeries(model.hi, test[index]!);
  const twin = followEngine(model, { seed: FORECAST_SEED, horizon });
  const filter = new EngineTwin(model);
  for (const h of health) {
    followReading(twin, h);
    filter.assimilate(h);
  }
  return { twin, filter, cycles: health.length };
}

/** The two-sample Kolmogorov-Smirnov statistic of two sorted samples. */
function ksStatistic(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i]! <= x) i++;
    while (j < b.length && b[j]! <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('the engine twin (a twinkit model on the simulation clock)', () => {
  it('follows an engine exactly as the Kalman filter of its readings does, one cycle per time unit', () => {
    const { twin, filter, cycles } = synchronized(2);
    expect(twin.now).toBe(cycles);
    expect(filter.cycle).toBe(cycles);
    const x = twin.model.filter!.x;
    const P = twin.model.filter!.P;
    for (let i = 0; i < 3; i++) {
      expect(x[i]).toBeCloseTo(filter.filter.x[i]!, 12);
      for (let j = 0; j < 3; j++) expect(P[i]![j]).toBeCloseTo(filter.filter.P[i]![j]!, 12);
    }
    expect(twin.model.logLikelihood).toBeCloseTo(filter.logLikelihood, 9);
  });

  it('restores from its snapshot and goes on following exactly as the original', () => {
    const { twin } = synchronized(5);
    const copy = engineTwin.restore(twin.snapshot());
    const more = healthSeries(model.hi, test[5]!).slice(-10);
    for (const h of more) {
      followReading(twin, h);
      followReading(copy, h);
    }
    expect(copy.now).toBe(twin.now);
    expect(copy.model.filter!.x).toEqual(twin.model.filter!.x);
    expect(copy.model.filter!.P).toEqual(twin.model.filter!.P);
    expect(copy.model.logLikelihood).toBe(twin.model.logLikelihood);
  });

  it('restored before its first reading, follows as a twin that was never saved', () => {
    const health = healthSeries(model.hi, test[7]!).slice(0, 30);
    const fresh = followEngine(model, { seed: FORECAST_SEED, horizon });
    const restored = engineTwin.restore(fresh.snapshot());
    for (const h of health) {
      followReading(fresh, h);
      followReading(restored, h);
    }
    expect(restored.model.filter!.x).toEqual(fresh.model.filter!.x);
    expect(restored.model.filter!.P).toEqual(fresh.model.filter!.P);
  });

  it('forecasts by forking the same distribution of remaining life as sampling the posterior directly', async () => {
    // Two independent Monte Carlo estimates of one distribution: the forks' draws come from the
    // replications' substreams, the direct sampler's from one stream. KS test at alpha = 0.001.
    const samples = 2000;
    for (const index of [2, 30, 77]) {
      const { twin, filter } = synchronized(index);
      const forked = await forecastByForking(twin, { samples, horizon });
      const direct = forecastTwin(model, filter, { ...DEFAULT_SETTINGS, samples });
      expect(forked.samples).toHaveLength(samples);
      const critical = 1.949 * Math.sqrt((2 * samples) / (samples * samples));
      expect(ksStatistic(forked.samples, direct.samples)).toBeLessThan(critical);
      expect(forked.lo90).toBeLessThanOrEqual(forked.rul);
      expect(forked.rul).toBeLessThanOrEqual(forked.hi90);
    }
  }, 60_000);

  it('gives the same forecast on two worker threads as on this thread (same seed, same numbers)', async () => {
    const { twin } = synchronized(11);
    const here = await forecastByForking(twin, { samples: 300, horizon });
    const pool = startReplicationWorkers(engineTwin, { workers: 2 });
    try {
      const there = await forecastByForking(twin, { samples: 300, horizon, pool });
      expect(Array.from(there.samples)).toEqual(Array.from(here.samples));
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('draws common random numbers: replication i of every engine uses the same draws', async () => {
    // Two engines with different data: with the same seed their replications share the draws, so
    // their remaining lives move together across replications; a twin with another seed does not.
    const a = await forecastByForking(synchronized(2).twin, { samples: 400, horizon });
    const b = await forecastByForking(synchronized(30).twin, { samples: 400, horizon });
    const other = followEngine(model, { seed: FORECAST_SEED + 1, horizon });
    for (const h of healthSeries(model.hi, test[30]!)) followReading(other, h);
    const c = await forecastByForking(other, { samples: 400, horizon });
    expect(correlation(a.byReplication, b.byReplication)).toBeGreaterThan(0.5);
    expect(Math.abs(correlation(a.byReplication, c.byReplication))).toBeLessThan(0.15);
  });

  it('refuses a reading that is not a number, and a forecast created without a synchronized twin', () => {
    const twin = followEngine(model, { seed: FORECAST_SEED, horizon });
    expect(() => followReading(twin, Number.NaN)).toThrow(
      /followReading\(twin, health\).*finite number or null.*NaN/s,
    );
    expect(() =>
      engineTwin.create({ seed: 1, params: { ...(twin.params as object), mode: 'forecast' } as never }),
    ).toThrow(/mode 'forecast' starts from a synchronized twin's snapshot/);
  });
});
