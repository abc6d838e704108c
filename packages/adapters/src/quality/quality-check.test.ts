import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reading, TwinEvent } from '../reading';
import { defineSensors, type SensorSpec } from '../sensors';
import type { SourceStats } from '../source';
import { ManualSource, reading } from './manual-source';
import { type QualitySource, qualityCheck } from './quality-check';
import type { QualityRules } from './rules';

const T0 = Date.parse('2024-01-15T10:00:00Z');
const topic = (m: string) => `factory/production/line1/machine/telemetry/${m}`;

const TEMP: SensorSpec = { id: 'TEMP-001', source: topic('temperature'), unit: 'degC', range: [0, 150] };
const sensors = defineSensors([TEMP]);
/** Every rule off: each test turns on the one it checks. */
const OFF = {
  units: false,
  range: false,
  monotonic: false,
  spike: false,
  forwardFill: false,
  heartbeat: false,
} as const;

function sum(record: Readonly<Record<string, number>>): number {
  return Object.values(record).reduce((a, b) => a + b, 0);
}

function expectAddsUp(s: SourceStats): void {
  expect(s.received + s.filled).toBe(s.accepted + sum(s.rejected) + sum(s.dropped) + s.pending);
}

function expectReportAddsUp(check: QualitySource): void {
  for (const line of Object.values(check.qualityReport().sensors)) {
    expect(line.received).toBe(line.passed + sum(line.rejected) + line.held + line.dropped);
  }
}

/** Runs `readings` through a quality check to the end; returns what came out, the stats and the events. */
async function run(rules: QualityRules, readings: Reading[]) {
  const inner = new ManualSource();
  const check = qualityCheck(inner, rules);
  const events: TwinEvent[] = [];
  check.onEvent((e) => events.push(e));
  inner.push(...readings);
  inner.end();
  const out: Reading[] = [];
  for await (const r of check) out.push(r);
  const stats = check.stats();
  expectAddsUp(stats);
  expectReportAddsUp(check);
  expect(stats.pending).toBe(0);
  return { out, stats, events, report: check.qualityReport(), check };
}

const at = (s: number) => T0 + s * 1000;

