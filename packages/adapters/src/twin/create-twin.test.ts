import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../test-support/thrown';
import { KeepingSink } from '../../test-support/keeping-sink';
import { wearingMachine } from '../../test-support/twin-models';
import { sleep, waitFor } from '../../test-support/wait-for';

const until = (condition: () => boolean, timeoutMs = 5000) =>
  waitFor(condition, timeoutMs, condition.toString());

import { fileSource } from '../file';
import { qualityCheck } from '../quality';
import { ManualSource, reading } from '../quality/manual-source';
import { makeEvent, type Reading } from '../reading';
import { defineSensors } from '../sensors';
import { createTwin } from './create-twin';
import type { TwinStats, TwinUpdate } from './types';

const T0 = Date.UTC(2026, 0, 5, 6);
const SRC = 'plant/line1/m1/telemetry/health';
const sensors = defineSensors([
  { id: 'HLT-001', source: SRC, unit: '1', range: [0, 120], asset: 'M1' },
  { id: 'HLT-002', source: 'plant/line1/m1/telemetry/health2', unit: '1', range: [0, 120], asset: 'M1' },
]);

/** Readings add up: every one received is assimilated, skipped, late-dropped, duplicate or waiting. */
function addsUp(s: TwinStats['readings']): number {
  const skipped = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  return s.assimilated + skipped + (s.late - s.lateApplied) + s.duplicate + s.waiting;
}

/** The scalar random-walk Kalman filter written out: predict P += q·dt, then correct. */
function scalarKalman(
  x0: number,
  p0: number,
  q: number,
  r: number,
  obs: readonly { t: number; z: number }[],
) {
  let x = x0;
  let p = p0;
  let last = 0;
  const out: { x: number; p: number }[] = [];
  for (const { t, z } of obs) {
    p += q * (t - last);
    last = t;
    const k = p / (p + r * r);
    x += k * (z - x);
    p = (1 - k) * p;
    out.push({ x, p });
  }
  return out;
}

function jsonl(readings: readonly Reading[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'twin-'));
  const path = join(dir, 'telemetry.jsonl');
  writeFileSync(
    path,
    readings
      .map((r) =>
        JSON.stringify({
          timestamp: r.timestamp,
          source: r.source,
          value: r.value,
          unit: r.unit,
          quality: r.quality,
          sensor_id: r.sensor_id,
        }),
      )
      .join('\n') + '\n',
  );
  return path;
}

const still = { initial: 80, wearRate: 0, wearNoise: 0 };

