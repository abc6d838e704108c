import { describe, expect, it } from 'vitest';
import { factory } from './model';
import { DEFAULTS, type FactoryParams } from './params';
import {
  parseTelemetry,
  predict,
  presentState,
  recommend,
  runPlant,
  synchronize,
  telemetryJsonl,
  whatIf,
} from './twin';

const SMALL: FactoryParams = { ...DEFAULTS, machines: 3, technicians: 2 };

describe('telemetry', () => {
  it('writes the design document schema and reads back what it wrote', () => {
    const plant = runPlant(SMALL, 4, 1);
    const text = telemetryJsonl(plant.readings);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(plant.readings.length);
    for (const line of lines.slice(0, 200)) {
      const rec = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(rec).sort()).toEqual([
        'quality',
        'sensor_id',
        'source',
        'timestamp',
        'unit',
        'value',
      ]);
      expect(rec.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(rec.source).toMatch(/^factory\/line1\/machine[1-3]\/(vibration|temperature|state)$/);
      expect(['g', 'celsius', 'running']).toContain(rec.unit);
      expect(['good', 'uncertain']).toContain(rec.quality);
      expect(rec.sensor_id).toMatch(/^(VIB|TEMP|PLC)-00[1-3]$/);
    }
    const back = parseTelemetry(text);
    back.forEach((r, i) => {
      const orig = plant.readings[i]!;
      expect(r.machine).toBe(orig.machine);
      expect(r.kind).toBe(orig.kind);
      expect(r.value).toBe(orig.value);
      // Timestamps carry milliseconds: the time survives to within 1 ms.
      expect(Math.abs(r.t - orig.t)).toBeLessThan(1 / 60_000 + 1e-9);
    });
    expect(() =>
      parseTelemetry('{"timestamp":"x","source":"factory/line1/machine1/vibration","value":1}'),
    ).toThrow(/line 1: timestamp must be ISO-8601/);
  });
});

describe('state estimation', () => {
  it('tracks the hidden health: the error stays inside the filter\u2019s ±2 sd band about 95% of the time', () => {
    // For a consistent filter the error divided by its sd is standard normal at every update, so
    // ±2 sd holds 95.4% of the updates in the long run. Over a 3-day run the fraction varies from run
    // to run because consecutive errors are strongly correlated (the wear mismatch between plant and
    // twin changes slowly), so few independent errors are seen; pooled over 6 runs it must be close to
    // 95% from both sides (a band that is much too wide is a failure too), and no run may fall far
    // below. The first 6 hours, while the filter converges from the prior, are left out.
    let inside = 0;
    let total = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const plant = runPlant(SMALL, seed, 3);
      const sync = synchronize(SMALL, parseTelemetry(telemetryJsonl(plant.readings)), {
        seed: seed + 100,
        truth: plant.readings.map((r) => r.truth),
      });
      const after = sync.estimates.filter((e) => e.t >= 360);
      const ok = after.filter((e) => Math.abs(e.estimate - e.truth) <= 2 * e.sd).length;
      expect(ok / after.length).toBeGreaterThan(0.8);
      inside += ok;
      total += after.length;
      // The prior sd is 14 health points; synchronized, the error is a fraction of a point.
      const rmse = Math.sqrt(after.reduce((s, e) => s + (e.estimate - e.truth) ** 2, 0) / after.length);
      expect(rmse).toBeLessThan(0.5);
    }
    expect(inside / total).toBeGreaterThan(0.9);
    expect(inside / total).toBeLessThan(0.99);
  });

  it('stops the twin\u2019s machines on the plant\u2019s failure reports and never uses readings flagged uncertain', () => {
    const fast = { ...SMALL, busyWearRate: 0.02, idleWearRate: 0.008, initialHealth: [60, 75, 90] };
    const plant = runPlant(fast, 9, 3);
    const failures = plant.trace.filter((e) => e.what === 'fail').length;
    expect(failures).toBeGreaterThan(2);
    const readings = parseTelemetry(telemetryJsonl(plant.readings));
    const sync = synchronize(fast, readings, { seed: 1, truth: plant.readings.map((r) => r.truth) });
    expect(sync.counts.failureReports).toBe(failures);
    expect(sync.counts.uncertain).toBe(readings.filter((r) => r.quality === 'uncertain').length);
    // Every reading is accounted for: used, skipped for a reason, or a state report.
    const { used, uncertain, whileDown, failureReports, otherStateReports } = sync.counts;
    expect(used + uncertain + whileDown + failureReports + otherStateReports).toBe(readings.length);
    expect(used).toBe(sync.estimates.length);
    expect(failureReports + otherStateReports).toBe(readings.filter((r) => r.kind === 'state').length);
    expect(sync.twin.model.machines.reduce((s, m) => s + m.failures, 0)).toBe(failures);
  });
});