describe('qualityCheck: configuration', () => {
  it('refuses unknown rules and options, naming the closest', () => {
    const inner = new ManualSource();
    expect(() => qualityCheck(inner, { sensors, rnage: false } as unknown as QualityRules)).toThrow(
      /unknown option 'rnage'.*Did you mean 'range'\?/,
    );
    expect(() => qualityCheck(inner, { sensors, monotonic: { reorderWindow: 5 } } as never)).toThrow(
      /rules.monotonic: unknown option 'reorderWindow'.*Did you mean 'reorderWindowMs'\?/,
    );
    expect(() => qualityCheck(inner, {} as QualityRules)).toThrow(/rules.sensors must be a sensor registry/);
    expect(() => qualityCheck({} as never, { sensors })).toThrow(/source must be a Source/);
  });

  it('refuses at configuration a registry unit mathjs does not know, with the remedy', () => {
    const odd = defineSensors([{ id: 'SPEED-001', source: topic('speed'), unit: 'rpm' }]);
    expect(() => qualityCheck(new ManualSource(), { sensors: odd })).toThrow(
      /rules.units: sensor 'SPEED-001' has a unit that mathjs does not know .*got "rpm".*units: false/,
    );
    // Off, or '1' for a count, is fine.
    expect(() => qualityCheck(new ManualSource(), { sensors: odd, units: false })).not.toThrow();
    const count = defineSensors([{ id: 'Q-1', source: topic('length'), unit: '1' }]);
    expect(() => qualityCheck(new ManualSource(), { sensors: count })).not.toThrow();
  });

  it('refuses bad rule options: ranges of unknown sensors, even windows, negative values', () => {
    const inner = new ManualSource();
    expect(() => qualityCheck(inner, { sensors, range: { ranges: { 'TEMP-01': [0, 1] } } })).toThrow(
      /names a sensor that is not in the registry, got "TEMP-01"\. Did you mean 'TEMP-001'\?/,
    );
    expect(() => qualityCheck(inner, { sensors, range: { ranges: { 'TEMP-001': [5, 1] } } })).toThrow(
      /must be \[low, high\] with finite low < high/,
    );
    expect(() => qualityCheck(inner, { sensors, spike: { window: 4 } })).toThrow(
      /odd integer from 3 to 101, got 4/,
    );
    expect(() => qualityCheck(inner, { sensors, monotonic: { reorderWindowMs: -1 } })).toThrow(
      />= 0, got -1/,
    );
    expect(() => qualityCheck(inner, { sensors, heartbeat: { clock: 'data' as never } })).toThrow(
      /clock must be 'source' or 'wall', got "data"/,
    );
    expect(() => qualityCheck(inner, { sensors, forwardFill: { maxSamples: 0 } })).toThrow(
      /integer >= 1, got 0/,
    );
  });

  it('fills in the design document defaults', () => {
    const s = qualityCheck(new ManualSource(), { sensors }).qualityReport().settings;
    expect(s.monotonic).toEqual({ reorderWindowMs: 1000, idleFlushMs: 1000 });
    expect(s.heartbeat).toEqual({ limitMs: 60_000, clock: 'source', checkEveryMs: 1000 });
    expect(s.forwardFill).toEqual({ maxSamples: 3 });
    expect(s.spike).toEqual({ window: 5, k: 3, minDeviation: { 'TEMP-001': 0 } });
    expect(s.range).toEqual({ ranges: { 'TEMP-001': [0, 150] } });
    expect(s.units).toBe(true);
  });
});

describe('qualityCheck: unknown sensors and units', () => {
  it('rejects readings of sensors not in the registry', async () => {
    const { out, stats, report } = await run({ sensors, ...OFF }, [
      reading('TEMP-001', at(0), 20),
      reading('TEMP-999', at(1), 20),
    ]);
    expect(out.map((r) => r.sensor_id)).toEqual(['TEMP-001']);
    expect(stats.rejected).toEqual({ unknown_sensor: 1 });
    expect(report.unknownSensor).toBe(1);
  });

  it('converts degF to degC, and rejects unknown and foreign units as unit', async () => {
    const { out, stats, report } = await run({ sensors, ...OFF, units: true }, [
      reading('TEMP-001', at(0), 212, { unit: 'degF', seq: 7 }),
      reading('TEMP-001', at(1), 32, { unit: 'degF' }),
      reading('TEMP-001', at(2), 300, { unit: 'K' }),
      reading('TEMP-001', at(3), 20, { unit: 'degC' }),
      reading('TEMP-001', at(4), 5, { unit: 'A' }),
      reading('TEMP-001', at(5), 5, { unit: 'furlongs per fortnight' }),
      reading('TEMP-001', at(6), 1e308, { unit: 'degF' }), // converts to a finite value
    ]);
    expect(out.map((r) => r.unit)).toEqual(['degC', 'degC', 'degC', 'degC', 'degC']);
    expect(out[0]?.value).toBe(100);
    expect(out[0]?.seq).toBe(7);
    expect(out[1]?.value).toBe(0);
    expect(out[2]?.value).toBeCloseTo(26.85, 10);
    expect(out[3]?.value).toBe(20);
    expect(stats.rejected).toEqual({ unit: 2 });
    expect(report.sensors['TEMP-001']).toMatchObject({ received: 7, passed: 5, converted: 4 });
  });

  it('passes readings in their own unit when the rule is off', async () => {
    const { out } = await run({ sensors, ...OFF }, [reading('TEMP-001', at(0), 212, { unit: 'degF' })]);
    expect(out[0]).toMatchObject({ value: 212, unit: 'degF' });
  });
});