describe('createTwin: the data clock over a recorded file', () => {
  it('advances to each reading and reaches the estimates of the Kalman recursion written out', async () => {
    // A machine that does not wear: the filter is the random walk, whose recursion is closed-form.
    const obs = [3, 7, 8, 15, 30, 31, 45, 60, 61, 90].map((t, i) => ({ t, z: 70 + ((i * 7) % 5) }));
    const readings = obs.map(({ t, z }) => reading('HLT-001', T0 + t * 1000, z, { source: SRC, unit: '1' }));
    const sink = new KeepingSink();
    const twin = createTwin({
      model: wearingMachine,
      params: still,
      seed: 1,
      sources: [fileSource({ path: jsonl(readings), format: 'jsonl' })],
      time: { epoch: T0, unitMs: 1000 },
      assimilate: {
        filter: 'kf',
        assets: {
          M1: {
            state: ['M1.health'],
            P0: [[25]],
            Q: [[0.2]],
            sensors: { 'HLT-001': { h: (x) => [x[0]!], H: () => [[1]], R: 2 } },
          },
        },
      },
      sinks: [sink],
      publish: { stateEveryS: 20 },
    });
    const states: TwinUpdate[] = [];
    twin.events.subscribe((u) => {
      if (u.type === 'state') states.push(u);
    });
    await twin.start();
    await twin.drained();
    const expected = scalarKalman(80, 25, 0.2, 2, obs);
    const last = expected.at(-1)!;
    const estimate = twin.state().assets.M1!.variables['M1.health']!;
    expect(twin.sim.now).toBe(90);
    expect(estimate.mean).toBeCloseTo(last.x, 12);
    expect(estimate.sd).toBeCloseTo(Math.sqrt(last.p), 12);
    // The correction is written back into the model's state vector.
    expect(twin.sim.state.get('M1.health')).toBeCloseTo(last.x, 12);
    expect(twin.state().assets.M1!.lastUpdate).toBe(new Date(T0 + 90_000).toISOString());
    const stats = twin.stats();
    expect(stats.readings).toMatchObject({ received: 10, assimilated: 10, late: 0, duplicate: 0 });
    // State every 20 s of twin time from the first reading (t = 3): at 30, 45, 60 and 90.
    expect(sink.of('state').map((m) => (m as { time: number }).time)).toEqual(
      [30, 45, 60, 90].map((t) => T0 + t * 1000),
    );
    expect(sink.of('state').every((m) => 'topic' in m && m.topic === 'factory/simulation/state/sync')).toBe(
      true,
    );
    expect(states).toHaveLength(4);
    await twin.stop();
    // stop() publishes the last state once more.
    expect(sink.of('state')).toHaveLength(5);
  });

  it('takes the model’s own move as the filter’s prediction (EKF and UKF agree with the KF on a linear sensor)', async () => {
    const moving = { initial: 90, wearRate: 0.5, wearNoise: 0 };
    const obs = [2, 4, 10, 11, 20].map((t) => ({ t, z: 90 - 0.5 * t + 1 }));
    const results: number[][] = [];
    for (const filter of ['kf', 'ekf', 'ukf'] as const) {
      const source = new ManualSource();
      const twin = createTwin({
        model: wearingMachine,
        params: moving,
        sources: [source],
        time: { epoch: T0 },
        assimilate: {
          filter,
          assets: {
            M1: {
              state: ['M1.health'],
              P0: [[4]],
              Q: [[0.1]],
              sensors: { 'HLT-001': { h: (x) => [x[0]!], H: () => [[1]], R: 1 } },
            },
          },
        },
      });
      await twin.start();
      const seen: number[] = [];
      for (const { t, z } of obs) {
        source.push(reading('HLT-001', T0 + t * 1000, z, { source: SRC, unit: '1' }));
        await until(() => twin.stats().readings.assimilated === seen.length + 1);
        seen.push(twin.sim.state.get('M1.health'));
      }
      source.end();
      await twin.drained();
      await twin.stop();
      results.push(seen);
    }
    // The model wears 0.5 per unit; the filter's innovation is the offset of +1 only. With a move
    // of exactly the truth's move, the recursion is the random walk's on the offset.
    const offsets = scalarKalman(
      0,
      4,
      0.1,
      1,
      obs.map(({ t }) => ({ t, z: 1 })),
    );
    const expected = obs.map(({ t }, i) => 90 - Math.floor(t) * 0.5 + offsets[i]!.x);
    for (const seen of results) for (const [i, v] of seen.entries()) expect(v).toBeCloseTo(expected[i]!, 9);
  });

  it('counts readings that are bad, uncertain, stale (forward-filled), unmapped, duplicated and late, and they add up', async () => {
    const source = new ManualSource();
    const twin = createTwin({
      model: wearingMachine,
      params: still,
      sources: [source],
      quality: { sensors, range: true, monotonic: false },
      time: { epoch: T0 },
      assimilate: {
        assets: {
          M1: { state: ['M1.health'], Q: [[0.1]], sensors: { 'HLT-001': { h: (x) => [x[0]!], R: 1 } } },
        },
      },
    });
    await twin.start();
    const at = (s: number) => T0 + s * 1000;
    source.push(
      reading('HLT-001', at(1), 80, { source: SRC, unit: '1' }),
      reading('HLT-001', at(2), 80, { source: SRC, unit: '1', quality: 'bad' }),
      reading('HLT-001', at(3), 80, { source: SRC, unit: '1', quality: 'uncertain' }),
      reading('HLT-001', at(3.5), 80, { source: SRC, unit: '1', quality: 'stale' }), // forward-filled
      reading('HLT-002', at(4), 80, { source: 'plant/line1/m1/telemetry/health2', unit: '1' }), // unmapped
      reading('HLT-001', at(5), 80, { source: SRC, unit: '1' }),
      reading('HLT-001', at(5), 80, { source: SRC, unit: '1' }), // duplicate
      reading('HLT-002', at(4.5), 80, { source: 'plant/line1/m1/telemetry/health2', unit: '1' }), // late
      reading('HLT-001', at(6), 500, { source: SRC, unit: '1' }), // out of range: rejected by the check
      reading('NOPE-1', at(7), 1, { source: 'plant/x/telemetry/y', unit: '1' }), // unknown: rejected
    );
    source.end();
    await twin.drained();
    const s = twin.stats();
    expect(s.readings).toEqual({
      received: 8,
      assimilated: 2,
      skipped: { bad: 1, uncertain: 1, stale: 1, unmapped: 1 },
      late: 1,
      lateApplied: 0,
      duplicate: 1,
      waiting: 0,
    });
    expect(addsUp(s.readings)).toBe(s.readings.received);
    // What the check refused is in its own report, under the source.
    const quality = Object.values(s.sources)[0]!.quality!;
    expect(quality.sensors['HLT-001']!.rejected.range).toBe(1);
    expect(quality.unknownSensor).toBe(1);
    await twin.stop();
  });

  it("assimilates a late reading at the twin's present with late: 'apply-now', and counts it", async () => {
    const source = new ManualSource();
    const twin = createTwin({
      model: wearingMachine,
      params: still,
      sources: [source],
      late: 'apply-now',
      time: { epoch: T0 },
      assimilate: {
        assets: {
          M1: { state: ['M1.health'], Q: [[0.1]], sensors: { 'HLT-001': { h: (x) => [x[0]!], R: 1 } } },
        },
      },
    });
    await twin.start();
    source.push(
      reading('HLT-001', T0 + 10_000, 80, { source: SRC, unit: '1' }),
      reading('HLT-001', T0 + 5_000, 70, { source: SRC, unit: '1' }),
    );
    source.end();
    await twin.drained();
    const s = twin.stats().readings;
    expect(s).toMatchObject({ received: 2, assimilated: 2, late: 1, lateApplied: 1 });
    expect(addsUp(s)).toBe(2);
    expect(twin.sim.now).toBe(10);
    await twin.stop();
  });
});

