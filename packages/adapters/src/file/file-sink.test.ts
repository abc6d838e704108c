import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { makeEvent, QUALITIES, type Reading } from '../reading';
import type { SinkStats } from '../sink';
import { fileSink } from './file-sink';
import { fileSource } from './file-source';

const dir = mkdtempSync(join(tmpdir(), 'twinkit-file-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fresh = (ext: string) => join(dir, `s${++files}.${ext}`);

const T0 = Date.parse('2024-01-15T10:00:00Z');
const TOPIC = 'factory/production/line1/machine/telemetry/temperature';
function reading(i: number, extra: Partial<Reading> = {}): Reading {
  const time = T0 + i * 100;
  return {
    timestamp: new Date(time).toISOString(),
    time,
    source: TOPIC,
    value: 20 + i / 10,
    unit: 'degC',
    quality: 'good',
    sensor_id: 'TEMP-001',
    receivedAt: time + 5,
    seq: i,
    ...extra,
  };
}

const sum = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);
function expectAddsUp(s: SinkStats): void {
  expect(s.written).toBe(s.delivered + sum(s.dropped) + s.failed + s.buffered);
}

async function readBack(path: string, format: 'jsonl' | 'csv'): Promise<Reading[]> {
  const source = fileSource({ path, format });
  const out: Reading[] = [];
  for await (const r of source) out.push(r);
  expect(source.stats().rejected).toEqual({});
  return out;
}

/** The fields a file keeps (receivedAt is the reader's; -0 is written as 0). */
const kept = (r: Reading) => ({
  timestamp: r.timestamp,
  time: r.time,
  source: r.source,
  value: r.value === 0 ? 0 : r.value,
  unit: r.unit,
  quality: r.quality,
  sensor_id: r.sensor_id,
  seq: r.seq,
});

const arbReading = fc
  .record({
    time: fc.integer({ min: T0, max: T0 + 1e9 }),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    quality: fc.constantFrom(...QUALITIES),
    sensor_id: fc.constantFrom('TEMP-001', 'a,b', 'say "hi"', ' padded '),
    unit: fc.constantFrom('degC', 'A', 'm/s^2'),
    source: fc.constantFrom(TOPIC, 'factory/x,y/telemetry/z'),
    seq: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(
    (r): Reading => ({
      ...r,
      timestamp: new Date(r.time).toISOString(),
      receivedAt: 0,
    }),
  );

describe('fileSink', () => {
  it('round-trips readings through JSON Lines and CSV (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbReading, { maxLength: 50 }),
        fc.constantFrom('jsonl' as const, 'csv' as const),
        async (readings, format) => {
          const path = fresh(format);
          const sink = fileSink({ path, format });
          for (const r of readings) await sink.write({ kind: 'reading', reading: r });
          await sink.close();
          expect(sink.stats()).toMatchObject({
            written: readings.length,
            delivered: readings.length,
            failed: 0,
            buffered: 0,
          });
          const back = await readBack(path, format);
          expect(back.map(kept)).toEqual(readings.map(kept));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('appends to an existing file; a CSV header is written once', async () => {
    for (const format of ['jsonl', 'csv'] as const) {
      const path = fresh(format);
      for (const batch of [[0, 1], [2]]) {
        const sink = fileSink({ path, format });
        for (const i of batch) await sink.write({ kind: 'reading', reading: reading(i) });
        await sink.close();
      }
      expect((await readBack(path, format)).map((r) => r.seq)).toEqual([0, 1, 2]);
      if (format === 'csv') expect(readFileSync(path, 'utf8').match(/^timestamp,/gm)).toHaveLength(1);
    }
  });

  it('writes events and payloads as JSON Lines; a CSV sink refuses them, counted as failed', async () => {
    const path = fresh('jsonl');
    const sink = fileSink({ path, format: 'jsonl' });
    const event = makeEvent('sensor_stale', 'warning', 'TEMP-001', T0, { silentForMs: 61_000 });
    await sink.write({ kind: 'event', event });
    await sink.write({ kind: 'state', topic: 'factory/simulation/state/sync', payload: { queue: 3 } });
    await sink.close();
    expect(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([event, { queue: 3 }]);

    const csv = fileSink({ path: fresh('csv'), format: 'csv' });
    await expect(csv.write({ kind: 'event', event })).rejects.toThrow(
      /a CSV file sink takes readings only, got "event".*format: 'jsonl'/,
    );
    await csv.close();
    expect(csv.stats()).toMatchObject({ written: 1, failed: 1, delivered: 0 });
  });

  it('refuses to append readings to a CSV with another header', async () => {
    const path = fresh('csv');
    writeFileSync(path, 'time,val\n1,2\n');
    const sink = fileSink({ path, format: 'csv' });
    await sink.write({ kind: 'reading', reading: reading(0) });
    await expect(sink.flush()).rejects.toThrow(
      /is a CSV whose header is not "timestamp,value,.*Use another path/,
    );
    await expect(sink.write({ kind: 'reading', reading: reading(1) })).rejects.toThrow(/header/);
    await expect(sink.close()).rejects.toThrow(/header/);
    expect(sink.stats()).toMatchObject({ written: 2, failed: 2, delivered: 0, buffered: 0 });
    expect(readFileSync(path, 'utf8')).toBe('time,val\n1,2\n');
  });

  it('reports a file it cannot open, and fails what it holds', async () => {
    const sink = fileSink({ path: join(dir, 'no-such-dir', 'out.jsonl'), format: 'jsonl' });
    await sink.write({ kind: 'reading', reading: reading(0) });
    await sink.write({ kind: 'reading', reading: reading(1) });
    await expect(sink.close()).rejects.toThrow(/fileSink: cannot open ".*out.jsonl" for appending: ENOENT/);
    expect(sink.stats()).toMatchObject({ written: 2, failed: 2, buffered: 0 });
  });

  it('bounds its buffer: write waits for the file; the counters add up at every step', async () => {
    const path = fresh('jsonl');
    const one = Buffer.byteLength(
      `${JSON.stringify({ ...reading(0), receivedAt: undefined, time: undefined })}\n`,
    );
    const sink = fileSink({ path, format: 'jsonl', maxBufferedBytes: 4 * one, batchBytes: 2 * one });
    let most = 0;
    for (let i = 0; i < 300; i++) {
      await sink.write({ kind: 'reading', reading: reading(i) });
      const s = sink.stats();
      expectAddsUp(s);
      most = Math.max(most, s.bufferedBytes);
    }
    expect(most).toBeLessThanOrEqual(4 * one + 8);
    await sink.close();
    expect(sink.stats()).toMatchObject({ written: 300, delivered: 300, buffered: 0, bufferedBytes: 0 });
    expect(await readBack(path, 'jsonl')).toHaveLength(300);
  });

  it('writes what waits within flushIntervalMs, without a flush', async () => {
    const path = fresh('jsonl');
    const sink = fileSink({ path, format: 'jsonl', flushIntervalMs: 20 });
    await sink.write({ kind: 'reading', reading: reading(0) });
    for (let i = 0; i < 100 && sink.stats().delivered === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sink.stats().delivered).toBe(1);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
    await sink.close();
    await expect(sink.write({ kind: 'reading', reading: reading(1) })).rejects.toThrow(
      /write\(\) after close\(\)/,
    );
  });

  it('refuses bad options', () => {
    expect(() => fileSink({ path: 'x', format: 'txt' as never })).toThrow(
      /format must be 'jsonl' or 'csv', got "txt"/,
    );
    expect(() => fileSink({ path: 'x', format: 'csv', maxBuffered: 3 } as never)).toThrow(
      /Did you mean 'maxBufferedBytes'\?/,
    );
    expect(() => fileSink({ path: 'x', format: 'csv', flushIntervalMs: 0 })).toThrow(
      /flushIntervalMs must be/,
    );
  });
});