describe('qualityCheck: range', () => {
  it('rejects values outside the registry range (inclusive bounds), after unit conversion', async () => {
    const { out, stats } = await run({ sensors, ...OFF, units: true, range: true }, [
      reading('TEMP-001', at(0), -1),
      reading('TEMP-001', at(1), 0),
      reading('TEMP-001', at(2), 150),
      reading('TEMP-001', at(3), 151),
      reading('TEMP-001', at(4), 302, { unit: 'degF' }), // 150 degC
      reading('TEMP-001', at(5), 310, { unit: 'degF' }), // 154.4 degC
    ]);
    expect(out.map((r) => Math.round(r.value))).toEqual([0, 150, 150]);
    expect(stats.rejected).toEqual({ range: 3 });
  });

  it('takes ranges given per sensor over the registry', async () => {
    const { out } = await run({ sensors, ...OFF, range: { ranges: { 'TEMP-001': [10, 20] } } }, [
      reading('TEMP-001', at(0), 5),
      reading('TEMP-001', at(1), 15),
      reading('TEMP-001', at(2), 100),
    ]);
    expect(out.map((r) => r.value)).toEqual([15]);
  });
});

describe('qualityCheck: monotonic', () => {
  it('puts readings within the window back in order and rejects older ones (hand-worked)', async () => {
    // Window 1 s. 0 and 2 s: 0 goes out. 1.5 s: within the window, held. 3 s: 1.5 and 2 go out.
    // 0.5 s: older than 2 s, already handed on: rejected. 4 s: 3 goes out. End: 4 goes out.
    const { out, stats, report } = await run({ sensors, ...OFF, monotonic: true }, [
      reading('TEMP-001', at(0), 1),
      reading('TEMP-001', at(2), 2),
      reading('TEMP-001', at(1.5), 3),
      reading('TEMP-001', at(3), 4),
      reading('TEMP-001', at(0.5), 5),
      reading('TEMP-001', at(4), 6),
    ]);
    expect(out.map((r) => (r.time - T0) / 1000)).toEqual([0, 1.5, 2, 3, 4]);
    expect(stats.rejected).toEqual({ out_of_order: 1 });
    expect(report.sensors['TEMP-001']?.rejected.out_of_order).toBe(1);
  });

  it('rejects a reading older than its sensor newest by more than the window', async () => {
    const { out, stats } = await run({ sensors, ...OFF, monotonic: true }, [
      reading('TEMP-001', at(0), 1),
      reading('TEMP-001', at(2), 2),
      reading('TEMP-001', at(0.9), 3), // 1.1 s older than 2 s
    ]);
    expect(out.map((r) => r.value)).toEqual([1, 2]);
    expect(stats.rejected).toEqual({ out_of_order: 1 });
  });

  it('with a window of 0 holds nothing and keeps strict (non-decreasing) order', async () => {
    const { out, stats } = await run({ sensors, ...OFF, monotonic: { reorderWindowMs: 0 } }, [
      reading('TEMP-001', at(0), 1),
      reading('TEMP-001', at(2), 2),
      reading('TEMP-001', at(1.5), 3),
      reading('TEMP-001', at(2), 4),
    ]);
    expect(out.map((r) => r.value)).toEqual([1, 2, 4]);
    expect(stats.rejected).toEqual({ out_of_order: 1 });
  });

  it('releases on the data clock of every sensor, in time order across sensors', async () => {
    const two = defineSensors([TEMP, { id: 'CUR-001', source: topic('current'), unit: 'A' }]);
    const inner = new ManualSource();
    const check = qualityCheck(inner, { sensors: two, ...OFF, monotonic: true });
    const it = check[Symbol.asyncIterator]();
    inner.push(reading('TEMP-001', at(0), 1), reading('CUR-001', at(0.5), 2, { unit: 'A' }));
    const first = it.next();
    // Nothing is out yet: both are held (pending) until the data clock passes them by 1 s.
    await new Promise((r) => setTimeout(r, 20));
    expect(check.stats()).toMatchObject({ received: 2, accepted: 0, pending: 2 });
    inner.push(reading('CUR-001', at(1.2), 3, { unit: 'A' }));
    expect((await first).value?.value).toBe(1);
    inner.push(reading('CUR-001', at(3), 4, { unit: 'A' }));
    expect((await it.next()).value?.value).toBe(2);
    expect((await it.next()).value?.value).toBe(3);
    expectAddsUp(check.stats());
    await check.close();
  });

  it('hands on held readings when the source is silent for idleFlushMs, then rejects older ones', async () => {
    const inner = new ManualSource();
    const check = qualityCheck(inner, {
      sensors,
      ...OFF,
      monotonic: { reorderWindowMs: 1000, idleFlushMs: 30 },
    });
    const it = check[Symbol.asyncIterator]();
    inner.push(reading('TEMP-001', at(10), 1));
    const first = await it.next(); // arrives without any later reading nor the end
    expect(first.value?.value).toBe(1);
    inner.push(reading('TEMP-001', at(9.5), 2)); // within the window, but 10 s is handed on
    inner.push(reading('TEMP-001', at(11), 3));
    inner.end();
    expect((await it.next()).value?.value).toBe(3);
    expect((await it.next()).done).toBe(true);
    expect(check.stats().rejected).toEqual({ out_of_order: 1 });
  });
});

