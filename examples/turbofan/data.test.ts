import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cycleOf,
  cycleTimestamp,
  INFORMATIVE_SENSORS,
  loadCmapss,
  parseCmapss,
  replayTelemetry,
  writeTelemetry,
} from './data';

describe('the C-MAPSS FD001 files', () => {
  const train = loadCmapss('train_FD001.txt');
  const test = loadCmapss('test_FD001.txt');

  it('hold 100 training and 100 test engines with 20,631 and 13,096 rows', () => {
    expect(train.map((e) => e.unit)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(test.map((e) => e.unit)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(train.reduce((s, e) => s + e.cycles.length, 0)).toBe(20631);
    expect(test.reduce((s, e) => s + e.cycles.length, 0)).toBe(13096);
    for (const e of [...train, ...test]) {
      expect(e.sensors.every((row) => row.length === 21)).toBe(true);
      expect(e.settings.every((row) => row.length === 3)).toBe(true);
    }
    // Engine 1 of the training set: 192 cycles, sensor 2 (T24) of its first row is 641.82.
    expect(train[0]!.cycles.length).toBe(192);
    expect(train[0]!.sensors[0]![1]).toBe(641.82);
  });

  it('refuses a malformed row, naming the line and the remedy', () => {
    expect(() => parseCmapss('1 1 0 0 100 518.67\n', 'bad.txt')).toThrow(
      /parseCmapss\(text\): line 1 of bad.txt must hold 26 numbers .*Pass an unchanged C-MAPSS/,
    );
    const row = (cycle: number) => `1 ${cycle} ${'0 '.repeat(24)}`;
    expect(() => parseCmapss(`${row(1)}\n${row(3)}\n`)).toThrow(
      /line 2 .*cycles must run 1, 2, 3, .*expected 2.*got 3/,
    );
  });

  it("replays an engine's telemetry in the design document's schema through fileSource", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'turbofan-')), 'telemetry.jsonl');
    const engine = test[4]!;
    const lines = writeTelemetry(path, [engine]);
    expect(lines).toBe(engine.cycles.length * INFORMATIVE_SENSORS.length);
    const replayed = await replayTelemetry(path);
    expect(replayed.received).toBe(lines);
    expect(replayed.rejected).toEqual({});
    const got = replayed.units.get(engine.unit)!;
    expect(got.cycles).toEqual(engine.cycles);
    expect(got.values).toEqual(engine.sensors.map((row) => INFORMATIVE_SENSORS.map((k) => row[k - 1])));
    expect(cycleOf(Date.parse(cycleTimestamp(37)))).toBe(37);
  });
});
