import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TwinkitError } from '@twinkit/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeReading, type Reading } from '../reading';
import { defineSensors } from '../sensors';
import type { SourceStats } from '../source';
import { type FileSource, type FileSourceOptions, fileSource } from './file-source';

const dir = mkdtempSync(join(tmpdir(), 'twinkit-file-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function file(text: string, ext = 'jsonl'): string {
  files += 1;
  const path = join(dir, `f${files}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const T0 = Date.parse('2024-01-15T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const TOPIC = 'factory/production/line1/machine/telemetry/temperature';
const line = (s: number, value: unknown = 20 + s, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    timestamp: iso(T0 + s * 1000),
    value,
    sensor_id: 'TEMP-001',
    unit: 'degC',
    source: TOPIC,
    ...extra,
  });
const sensors = defineSensors([{ id: 'TEMP-001', source: TOPIC, unit: 'degC', range: [0, 150] }]);

const sum = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);
function expectAddsUp(s: SourceStats): void {
  expect(s.received + s.filled).toBe(s.accepted + sum(s.rejected) + sum(s.dropped) + s.pending);
}

async function readAll(options: FileSourceOptions): Promise<{ out: Reading[]; source: FileSource }> {
  const source = fileSource(options);
  const out: Reading[] = [];
  for await (const r of source) out.push(r);
  expectAddsUp(source.stats());
  expect(source.stats().pending).toBe(0);
  return { out, source };
}

describe('fileSource: JSON Lines', () => {
  it('replays the readings of a file in order, with their fields', async () => {
    const path = file(`${[0, 1, 2].map((s) => line(s, 20 + s, { seq: s })).join('\n')}\n`);
    const { out, source } = await readAll({ path, format: 'jsonl' });
    expect(out.map((r) => [r.time - T0, r.value, r.seq, r.source, r.unit, r.quality])).toEqual([
      [0, 20, 0, TOPIC, 'degC', 'good'],
      [1000, 21, 1, TOPIC, 'degC', 'good'],
      [2000, 22, 2, TOPIC, 'degC', 'good'],
    ]);
    expect(source.stats()).toMatchObject({
      received: 3,
      accepted: 3,
      rejected: {},
      lastReadingTime: { 'TEMP-001': T0 + 2000 },
    });
    expect(source.report()).toMatchObject({ lines: 3, passes: 1, rejected: {} });
  });

  it('counts every malformed line under its reason with its line number; none crashes, none is NaN', async () => {
    const lines = [
      line(0), // 1
      '{"timestamp": "2024-01-15T10:00:01Z", "value": ', // 2 malformed_json
      '', // 3 blank_line
      '[1, 2]', // 4 not_an_object
      JSON.stringify({ timestamp: iso(T0), sensor_id: 'TEMP-001', unit: 'degC' }), // 5 missing_field
      line(1, 'abc'), // 6 invalid_value
      line(1, null), // 7 invalid_value (NaN and Infinity become null in JSON)
      JSON.stringify({ timestamp: '2024-01-15T10:00:01', value: 1, sensor_id: 'TEMP-001', unit: 'degC' }), // 8 no zone
      line(2, 1, { quality: 'great' }), // 9 invalid_quality
      line(3, 1, { seq: -1 }), // 10 invalid_field
      `${line(4)}\r`, // 11 good, CRLF
      'NaN', // 12 not an object: a bare number has no sensor topic in a file
      '   ', // 13 blank_line
      line(5), // 14 good, no newline after it
    ];
    const { out, source } = await readAll({ path: file(lines.join('\n')), format: 'jsonl' });
    expect(out.map((r) => r.time - T0)).toEqual([0, 4000, 5000]);
    const { rejected } = source.report();
    const linesOf = Object.fromEntries(Object.entries(rejected).map(([k, v]) => [k, v.lines]));
    expect(linesOf).toEqual({
      malformed_json: [2, 12],
      blank_line: [3, 13],
      not_an_object: [4],
      missing_field: [5],
      invalid_value: [6, 7],
      invalid_timestamp: [8],
      invalid_quality: [9],
      invalid_field: [10],
    });
    expect(rejected.invalid_value?.firstDetail).toMatch(/value must be a finite number, got "abc"/);
    expect(source.stats()).toMatchObject({ received: 14, accepted: 3 });
    expect(sum(source.stats().rejected)).toBe(11);
  });

  it('fills unit and source from the registry, and rejects unknown sensors', async () => {
    const path = file(
      [
        JSON.stringify({ timestamp: iso(T0), value: 1, sensor_id: 'TEMP-001' }),
        JSON.stringify({ timestamp: iso(T0), value: 1, sensor_id: 'TEMP-404' }),
        JSON.stringify({ timestamp: iso(T0), value: 1, source: TOPIC }),
      ].join('\n'),
    );
    const { out, source } = await readAll({ path, format: 'jsonl', sensors });
    expect(out.map((r) => [r.sensor_id, r.unit, r.source])).toEqual([
      ['TEMP-001', 'degC', TOPIC],
      ['TEMP-001', 'degC', TOPIC],
    ]);
    expect(source.report().rejected.unknown_sensor?.lines).toEqual([2]);
  });

  it('without a registry, a line without source takes the file path', async () => {
    const path = file(JSON.stringify({ timestamp: iso(T0), value: 1, sensor_id: 'X', unit: 'A' }));
    const { out } = await readAll({ path, format: 'jsonl' });
    expect(out[0]?.source).toBe(path);
  });

  it('rejects a line longer than maxLineLength without holding it', async () => {
    const long = JSON.stringify({
      timestamp: iso(T0),
      value: 1,
      sensor_id: 'X',
      unit: 'A',
      pad: 'x'.repeat(200_000),
    });
    const path = file([line(0), long, line(1)].join('\n'));
    const { out, source } = await readAll({ path, format: 'jsonl', maxLineLength: 1000 });
    expect(out.map((r) => r.time - T0)).toEqual([0, 1000]);
    expect(source.report().rejected.line_too_long?.lines).toEqual([2]);
  });

  it('refuses bad options and reports a missing file clearly', async () => {
    expect(() => fileSource({ path: 'x', format: 'json' as never })).toThrow(
      /format must be 'jsonl' or 'csv', got "json"/,
    );
    expect(() => fileSource({ path: 'x', format: 'jsonl', pace: { factor: 0 } })).toThrow(
      /pace.factor must be a finite number > 0/,
    );
    expect(() => fileSource({ path: 'x', format: 'jsonl', loop: 0 })).toThrow(
      /loop must be true, false or a number of passes >= 1/,
    );
    expect(() => fileSource({ path: 'x', format: 'jsonl', paces: 'asap' } as never)).toThrow(
      /Did you mean 'pace'\?/,
    );
    const missing = fileSource({ path: join(dir, 'nope.jsonl'), format: 'jsonl' });
    await expect(missing.start()).rejects.toThrow(/fileSource: cannot read ".*nope.jsonl": ENOENT/);
    await expect(readAll({ path: join(dir, 'nope.jsonl'), format: 'jsonl' })).rejects.toBeInstanceOf(
      TwinkitError,
    );
  });
});

describe('fileSource: CSV', () => {
  const header = 'timestamp,value,sensor_id,unit,source,quality,seq';
  const row = (s: number, value: string, extra = `TEMP-001,degC,${TOPIC},good,${s}`) =>
    `${iso(T0 + s * 1000)},${value},${extra}`;

  it('reads a header row and parses values strictly', async () => {
    const lines = [
      header, // 1
      row(0, '20.5'), // 2
      row(1, ''), // 3
      row(2, 'abc'), // 4
      row(3, '1e'), // 5
      row(4, '0x10'), // 6
      row(5, ' 1'), // 7
      row(6, '-1.5e2'), // 8 good
      row(7, '1e999'), // 9 not finite
      `${iso(T0)},1,TEMP-001`, // 10 malformed_csv: 3 fields
      row(8, '2', `TEMP-001,degC,${TOPIC},good,x`), // 11 seq not an integer
      `${iso(T0 + 9000)},"3","TEMP-001","degC","${TOPIC}","good",""`, // 12 quoted, good
      `${iso(T0 + 10_000)},4,"TEMP-001,degC,${TOPIC},good,10`, // 13 stray quote
      row(11, '5'), // 14 good, after the stray quote
      '', // 15 blank
      row(12, '.5'), // 16 good
    ];
    const { out, source } = await readAll({ path: file(lines.join('\r\n'), 'csv'), format: 'csv' });
    expect(out.map((r) => [r.time - T0, r.value])).toEqual([
      [0, 20.5],
      [6000, -150],
      [9000, 3],
      [11_000, 5],
      [12_000, 0.5],
    ]);
    expect(out[2]?.seq).toBeUndefined();
    expect(out[0]).toMatchObject({ seq: 0, source: TOPIC, unit: 'degC', sensor_id: 'TEMP-001' });
    const linesOf = Object.fromEntries(
      Object.entries(source.report().rejected).map(([k, v]) => [k, v.lines]),
    );
    expect(linesOf).toEqual({
      invalid_value: [3, 4, 5, 6, 7, 9],
      malformed_csv: [10, 13],
      invalid_field: [11],
      blank_line: [15],
    });
    expect(source.report().rejected.invalid_value?.firstDetail).toBe(
      'value must be a decimal number, got ""',
    );
    expect(source.stats()).toMatchObject({ received: 15, accepted: 5 });
  });

  it('refuses a header with an unknown or missing column, naming the closest', async () => {
    const bad = file(`timestamp,valeu,sensor_id\n${iso(T0)},1,A\n`, 'csv');
    await expect(readAll({ path: bad, format: 'csv' })).rejects.toThrow(
      /unknown CSV column "valeu".*Did you mean 'value'\?/,
    );
    const noValue = file(`timestamp,sensor_id\n${iso(T0)},A\n`, 'csv');
    await expect(readAll({ path: noValue, format: 'csv' })).rejects.toThrow(/has no "value" column/);
  });
});