describe('qualityCheck: spike', () => {
  it('rejects a spike against the median and MAD of the window (hand-worked)', async () => {
    // Window [10, 10.2, 9.9, 10.1, 50]: median 10.1, MAD 0.1, threshold 3 * 1.4826 * 0.1 = 0.445.
    const values = [10, 10.2, 9.9, 10.1, 50, 10, 10.1];
    const { out, stats } = await run(
      { sensors, ...OFF, spike: true },
      values.map((v, i) => reading('TEMP-001', at(i), v)),
    );
    expect(out.map((r) => r.value)).toEqual([10, 10.2, 9.9, 10.1, 10, 10.1]);
    expect(stats.rejected).toEqual({ spike: 1 });
  });

  it('accepts a change of level from its third sample (window 5); spikes stay in the window', async () => {
    const values = [10, 10, 10, 10, 10, 20, 20, 20, 20];
    const { out, report } = await run(
      { sensors, ...OFF, spike: { minDeviation: 0.5 } },
      values.map((v, i) => reading('TEMP-001', at(i), v)),
    );
    expect(out.map((r) => r.value)).toEqual([10, 10, 10, 10, 10, 20, 20]);
    expect(report.sensors['TEMP-001']?.rejected.spike).toBe(2);
  });

  it('does not judge before the window is full, and ignores steps below 3 x accuracy', async () => {
    const accurate = defineSensors([{ ...TEMP, accuracy: 0.5 }]);
    const values = [100, 0, 20, 20, 20, 20, 21.4, 20];
    const { out } = await run(
      { sensors: accurate, ...OFF, spike: true },
      values.map((v, i) => reading('TEMP-001', at(i), v)),
    );
    // 100 and 0 came before the window was full; 21.4 is 1.4 from the median, below 1.5.
    expect(out.map((r) => r.value)).toEqual(values);
  });
});