describe('createTwin: drift, the function form, sinks that fail', () => {
  it('raises model_drift on the asset’s status topic when the data stop fitting the model, and not before', async () => {
    // The model believes the machine does not wear; from t = 100 the plant loses 2 per second.
    const source = new ManualSource();
    const sink = new KeepingSink();
    const twin = createTwin({
      model: wearingMachine,
      params: still,
      sources: [source],
      quality: { sensors },
      sinks: [sink],
      time: { epoch: T0 },
      assimilate: {
        assets: {
          M1: { state: ['M1.health'], Q: [[0.001]], sensors: { 'HLT-001': { h: (x) => [x[0]!], R: 1 } } },
        },
        drift: { window: 10 },
      },
    });
    const drift: TwinUpdate[] = [];
    twin.events.subscribe((u) => {
      if (u.type === 'event' && u.event.event_type === 'model_drift') drift.push(u);
    });
    await twin.start();
    // Deterministic noise well inside the band: ±1 alternating, R = 1 (NIS ≈ 1 per reading).
    for (let t = 1; t <= 100; t++)
      source.push(reading('HLT-001', T0 + t * 1000, 80 + (t % 2 === 0 ? 1 : -1), { source: SRC, unit: '1' }));
    await until(() => twin.stats().readings.received === 100);
    expect(drift).toHaveLength(0);
    for (let t = 101; t <= 140; t++)
      source.push(reading('HLT-001', T0 + t * 1000, 80 - 2 * (t - 100), { source: SRC, unit: '1' }));
    source.end();
    await twin.drained();
    expect(drift).toHaveLength(1); // raised once per excursion, not at every reading
    const event = (drift[0] as Extract<TwinUpdate, { type: 'event' }>).event;
    expect(event.source).toBe('M1');
    expect(event.details.state).toBe('too-large');
    expect(Number(event.details.averageNis)).toBeGreaterThan(Number(event.details.upper));
    const published = sink
      .of('event')
      .filter((m) => m.kind === 'event' && m.event.event_type === 'model_drift');
    expect(published).toHaveLength(1);
    expect((published[0] as { topic: string }).topic).toBe('plant/line1/m1/status/events');
    await twin.stop();
  });

  it('raises nothing when the filter is only too pessimistic (NIS below its band is not drift)', async () => {
    const source = new ManualSource();
    const twin = createTwin({
      model: wearingMachine,
      params: still,
      sources: [source],
      time: { epoch: T0 },
      assimilate: {
        assets: {
          M1: { state: ['M1.health'], Q: [[0.001]], sensors: { 'HLT-001': { h: (x) => [x[0]!], R: 1 } } },
        },
        drift: { window: 10 },
      },
    });
    const events: string[] = [];
    twin.events.subscribe((u) => {
      if (u.type === 'event') events.push(u.event.event_type);
    });
    await twin.start();
    // Readings exactly at the prior: every innovation 0, NIS 0, far below the band.
    for (let t = 1; t <= 50; t++)
      source.push(reading('HLT-001', T0 + t * 1000, 80, { source: SRC, unit: '1' }));
    source.end();
    await twin.drained();
    expect(twin.stats().readings.assimilated).toBe(50);
    expect(events).toEqual([]);
    await twin.stop();
  });

  it('runs an assimilation function: its estimates grow in uncertainty while no reading comes; its skips and errors are counted', async () => {
    const source = new ManualSource();
    const twin = createTwin({
      model: wearingMachine,
      params: still,
      sources: [source],
      time: { epoch: T0 },
      assimilate: (ctx, r) => {
        if (r.value < 0) throw new Error('negative health');
        if (r.quality === 'uncertain') return ctx.skip('uncertain');
        ctx.sim.state.set('M1.health', r.value);
        ctx.setEstimate(
          'M1',
          { 'M1.health': { mean: r.value, sd: 1 } },
          { varianceGrowth: { 'M1.health': 0.5 } },
        );
        if (r.value < 50)
          ctx.emit(makeEvent('machine_failure_predicted', 'warning', 'M1', r.time, { health: r.value }));
      },
    });
    const events: string[] = [];
    twin.events.subscribe((u) => {
      if (u.type === 'event') events.push(u.event.event_type);
    });
    await twin.start();
    source.push(
      reading('HLT-001', T0 + 1000, 60, { source: SRC, unit: '1' }),
      reading('HLT-001', T0 + 2000, 60, { source: SRC, unit: '1', quality: 'uncertain' }),
      reading('HLT-001', T0 + 3000, -1, { source: SRC, unit: '1' }),
      reading('HLT-002', T0 + 9000, 40, { source: SRC, unit: '1' }),
    );
    await until(() => twin.stats().readings.received === 4);
    const s = twin.stats();
    expect(s.readings.assimilated).toBe(2);
    expect(s.readings.skipped).toEqual({ uncertain: 1, error: 1 });
    expect(s.errors.count).toBe(1);
    expect(s.errors.last).toMatch(/negative health/);
    expect(events).toEqual(['machine_failure_predicted']);
    // sd² = 1 + 0.5 × (now − then): 0 s after the last estimate, then 8 s later.
    expect(twin.state().assets.M1!.variables['M1.health']!.sd).toBe(1);
    source.push(reading('HLT-002', T0 + 17_000, 40, { source: SRC, unit: '1', quality: 'uncertain' }));
    await until(() => twin.stats().readings.received === 5);
    expect(twin.state().assets.M1!.variables['M1.health']!.sd).toBeCloseTo(Math.sqrt(1 + 0.5 * 8), 12);
    source.end();
    await twin.stop();
  });

  it('goes on when a sink is down: failures are counted and the simulation keeps up', async () => {
    const source = new ManualSource();
    const down = new KeepingSink('down');
    down.fail = true;
    const up = new KeepingSink('up');
    const twin = createTwin({
      model: wearingMachine,
      params: still,
      sources: [source],
      sinks: [down, up],
      time: { epoch: T0 },
      publish: { stateEveryS: 1 },
      assimilate: {
        assets: {
          M1: { state: ['M1.health'], Q: [[0.1]], sensors: { 'HLT-001': { h: (x) => [x[0]!], R: 1 } } },
        },
      },
    });
    await twin.start();
    for (let t = 1; t <= 20; t++)
      source.push(reading('HLT-001', T0 + t * 1000, 80, { source: SRC, unit: '1' }));
    source.end();
    await twin.drained();
    await sleep(10);
    const s = twin.stats();
    expect(s.readings.assimilated).toBe(20);
    expect(twin.sim.now).toBe(20);
    expect(up.of('state').length).toBe(s.published.state);
    // Every message the down sink was given failed (the states, and the drift event that readings
    // matching the prior exactly raise: NIS 0, 'too-small'); the other sink got them all.
    const sent = s.published.state + s.published.events;
    expect(s.published.failed).toBe(sent);
    expect(s.sinks.down!.failed).toBe(sent);
    expect(s.sinks.up!.delivered).toBe(sent);
    expect(s.errors.last).toBe('down: sink is down');
    await twin.stop();
  });
});