describe('fileSource: loop, pace, backpressure, close', () => {
  it('loops, shifting each pass by the span plus the sampling step; line numbers once, counts each pass', async () => {
    const path = file([line(0), line(1), 'oops', line(2)].join('\n'));
    const { out, source } = await readAll({ path, format: 'jsonl', loop: 3 });
    expect(out.map((r) => (r.time - T0) / 1000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(out[3]?.timestamp).toBe(iso(T0 + 3000));
    expect(source.report()).toMatchObject({ passes: 3, loopShiftMs: 3000, lines: 12 });
    expect(source.report().rejected.malformed_json).toMatchObject({ count: 3, lines: [3] });
  });

  it('stops looping a file that holds no reading, and loops for ever until closed otherwise', async () => {
    const { source } = await readAll({ path: file('bad\nworse\n'), format: 'jsonl', loop: true });
    expect(source.report()).toMatchObject({ passes: 1, lines: 2 });

    const forever = fileSource({
      path: file([line(0), line(1)].join('\n')),
      format: 'jsonl',
      loop: true,
      capacity: 4,
    });
    let n = 0;
    for await (const r of forever) {
      n += 1;
      expect(r.time).toBe(T0 + (n - 1) * 1000);
      if (n === 25) break; // leaving the loop closes the source
    }
    const s = forever.stats();
    expect(s.pending).toBe(0);
    expect(s.accepted).toBe(25);
    expectAddsUp(s);
  });

  it('paces the replay to the recorded timestamps divided by the factor', async () => {
    const path = file([0, 0.5, 1, 1.5, 2].map((s) => line(s)).join('\n'));
    const t = performance.now();
    const { out } = await readAll({ path, format: 'jsonl', pace: { factor: 20 } });
    // 2 s of recording at 20x: at least 100 ms (a lower bound on sleeping, not a speed test).
    expect(performance.now() - t).toBeGreaterThanOrEqual(95);
    expect(out).toHaveLength(5);
  });

  it('reads no further than the consumer takes (backpressure), and counts held readings when closed', async () => {
    const path = file(Array.from({ length: 5000 }, (_, i) => line(i)).join('\n'));
    const source = fileSource({ path, format: 'jsonl', capacity: 3 });
    const it = source[Symbol.asyncIterator]();
    expect((await it.next()).value?.time).toBe(T0);
    await new Promise((r) => setTimeout(r, 20));
    const s = source.stats();
    expect(s.received).toBeLessThanOrEqual(5);
    expect(s.pending).toBeLessThanOrEqual(4);
    expectAddsUp(s);
    await source.close();
    const closed = source.stats();
    expect(closed.pending).toBe(0);
    expect(closed.dropped.closed).toBe(closed.received - 1);
    expectAddsUp(closed);
    expect((await it.next()).done).toBe(true);
  });
});

describe('fileSource: properties', () => {
  const goodLine = fc
    .record({
      s: fc.integer({ min: 0, max: 10_000 }),
      v: fc.double({ noNaN: true, noDefaultInfinity: true }),
      q: fc.constantFrom('good', 'uncertain', 'bad', 'stale'),
    })
    .map(({ s, v, q }) => line(s, v, { quality: q }));
  // Garbage of every kind: random text, random JSON, good lines cut or with a field broken.
  const badLine = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.json({ maxDepth: 2 }),
    goodLine.chain((l) => fc.integer({ min: 0, max: l.length - 1 }).map((n) => l.slice(0, n))),
    goodLine.map((l) => l.replace(/"value":[^,]*/, '"value":"12"')),
    goodLine.map((l) => l.replace(/Z"/, '"')),
  );
  const anyLine = fc
    .oneof(goodLine, badLine)
    .map((l) => l.replace(/[\r\n\u2028\u2029]/g, ' ').replace(/^\uFEFF/, ''));

  it('JSON Lines: every bad line is counted and named by its line number; good ones all come out', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyLine, { maxLength: 60 }), async (lines) => {
        const path = file(lines.join('\n'));
        const { out, source } = await readAll({ path, format: 'jsonl', keepLineNumbers: 1000 });
        // The oracle: the contract's decoder on each line alone.
        const bad: number[] = [];
        const good: number[] = [];
        lines.forEach((l, i) => {
          let ok = false;
          if (l.trim() !== '') {
            try {
              ok = decodeReading(JSON.parse(l), { source: path, receivedAt: 0 }).ok;
            } catch {
              ok = false;
            }
          }
          (ok ? good : bad).push(i + 1);
        });
        // A last line that is empty is no line at all (the file simply ends with a newline).
        const lastEmpty = lines.length > 0 && lines[lines.length - 1] === '';
        const expectedBad = lastEmpty ? bad.slice(0, -1) : bad;
        const named = Object.values(source.report().rejected)
          .flatMap((r) => r.lines)
          .sort((a, b) => a - b);
        expect(named).toEqual(expectedBad);
        expect(out).toHaveLength(good.length);
        for (const r of out) expect(Number.isFinite(r.value)).toBe(true);
        const s = source.stats();
        expect(s.received).toBe(good.length + expectedBad.length);
        expect(sum(s.rejected)).toBe(expectedBad.length);
      }),
      { numRuns: 60 },
    );
  });

  it('CSV: every bad row is counted and named by its line number; good ones all come out', async () => {
    const field = (good: string[], bad: string[]) =>
      fc.oneof(
        fc.constantFrom(...good).map((text) => ({ text, ok: true })),
        fc.constantFrom(...bad).map((text) => ({ text, ok: false })),
      );
    const row = fc.tuple(
      field(
        [iso(T0), '2024-01-15T10:00:00.5+01:00', `"${iso(T0)}"`],
        ['', '2024-01-15', 'yesterday', '"2024'],
      ),
      field(['1', '-2.5', '3e2', '.5', '"7"'], ['', 'abc', '1e', '0x10', ' 1', 'NaN', 'Infinity', '1,5']),
      field(['TEMP-001', '"TEMP,001"', '"say ""hi"""'], ['', '"TEMP']),
      field(['', '7', '0'], ['-1', '1.5', 'x']),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 40 }), async (rows) => {
        const text = [
          'timestamp,value,sensor_id,seq,unit',
          ...rows.map((r) => [...r.map((f) => f.text), 'degC'].join(',')),
        ].join('\n');
        const path = file(`${text}\n`, 'csv');
        const { out, source } = await readAll({ path, format: 'csv', keepLineNumbers: 1000 });
        // The oracle: a row is good when each of its fields is (line numbers count the header).
        const expectedBad = rows.flatMap((r, i) => (r.every((f) => f.ok) ? [] : [i + 2]));
        const named = Object.values(source.report().rejected)
          .flatMap((r) => r.lines)
          .sort((a, b) => a - b);
        expect(named).toEqual(expectedBad);
        expect(out).toHaveLength(rows.length - expectedBad.length);
        for (const r of out) expect(Number.isFinite(r.value)).toBe(true);
        expect(source.stats()).toMatchObject({ received: rows.length, accepted: out.length });
      }),
      { numRuns: 40 },
    );
  });

  it('CSV with a unit column: good rows all come out, with their exact values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ v: fc.double({ noNaN: true, noDefaultInfinity: true }), bad: fc.boolean() }), {
          maxLength: 40,
        }),
        async (rows) => {
          const text = [
            'timestamp,value,sensor_id,unit',
            ...rows.map((r, i) => `${iso(T0 + i)},${r.bad ? `${r.v}x` : r.v},S,degC`),
          ].join('\n');
          const { out, source } = await readAll({
            path: file(text, 'csv'),
            format: 'csv',
            keepLineNumbers: 1000,
          });
          // -0 is written '0' (as JSON and String do), so it reads back as 0.
          expect(out.map((r) => r.value)).toEqual(
            rows.filter((r) => !r.bad).map((r) => (r.v === 0 ? 0 : r.v)),
          );
          expect(source.report().rejected.invalid_value?.lines ?? []).toEqual(
            rows.flatMap((r, i) => (r.bad ? [i + 2] : [])),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
