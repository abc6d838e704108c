// postgresSink against the real PostgreSQL on 127.0.0.1:5432 (database `test`, trust auth). Each test
// makes its own uniquely named tables and drops them at the end.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { TwinkitError } from '@twinkit/core';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireService } from '../../test-support/services';
import { makeEvent, type Reading } from '../reading';
import type { SinkStats } from '../sink';
import { postgresSink } from './postgres-sink';

beforeAll(() => requireService('postgres'));

const URL = process.env.TWINKIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new Pool({ connectionString: URL, max: 2 });
const created: string[] = [];

/** A fresh table name for one test (dropped, with its events table, after all tests). */
function tableName(): string {
  const name = `twinkit_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  created.push(name, `${name}_events`);
  return name;
}

afterAll(async () => {
  for (const table of created) await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
});

const T0 = Date.parse('2024-01-15T10:30:00.000Z');
function reading(i: number, overrides: Partial<Reading> = {}): Reading {
  const time = T0 + i * 1000;
  return {
    timestamp: new Date(time).toISOString(),
    time,
    source: `factory/production/line1/machine/telemetry/s${i % 3}`,
    value: i * 0.1,
    unit: 'degC',
    quality: 'good',
    sensor_id: `S-${i % 3}`,
    receivedAt: time + 5,
    seq: i,
    ...overrides,
  };
}

function expectBalanced(stats: SinkStats): void {
  const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
  expect(stats.written).toBe(stats.delivered + dropped + stats.failed + stats.buffered);
}

const until = async (condition: () => boolean, ms: number, what: string) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

async function rejection(promise: Promise<unknown>): Promise<TwinkitError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TwinkitError);
    return error as TwinkitError;
  }
  throw new Error('expected a rejection');
}

describe('postgresSink against PostgreSQL', () => {
  it('stores readings that SQL gives back exactly, in a table it creates with its indexes', async () => {
    const table = tableName();
    const sink = postgresSink({ connectionString: URL, table, batchSize: 200 });
    const specials = [
      0.1 + 0.2,
      -0,
      1e-300,
      -Number.MAX_VALUE / 4,
      123456789.12345679,
      Number.MIN_VALUE,
      Math.PI,
    ];
    const written = Array.from({ length: 1000 }, (_, i) =>
      reading(i, {
        value: specials[i % specials.length]! * (1 + i / 1000),
        ...(i % 7 === 0 ? { seq: undefined } : {}),
        ...(i % 11 === 0 ? { quality: 'uncertain' as const, unit: 'it\'s "quoted", {braced}' } : {}),
      }),
    );
    for (const r of written) await sink.write({ kind: 'reading', reading: r });
    await sink.close();

    const stats = sink.stats();
    expect(stats).toMatchObject({
      written: 1000,
      delivered: 1000,
      failed: 0,
      buffered: 0,
      storage: 'table',
      inserts: 5,
      largestInsert: 200,
      retries: 0,
    });
    expect(sink.storage).toBe('table');
    expectBalanced(stats);

    const { rows } = await admin.query(
      `SELECT time, sensor_id, source, value, unit, quality, seq, received_at FROM ${table} ORDER BY time`,
    );
    expect(rows).toHaveLength(1000);
    rows.forEach((row, i) => {
      const r = written[i]!;
      expect(row.time.toISOString()).toBe(r.timestamp);
      expect(row.value).toBe(r.value); // toBe: the same double, -0 included
      expect([row.sensor_id, row.source, row.unit, row.quality]).toEqual([
        r.sensor_id,
        r.source,
        r.unit,
        r.quality,
      ]);
      expect(row.seq === null ? undefined : Number(row.seq)).toBe(r.seq);
      expect(row.received_at.getTime()).toBe(r.receivedAt);
    });
    const indexes = await admin.query(
      'SELECT indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname',
      [table],
    );
    expect(indexes.rows.map((r) => r.indexdef.replace(/^.* USING /, ''))).toEqual([
      'btree (sensor_id, "time")',
      'btree ("time")',
    ]);
  });

  it('writes a full batch in one INSERT at once, and a partial one after flushMs or on flush', async () => {
    const table = tableName();
    const sink = postgresSink({ connectionString: URL, table, batchSize: 100, flushMs: 60_000 });
    for (let i = 0; i < 250; i++) await sink.write({ kind: 'reading', reading: reading(i) });
    await until(() => sink.stats().delivered === 200, 10_000, 'two full batches');
    expect(sink.stats()).toMatchObject({ inserts: 2, buffered: 50 });
    await sink.flush();
    expect(sink.stats()).toMatchObject({ inserts: 3, delivered: 250, buffered: 0 });
    // Rows stored by one INSERT share its transaction id: the database's own count of rows per INSERT.
    const perInsert = await admin.query(
      `SELECT count(*)::int AS n FROM ${table} GROUP BY xmin::text::bigint ORDER BY min(time)`,
    );
    expect(perInsert.rows.map((r) => r.n)).toEqual([100, 100, 50]);
    await sink.close();

    const timed = postgresSink({ connectionString: URL, table: tableName(), batchSize: 1000, flushMs: 30 });
    for (let i = 0; i < 10; i++) await timed.write({ kind: 'reading', reading: reading(i) });
    await until(() => timed.stats().delivered === 10, 10_000, 'the flushMs timer');
    expect(timed.stats()).toMatchObject({ inserts: 1, largestInsert: 10 });
    await timed.close();
  });

  it('holds at most maxBuffered: write waits for room, or rejects when told to', async () => {
    const table = tableName();
    const sink = postgresSink({ connectionString: URL, table, batchSize: 10, maxBuffered: 20 });
    await sink.ready();
    let peak = 0;
    const writes = Array.from({ length: 200 }, (_, i) =>
      sink.write({ kind: 'reading', reading: reading(i) }).then(() => {
        peak = Math.max(peak, sink.stats().buffered);
      }),
    );
    await Promise.all(writes);
    await sink.flush();
    expect(peak).toBeLessThanOrEqual(20);
    expect(sink.stats()).toMatchObject({ written: 200, delivered: 200, buffered: 0 });
    await sink.close();

    const strict = postgresSink({
      connectionString: URL,
      table: tableName(),
      batchSize: 10,
      maxBuffered: 10,
      whenFull: 'error',
    });
    await strict.ready();
    for (let i = 0; i < 10; i++) await strict.write({ kind: 'reading', reading: reading(i) });
    // The full batch is in flight: the buffer holds 10, so the next write is refused at once.
    const full = await rejection(strict.write({ kind: 'reading', reading: reading(10) }));
    expect(full.message).toMatch(/the buffer is full \(10 messages/);
    await strict.close();
    expect(strict.stats()).toMatchObject({ written: 11, delivered: 10, failed: 1 });
    expectBalanced(strict.stats());
  });

  it('fails only the rows a constraint refuses (the batch is split), counts and reports them', async () => {
    const table = tableName();
    const sink = postgresSink({ connectionString: URL, table, batchSize: 50 });
    await sink.ready();
    await admin.query(`ALTER TABLE ${table} ADD CONSTRAINT plausible CHECK (value < 1000)`);
    const reported: TwinkitError[] = [];
    sink.onError((e) => reported.push(e));
    for (let i = 0; i < 50; i++)
      await sink.write({ kind: 'reading', reading: reading(i, i === 7 || i === 31 ? { value: 5000 } : {}) });
    const error = await rejection(sink.flush());
    expect(error.message).toMatch(
      /2 messages could not be stored in .* \(counted in stats\(\)\.failed\): .*violates check constraint "plausible" \(SQLSTATE 23514\)/,
    );
    expect(reported).toHaveLength(2);
    const stats = sink.stats();
    expect(stats).toMatchObject({ written: 50, delivered: 48, failed: 2, retries: 0 });
    expect(stats.splits).toBeGreaterThan(0);
    expectBalanced(stats);
    const count = await admin.query(`SELECT count(*)::int AS n, max(value) AS top FROM ${table}`);
    expect(count.rows[0]).toEqual({ n: 48, top: 4.9 });
    // Reported once: a later flush with nothing new failing resolves.
    await sink.close();
  });

  it('fails the rows written after its table was dropped mid-stream, counted and reported by flush', async () => {
    const table = tableName();
    const sink = postgresSink({ connectionString: URL, table, batchSize: 10 });
    for (let i = 0; i < 20; i++) await sink.write({ kind: 'reading', reading: reading(i) });
    await sink.flush();
    await admin.query(`DROP TABLE ${table}`);
    for (let i = 20; i < 25; i++) await sink.write({ kind: 'reading', reading: reading(i) });
    const error = await rejection(sink.flush());
    expect(error.message).toMatch(/5 messages could not be stored .*does not exist \(SQLSTATE 42P01\)/);
    expect(sink.stats()).toMatchObject({ written: 25, delivered: 20, failed: 5, retries: 0 });
    expectBalanced(sink.stats());
    await sink.close();
  });

  it('retries a transient error a bounded number of times, then fails the batch', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const sink = postgresSink({
      connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
      table: 'never_created',
      retry: { attempts: 2, initialMs: 5, maxMs: 10 },
    });
    for (let i = 0; i < 3; i++) await sink.write({ kind: 'reading', reading: reading(i) });
    const error = await rejection(sink.close());
    expect(error.message).toMatch(/3 messages could not be stored in never_created .*ECONNREFUSED/);
    expect(sink.stats()).toMatchObject({
      written: 3,
      delivered: 0,
      failed: 3,
      retries: 2,
      storage: undefined,
    });
    expectBalanced(sink.stats());
  });

  it('skips a reading already stored for its sensor and time, counted as a duplicate', async () => {
    const sink = postgresSink({ connectionString: URL, table: tableName(), batchSize: 2 });
    await sink.write({ kind: 'reading', reading: reading(1) });
    await sink.write({ kind: 'reading', reading: reading(1, { value: 99 }) });
    await sink.write({ kind: 'reading', reading: reading(1) });
    await sink.close();
    expect(sink.stats()).toMatchObject({ written: 3, delivered: 1, dropped: { duplicate: 2 }, failed: 0 });
    expectBalanced(sink.stats());
  });

  it('stores events in <table>_events with their details as jsonb, and refuses other kinds clearly', async () => {
    const table = tableName();
    const sink = postgresSink({ connectionString: URL, table });
    const event = makeEvent('source_disconnected', 'warning', 'modbus 127.0.0.1:502/1', T0, {
      reason: 'timeout',
      gapMs: 1234,
      nested: { quote: 'it\'s "fine"' },
    });
    await sink.write({ kind: 'event', event });
    const refused = await rejection(
      sink.write({ kind: 'state', topic: 'factory/simulation/state/sync', payload: {} }),
    );
    expect(refused.message).toMatch(
      /a postgres sink stores readings and events; 'state' messages have no table here.*Send state, KPIs and predictions to an mqttSink or a fileSink/,
    );
    await sink.close();
    expect(sink.eventsTable).toBe(`${table}_events`);
    const { rows } = await admin.query(`SELECT * FROM ${table}_events`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event_id: event.event_id,
      event_type: 'source_disconnected',
      severity: 'warning',
      source: 'modbus 127.0.0.1:502/1',
      details: event.details,
    });
    expect(rows[0].time.toISOString()).toBe(event.timestamp);
    expect(sink.stats()).toMatchObject({ written: 2, delivered: 1, failed: 1 });

    const noEvents = postgresSink({ connectionString: URL, table: tableName(), events: false });
    expect((await rejection(noEvents.write({ kind: 'event', event }))).message).toMatch(
      /events are refused \(events: false\)/,
    );
    await noEvents.close();
  });

  it('makes a hypertable only where TimescaleDB is installed, and says which it made', async () => {
    const installed =
      ((await admin.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).rowCount ?? 0) > 0;
    const auto = postgresSink({ connectionString: URL, table: tableName() });
    expect(await auto.ready()).toBe(installed ? 'hypertable' : 'table');
    await auto.close();
    const required = postgresSink({ connectionString: URL, table: tableName(), hypertable: 'require' });
    if (installed) expect(await required.ready()).toBe('hypertable');
    else
      expect((await rejection(required.ready())).message).toMatch(
        /hypertable 'require': the TimescaleDB extension is not installed in this database/,
      );
    await required.close();
  });

  it('refuses a table that exists with other columns, naming the missing ones', async () => {
    const table = tableName();
    await admin.query(`CREATE TABLE ${table} (time timestamptz, value double precision)`);
    const sink = postgresSink({ connectionString: URL, table });
    expect((await rejection(sink.ready())).message).toMatch(
      new RegExp(
        `table ${table} exists without the columns sensor_id, source, unit, quality, seq, received_at`,
      ),
    );
    await sink.close();
  });
});

describe('postgresSink options', () => {
  const refused = (options: unknown): string => {
    try {
      postgresSink(options as never);
    } catch (error) {
      expect(error).toBeInstanceOf(TwinkitError);
      return (error as Error).message;
    }
    throw new Error('expected a refusal');
  };

  it('refuses table names that are not plain lower-case identifiers, so none reaches SQL', () => {
    for (const table of [
      'readings; DROP TABLE x',
      'Readings',
      '"readings"',
      'a.b.c',
      '',
      'x'.repeat(48),
      '1abc',
    ])
      expect(refused({ connectionString: URL, table })).toMatch(/table must be a lower-case identifier/);
    expect(() => postgresSink({ connectionString: URL, table: 'plant.readings' })).not.toThrow();
  });

  it('refuses unknown keys naming the closest, and inconsistent sizes', () => {
    expect(refused({ connectionString: URL, table: 't', batchsize: 10 })).toMatch(
      /Did you mean 'batchSize'\?/,
    );
    expect(refused({ connectionString: URL, table: 't', batchSize: 100, maxBuffered: 50 })).toMatch(
      /maxBuffered must be at least batchSize \(100\)/,
    );
    expect(refused({ connectionString: URL, table: 't', retry: { attemps: 2 } })).toMatch(
      /unknown option 'attemps'/,
    );
    expect(refused({ table: 't' })).toMatch(/connectionString must be a non-empty string/);
  });
});