describe('determinism', () => {
  it('gives identical telemetry, estimates and forecasts for a seed', async () => {
    const run = async () => {
      const plant = runPlant(SMALL, 21, 1);
      const text = telemetryJsonl(plant.readings);
      const sync = synchronize(SMALL, parseTelemetry(text), { seed: 22 });
      const forecast = await predict(sync.twin, { forks: 3, horizonDays: 1 });
      return {
        text,
        estimates: JSON.stringify(sync.estimates),
        forecasts: JSON.stringify(forecast.forecasts),
      };
    };
    const a = await run();
    const b = await run();
    expect(b.text).toBe(a.text);
    expect(b.estimates).toBe(a.estimates);
    expect(b.forecasts).toBe(a.forecasts);
    // A different seed gives a different plant.
    expect(telemetryJsonl(runPlant(SMALL, 23, 1).readings)).not.toBe(a.text);
  });

  it('gives identical what-if results on 1 and 2 worker threads', async () => {
    const params = { ...SMALL, initialHealth: [55, 70, 90] };
    const settings = { scenarios: [1, 2], replications: 4, whatIfDays: 2, seed: 5 };
    const one = await whatIf(params, { ...settings, workers: 1 });
    const two = await whatIf(params, { ...settings, workers: 2 });
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    expect(one.scenarios['1 technician']!.outputs.failures!.values.length).toBe(4);
  });

  it("runs the what-if from the twin's present: same results on 1 and 2 workers, KPIs over the horizon", async () => {
    const fast = { ...SMALL, busyWearRate: 0.02, idleWearRate: 0.008, initialHealth: [60, 75, 90] };
    const plant = runPlant(fast, 9, 2);
    const readings = parseTelemetry(telemetryJsonl(plant.readings));
    const sync = synchronize(fast, readings, { seed: 10 });
    const from = presentState(sync.twin);
    expect(from.time).toBe(sync.twin.now);
    const settings = { scenarios: [1, 3], replications: 4, whatIfDays: 1, seed: 5 };
    const one = await whatIf(fast, { ...settings, workers: 1 }, undefined, from);
    const two = await whatIf(fast, { ...settings, workers: 2 }, undefined, from);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    // Replication 0 of a scenario is the present restored with its crew and run one day on.
    const three = factory.restore(from, {
      replication: 0,
      params: { ...fast, technicians: 3, record: false, failures: 'health' },
    });
    three.run({ until: from.time + 1440 });
    expect(one.scenarios['3 technicians']!.outputs.failures!.values[0]).toBe(three.model.kpis().failures);
    // Labour is counted over the day from the present only (the KPI window restarts there).
    expect(one.scenarios['3 technicians']!.outputs.laborCost!.values[0]).toBeCloseTo(
      3 * 24 * fast.technicianCost,
      9,
    );
    // The twin itself was left alone: its machines still fail on reports only.
    expect(sync.twin.model.failureSource).toBe('reported');
  });

  it('prices labour by the clock, downtime by the hour and each failure, and recommends the cheapest crew', async () => {
    const params = {
      ...SMALL,
      initialHealth: [52, 53, 54],
      technicianCost: 100,
      downtimeCost: 1000,
      failureCost: 700,
    };
    const study = await whatIf(params, {
      scenarios: [1, 3],
      replications: 6,
      whatIfDays: 2,
      seed: 9,
      workers: 1,
    });
    for (const [name, run] of Object.entries(study.scenarios)) {
      const crew = Number.parseInt(name, 10);
      const o = run.outputs;
      o.laborCost!.values.forEach((labor, i) => {
        // Technicians are paid for every hour of the study, busy or not.
        expect(labor).toBeCloseTo(crew * 48 * 100, 9);
        const down = o.downtimeHours!.values[i]! * params.machines; // machine-hours down
        expect(o.downtimeCost!.values[i]).toBeCloseTo(down * 1000, 6);
        expect(o.failureCost!.values[i]).toBe(o.failures!.values[i]! * 700);
        expect(o.totalCost!.values[i]).toBeCloseTo(labor + down * 1000 + o.failures!.values[i]! * 700, 6);
      });
      expect(o.failures!.mean).toBeGreaterThanOrEqual(3); // every machine starts just above its threshold
    }
    const pick = recommend(study);
    const means = Object.entries(study.scenarios).map(([n, r]) => [n, r.outputs.totalCost!.mean] as const);
    const cheapest = means.reduce((a, b) => (b[1] < a[1] ? b : a));
    expect(pick.scenario).toBe(cheapest[0]);
    expect(pick.totalCost).toBe(cheapest[1]);
    const other = means.find(([n]) => n !== pick.scenario)!;
    // The interval is of (other − recommended): it holds the difference of the means.
    const [against] = pick.against;
    expect(against!.scenario).toBe(other[0]);
    expect(against!.lower).toBeLessThanOrEqual(other[1] - cheapest[1] + 1e-9);
    expect(against!.upper).toBeGreaterThanOrEqual(other[1] - cheapest[1] - 1e-9);
    expect(against!.significant).toBe(against!.lower > 0);
  });
});