describe('createTwin: the wall clock', () => {
  it('waits for readings stamped ahead, assimilates them at their time, and counts the late ones', async () => {
    // The pacer sleeps every 10 ms: it must not pile up listeners (Node warns past 10 on one signal).
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const source = new ManualSource();
    const start = Date.now();
    const twin = createTwin({
      model: wearingMachine,
      params: still,
      sources: [source],
      clock: { mode: 'wall', speed: 1, start, delayMs: 100 },
      time: { epoch: start, unitMs: 1000 },
      assimilate: {
        assets: {
          M1: { state: ['M1.health'], Q: [[0.1]], sensors: { 'HLT-001': { h: (x) => [x[0]!], R: 1 } } },
        },
      },
    });
    const applied: number[] = [];
    await twin.start();
    twin.events.subscribe((u) => {
      if (u.type === 'state') applied.push(u.state.time);
    });
    // Ahead of the twin by 300 ms: it waits, then is assimilated exactly at its own time.
    source.push(reading('HLT-001', start + 400, 79, { source: SRC, unit: '1', receivedAt: Date.now() }));
    await sleep(20);
    expect(twin.stats().readings.waiting).toBe(1);
    await until(() => twin.stats().readings.assimilated === 1, 3000);
    expect(twin.state().assets.M1!.lastUpdate).toBe(new Date(start + 400).toISOString());
    // Stamped a second before the twin's present: late, dropped by default.
    await sleep(200);
    source.push(
      reading('HLT-001', Date.now() - 1500, 79, { source: SRC, unit: '1', receivedAt: Date.now() }),
    );
    await until(() => twin.stats().readings.late === 1);
    // The clock runs on by itself, close to the wall clock less the delay.
    const now = twin.sim.now;
    const wall = (Date.now() - start - 100) / 1000;
    expect(now).toBeGreaterThan(wall - 0.1);
    expect(now).toBeLessThanOrEqual(wall + 0.01);
    source.end();
    await twin.drained();
    const s = twin.stats().readings;
    expect(s).toMatchObject({ received: 2, assimilated: 1, late: 1, waiting: 0 });
    expect(addsUp(s)).toBe(2);
    await twin.stop();
    process.off('warning', onWarning);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

describe('createTwin: careless input', () => {
  const base = { model: wearingMachine, params: still, sources: [new ManualSource()] };
  it.each([
    [{ ...base, sources: [] }, /^createTwin\(options\): sources must be a non-empty array of sources/],
    [{ ...base, clok: 'data' }, /unknown option 'clok'.*Did you mean 'clock'\?/],
    [{ ...base, clock: 'realtime' }, /clock: must be 'data', 'wall' or \{ mode: 'wall'/],
    [
      { ...base, clock: { mode: 'wall', speed: 0 } },
      /speed \(calendar time per wall time\) must be a finite number > 0/,
    ],
    [{ ...base, late: 'later' }, /late: must be 'drop' or 'apply-now'/],
    [{ ...base, publish: { stateEverys: 10 } }, /unknown option 'stateEverys'.*Did you mean 'stateEveryS'\?/],
    [
      {
        ...base,
        assimilate: {
          assets: { M1: { state: ['M1.helth'], Q: [[1]], sensors: { A: { h: (): number[] => [0], R: 1 } } } },
        },
      },
      /names a variable the model's state vector does not have.*Did you mean 'M1\.health'\?/,
    ],
    [
      {
        ...base,
        assimilate: {
          filter: 'kf',
          assets: {
            M1: { state: ['M1.health'], Q: [[1]], sensors: { A: { h: (): number[] => [0], R: 1 } } },
          },
        },
      },
      /a 'kf' filter needs H/,
    ],
  ])('refuses %#', (options, message) => {
    expect(thrown(() => createTwin(options as never)).message).toMatch(message);
  });

  it('checks several sources each against its own sensors, never all against one registry', async () => {
    const a = new ManualSource();
    const b = new ManualSource();
    // With the heartbeat (on by default) each check would find the other source's sensors silent.
    expect(thrown(() => createTwin({ ...base, sources: [a, b], quality: { sensors } })).message).toMatch(
      /the heartbeat and forwardFill rules would check each of the 2 sources against every sensor.*Check each source against its own sensors/,
    );
    // Sources checked already are taken as they are (not checked twice); the registry names the assets.
    const one = defineSensors([{ id: 'HLT-001', source: SRC, unit: '1', asset: 'M1' }]);
    const two = defineSensors([
      { id: 'HLT-002', source: 'plant/line1/m1/telemetry/health2', unit: '1', asset: 'M1' },
    ]);
    const twin = createTwin({
      ...base,
      sources: [qualityCheck(a, { sensors: one }), qualityCheck(b, { sensors: two })],
      quality: { sensors, heartbeat: false, forwardFill: false },
    });
    expect(Object.keys(twin.stats().sources)).toEqual(['quality(manual)', 'quality(manual) #2']);
    expect(twin.assets().map((x) => x.id)).toEqual(['M1']);
  });

  it('starts the wall clock at clock.start, and refuses a start before the epoch', async () => {
    const epoch = Date.UTC(2026, 0, 1);
    const early = createTwin({ ...base, clock: { mode: 'wall', start: epoch - 1000 }, time: { epoch } });
    await expect(early.start()).rejects.toThrow(/clock\.start .* must not be before time\.epoch/);
    const later = createTwin({
      ...base,
      sources: [new ManualSource()],
      clock: { mode: 'wall', start: epoch + 3_600_000, delayMs: 0 },
      time: { epoch },
    });
    await later.start();
    await sleep(50);
    expect(later.sim.now).toBeGreaterThanOrEqual(3600);
    expect(later.sim.now).toBeLessThan(3601);
    await later.stop();
  });

  it('refuses a scenario without scenario options, and unknown assets in commands and readings', async () => {
    const twin = createTwin({ ...base, quality: { sensors } });
    expect(() => twin.scenario({ params: { wearRate: 1 }, horizonH: 1, replications: 5 })).toThrow(
      /created without scenario options/,
    );
    expect(() => twin.readings({ asset: 'M2' })).toThrow(
      /names an asset the twin does not have.*Did you mean 'M1'\?/,
    );
    await expect(twin.command('M2', 'stop', {})).rejects.toThrow(/Did you mean 'M1'\?/);
    await expect(twin.command('M1', 'stop', {})).rejects.toThrow(/no sink takes commands/);
  });
});