describe('qualityCheck: forward-fill', () => {
  it('fills up to 3 missing samples with the last value, quality stale (hand-worked)', async () => {
    const fill = defineSensors([{ ...TEMP, samplingHz: 1 }]);
    const { out, stats, report } = await run({ sensors: fill, ...OFF, monotonic: true, forwardFill: true }, [
      reading('TEMP-001', at(0), 1),
      reading('TEMP-001', at(1), 2),
      reading('TEMP-001', at(4), 3), // 2 and 3 s missing
      reading('TEMP-001', at(9), 4), // 5 to 8 s missing: the first 3 are filled
      reading('TEMP-001', at(9.4), 5), // 0.4 periods: nothing missing
      reading('TEMP-001', at(11), 6), // 1.6 periods: one missing, at 10.4 s
    ]);
    expect(out.map((r) => [(r.time - T0) / 1000, r.value, r.quality])).toEqual([
      [0, 1, 'good'],
      [1, 2, 'good'],
      [2, 2, 'stale'],
      [3, 2, 'stale'],
      [4, 3, 'good'],
      [5, 3, 'stale'],
      [6, 3, 'stale'],
      [7, 3, 'stale'],
      [9, 4, 'good'],
      [9.4, 5, 'good'],
      [10.4, 5, 'stale'],
      [11, 6, 'good'],
    ]);
    expect(stats).toMatchObject({
      received: 6,
      filled: 6,
      accepted: 12,
      lastReadingTime: { 'TEMP-001': at(11) },
    });
    expect(report.sensors['TEMP-001']).toMatchObject({ filled: 6, passed: 6 });
    expect(out[2]?.timestamp).toBe('2024-01-15T10:00:02.000Z');
  });

  it('fills nothing for sensors without a sampling rate', async () => {
    const { out } = await run({ sensors, ...OFF, forwardFill: true }, [
      reading('TEMP-001', at(0), 1),
      reading('TEMP-001', at(10), 2),
    ]);
    expect(out).toHaveLength(2);
  });
});

describe('qualityCheck: heartbeat', () => {
  const three = defineSensors([
    { id: 'A', source: topic('a'), unit: 'degC' },
    { id: 'B', source: topic('b'), unit: 'degC' },
    { id: 'C', source: topic('c'), unit: 'degC' },
  ]);

  it('marks silent sensors stale on the source clock, and resumed when they speak (hand-worked)', async () => {
    const readings: Reading[] = [];
    for (let s = 0; s <= 200; s += 10) {
      readings.push(reading('A', at(s), 1));
      if (s <= 10 || s >= 150) readings.push(reading('B', at(s), 1));
    }
    const { events, check } = await run({ sensors: three, ...OFF, heartbeat: true }, readings);
    const seen = events.map((e) => [
      e.event_type,
      e.source,
      (Date.parse(e.timestamp) - T0) / 1000,
      e.details.silentForMs,
    ]);
    expect(seen).toEqual([
      // C never spoke: stale once the data clock passes 0 + 60 s (at A's reading at 70 s).
      ['sensor_stale', 'C', 60, 70_000],
      // B last spoke at 10 s: stale when the data clock passes 70 s (A at 80 s).
      ['sensor_stale', 'B', 70, 70_000],
      ['sensor_resumed', 'B', 150, 140_000],
    ]);
    expect(events[0]?.details.lastReadingTime).toBeNull();
    expect(events[0]?.severity).toBe('warning');
    expect(check.staleSensors()).toEqual(['C']);
    expect(check.qualityReport().sensors.B).toMatchObject({ stale: false, staleEvents: 1 });
  });

  it('sees the gap of a lone sensor when its next reading comes', async () => {
    const one = defineSensors([{ id: 'A', source: topic('a'), unit: 'degC' }]);
    const { events } = await run({ sensors: one, ...OFF, heartbeat: { limitMs: 30_000 } }, [
      reading('A', at(0), 1),
      reading('A', at(10), 1),
      reading('A', at(100), 1),
    ]);
    expect(events.map((e) => [e.event_type, (Date.parse(e.timestamp) - T0) / 1000])).toEqual([
      ['sensor_stale', 40],
      ['sensor_resumed', 100],
    ]);
  });

  it('on the wall clock, marks a sensor stale by a timer while nothing arrives', async () => {
    const one = defineSensors([{ id: 'A', source: topic('a'), unit: 'degC' }]);
    const inner = new ManualSource();
    const check = qualityCheck(inner, {
      sensors: one,
      ...OFF,
      heartbeat: { clock: 'wall', limitMs: 60, checkEveryMs: 10 },
    });
    const events: TwinEvent[] = [];
    const stale = new Promise<void>((resolve) =>
      check.onEvent((e) => {
        events.push(e);
        if (e.event_type === 'sensor_stale') resolve();
      }),
    );
    const it = check[Symbol.asyncIterator]();
    inner.push(reading('A', at(0), 1, { receivedAt: Date.now() }));
    await it.next();
    await stale;
    expect(check.staleSensors()).toEqual(['A']);
    inner.push(reading('A', at(1), 1, { receivedAt: Date.now() }));
    await it.next();
    expect(events.map((e) => e.event_type)).toEqual(['sensor_stale', 'sensor_resumed']);
    expect(check.staleSensors()).toEqual([]);
    await check.close();
  });
});

describe('qualityCheck: the source contract', () => {
  it('closes itself and its inner source when the loop is left early', async () => {
    const inner = new ManualSource();
    const check = qualityCheck(inner, { sensors, ...OFF, monotonic: true });
    inner.push(reading('TEMP-001', at(0), 1), reading('TEMP-001', at(2), 2), reading('TEMP-001', at(2.5), 3));
    for await (const r of check) {
      expect(r.value).toBe(1);
      break;
    }
    expect(inner.closed).toBe(true);
    // 0 s went out when 2 s came; 2 s was held (dropped now); 2.5 s was never pulled.
    const s = check.stats();
    expect(s).toMatchObject({ received: 2, accepted: 1, pending: 0, dropped: { closed: 1 } });
    expect(inner.stats().dropped).toEqual({ closed: 1 });
    expectAddsUp(s);
  });

  it('counts held readings as dropped when closed, and closes the inner source', async () => {
    const inner = new ManualSource();
    const check = qualityCheck(inner, { sensors, ...OFF, monotonic: { idleFlushMs: false } });
    const it = check[Symbol.asyncIterator]();
    inner.push(reading('TEMP-001', at(0), 1), reading('TEMP-001', at(0.5), 2), reading('TEMP-001', at(2), 3));
    expect((await it.next()).value?.value).toBe(1);
    await check.close();
    expect(inner.closed).toBe(true);
    // 2 s released 0 and 0.5 s; 0.5 s (ready) and 2 s (held) are dropped by the close.
    const s = check.stats();
    expect(s).toMatchObject({ received: 3, accepted: 1, pending: 0, dropped: { closed: 2 } });
    expectAddsUp(s);
    expectReportAddsUp(check);
    expect((await it.next()).done).toBe(true);
  });

  it('hands on what it holds, then the inner source error', async () => {
    const inner = new ManualSource();
    const check = qualityCheck(inner, { sensors, ...OFF, monotonic: true });
    inner.push(reading('TEMP-001', at(0), 1), reading('TEMP-001', at(0.5), 2));
    inner.end(new Error('link cut'));
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const r of check) out.push(r.value);
      })(),
    ).rejects.toThrow('link cut');
    expect(out).toEqual([1, 2]);
  });

  it('passes on the inner source events, and pulls it only as its consumer takes (backpressure)', async () => {
    const inner = new ManualSource();
    const check = qualityCheck(inner, { sensors, ...OFF });
    const events: string[] = [];
    const off = check.onEvent((e) => events.push(e.event_type));
    for (let i = 0; i < 100; i++) inner.push(reading('TEMP-001', at(i), i));
    const it = check[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 10));
    // The rest waits in the inner source.
    expect(check.stats()).toMatchObject({ received: 1, accepted: 1, pending: 0 });
    expect(inner.stats().pending).toBe(99);
    inner.emit({
      event_id: 'e1',
      timestamp: '',
      event_type: 'source_disconnected',
      severity: 'warning',
      source: 'x',
      details: {},
    });
    off();
    inner.emit({
      event_id: 'e2',
      timestamp: '',
      event_type: 'ignored',
      severity: 'info',
      source: 'x',
      details: {},
    });
    expect(events).toEqual(['source_disconnected']);
    await check.close();
    expectAddsUp(check.stats());
  });

  it('has one consumer, and hands out readings to next() calls made without waiting, in order', async () => {
    const inner = new ManualSource();
    const check = qualityCheck(inner, { sensors, ...OFF });
    const it = check[Symbol.asyncIterator]();
    await expect(check[Symbol.asyncIterator]().next()).rejects.toThrow(/one consumer/);
    const pending = [it.next(), it.next(), it.next()];
    inner.push(reading('TEMP-001', at(0), 1), reading('TEMP-001', at(1), 2));
    inner.end();
    const got = await Promise.all(pending);
    expect(got.map((r) => (r.done ? 'end' : r.value.value))).toEqual([1, 2, 'end']);
  });
});

describe('qualityCheck: properties', () => {
  const specs = defineSensors([
    { id: 'S1', source: topic('s1'), unit: 'degC', range: [0, 100], samplingHz: 1, accuracy: 0.5 },
    { id: 'S2', source: topic('s2'), unit: 'A', range: [0, 50], samplingHz: 10 },
    { id: 'S3', source: topic('s3'), unit: '1' },
  ]);
  const arbReading = fc.record({
    sensor: fc.constantFrom('S1', 'S2', 'S3', 'S9'),
    dt: fc.integer({ min: -1500, max: 4000 }),
    value: fc.double({ min: -50, max: 300, noNaN: true }),
    unit: fc.constantFrom('degC', 'degF', 'A', 'mA', '1', 'bogus'),
  });
  const arbRules = fc.record({
    units: fc.boolean(),
    range: fc.boolean(),
    monotonic: fc.oneof(fc.boolean(), fc.record({ reorderWindowMs: fc.integer({ min: 0, max: 3000 }) })),
    spike: fc.boolean(),
    forwardFill: fc.boolean(),
    heartbeat: fc.oneof(fc.boolean(), fc.record({ limitMs: fc.integer({ min: 1, max: 10_000 }) })),
  });

  it('counters add up, per sensor too; nothing non-finite, out of range, foreign or out of order goes out', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbReading, { maxLength: 80 }), arbRules, async (steps, rules) => {
        let t = T0;
        const readings = steps.map((s) => {
          t += s.dt;
          return reading(s.sensor, t, s.value, { unit: s.unit });
        });
        const { out, stats, report } = await run({ sensors: specs, ...rules }, readings);
        expect(stats.received).toBe(readings.length);
        expect(stats.accepted).toBe(out.length);
        const last = new Map<string, number>();
        for (const r of out) {
          expect(Number.isFinite(r.value)).toBe(true);
          const sensor = specs.get(r.sensor_id);
          if (rules.units) expect(r.unit).toBe(sensor.unit);
          if (rules.range && rules.units && sensor.range) {
            // Inclusive to a relative 1e-9 (rounding of converted values).
            const [low, high] = sensor.range;
            expect(r.value).toBeGreaterThanOrEqual(low - 1e-9 * Math.max(1, Math.abs(low)));
            expect(r.value).toBeLessThanOrEqual(high + 1e-9 * Math.max(1, Math.abs(high)));
          }
          if (rules.monotonic !== false)
            expect(r.time).toBeGreaterThanOrEqual(last.get(r.sensor_id) ?? -Infinity);
          last.set(r.sensor_id, r.time);
        }
        const filled = out.filter((r) => r.quality === 'stale').length;
        expect(stats.filled).toBe(filled);
        const lines = Object.values(report.sensors);
        expect(lines.reduce((a, l) => a + l.received, 0) + report.unknownSensor).toBe(readings.length);
      }),
      { numRuns: 150 },
    );
  });
});
